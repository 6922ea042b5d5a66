"""The register of partnerships and grants: funders and agencies, proposals and agreements, what was granted,
the reports due to each, and the documents kept privately."""
