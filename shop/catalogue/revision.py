"""Every change to the catalogue bumps one counter, in the same transaction as the change.

Page caches compare it with the revision their pages were rendered at. ORM changes to catalogue rows are
caught automatically after each flush; code that changes catalogue rows with raw SQL must call ``bump``.
"""

from __future__ import annotations

from itertools import chain

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from shop.catalogue.models import (
    CatalogueRevision,
    Category,
    Image,
    Product,
    ProductImage,
    ProductWeaver,
    Weaver,
)
from shop.clock import utcnow

TRACKED = (Category, Weaver, Product, ProductWeaver, ProductImage, Image)


def bump(session: Session) -> None:
    session.connection().execute(
        sa.update(CatalogueRevision)
        .where(CatalogueRevision.id == 1)
        .values(revision=CatalogueRevision.revision + 1, changed_at=utcnow())
    )


def current(connection: Connection) -> int:
    return connection.scalar(sa.select(CatalogueRevision.revision).where(CatalogueRevision.id == 1)) or 0


@event.listens_for(Session, "after_flush")
def _bump_after_catalogue_flush(session: Session, _flush_context) -> None:
    if any(isinstance(obj, TRACKED) for obj in chain(session.new, session.dirty, session.deleted)):
        bump(session)
