"""Weavers, categories, products, images and stock."""

from shop.catalogue import revision as _revision  # noqa: F401  (registers the change counter)
