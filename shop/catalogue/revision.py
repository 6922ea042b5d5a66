"""Every change to the catalogue bumps one counter, in the same transaction as the change.

Page caches compare it with the revision their pages were rendered at. ORM changes to catalogue rows are
noticed after each flush; code that changes catalogue rows with raw SQL must call ``mark_changed``.
The counter row is updated once, just before the commit, so its lock is the last one a transaction
takes and is held only for the commit itself: writers never wait on it for long or deadlock over it.
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
    StockReservation,
    Weaver,
)
from shop.clock import utcnow

# Holds change what the store shows as available, so they count as catalogue changes too.
TRACKED: tuple[type, ...] = (Category, Weaver, Product, ProductWeaver, ProductImage, Image, StockReservation)


def shown_in_store(*models: type) -> None:
    """Another domain's tables whose rows change store pages (a certificate changes the fair-trade mark);
    registered by that domain, since the catalogue imports none."""
    global TRACKED
    TRACKED = (*TRACKED, *(model for model in models if model not in TRACKED))


CHANGED = "catalogue_changed"


def mark_changed(session: Session) -> None:
    """For writers that bypass the ORM (e.g. an atomic stock UPDATE): bump the revision at commit."""
    session.info[CHANGED] = True


def _bump(session: Session) -> None:
    session.connection().execute(
        sa.update(CatalogueRevision)
        .where(CatalogueRevision.id == 1)
        .values(revision=CatalogueRevision.revision + 1, changed_at=utcnow())
    )


def current(connection: Connection) -> int:
    return connection.scalar(sa.select(CatalogueRevision.revision).where(CatalogueRevision.id == 1)) or 0


@event.listens_for(Session, "after_flush")
def _note_catalogue_changes(session: Session, _flush_context) -> None:
    if any(isinstance(obj, TRACKED) for obj in chain(session.new, session.dirty, session.deleted)):
        mark_changed(session)


@event.listens_for(Session, "before_commit")
def _bump_before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the revision's row is locked at the commit alone
        return
    session.flush()  # so changes still pending are noticed too
    if session.info.pop(CHANGED, False):
        _bump(session)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(CHANGED, None)
