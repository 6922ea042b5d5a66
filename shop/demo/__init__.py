"""Demo content for a newcomer: a realistic catalogue with drawn photos, loaded by `shop demo`."""
