"""The council's certification screens: schemes, certificates, documents, audits, findings and inspections."""
