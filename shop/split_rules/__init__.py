"""Split rules: which part of a sale goes to its weavers, by product, category or default."""
