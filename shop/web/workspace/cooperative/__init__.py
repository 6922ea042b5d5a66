"""The cooperative's own records in the workspace: kept by the council and the admin, read by partner staff."""
