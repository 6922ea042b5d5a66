"""Weavers, categories, products, images and stock."""

from shop.catalogue import revision as _revision  # noqa: F401  (registers the change counter)
from shop.catalogue import search_text as _search_text  # noqa: F401  (SQLite connections get the search's analyser)
