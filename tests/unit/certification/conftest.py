from certification_records import records  # noqa: F401  (the fixture, shared with the web tests)
