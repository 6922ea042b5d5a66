"""Imports every domain's tables so that the metadata Alembic and the tests see is complete."""

from shop.catalogue import models as catalogue_models
from shop.db import metadata

__all__ = ["catalogue_models", "metadata"]
