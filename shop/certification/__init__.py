"""Fair-trade certification: schemes, certificates, licences, audits and non-conformities, and the one rule that
decides whether a product may carry a fair-trade claim on a given day."""
