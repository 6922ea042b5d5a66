"""The cooperative's own records: members, bylaws, governing bodies and terms, assemblies, trainings."""
