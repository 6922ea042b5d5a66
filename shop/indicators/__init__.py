"""Programme indicators: their definitions, targets and values per quarter and community, approval that locks
a quarter, the weighted score of targets met, and the values derived from the shop's own registers."""
