"""The workspace in Tzotzil, by the cooperative's own speakers: texts written and reviewed in the database,
compiled into the catalog every worker uses; and the short spoken help recorded for each workspace screen."""
