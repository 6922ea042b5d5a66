"""The pieces a member can hand over at the cooperative's counter, and finding them by a word of their name
(the catalogue's full-text search, accents folded) or by their weaver's name."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.catalogue.availability import sellable
from shop.catalogue.models import Product, ProductImage, ProductWeaver, Weaver
from shop.catalogue.search import search_scores
from shop.catalogue.stock import available_quantities

GRID_SIZE = 60


def _with_parts(statement):
    return statement.options(
        selectinload(Product.images).selectinload(ProductImage.image),
        selectinload(Product.attributions).selectinload(ProductWeaver.weaver),
    )


def pieces(session: Session, ids: list[int], *, only_sellable: bool = False) -> dict[int, Product]:
    """The pieces with these ids (with photos and weavers), by id; ``only_sellable`` leaves out any that can no
    longer be handed over."""
    statement = sa.select(Product).where(Product.id.in_(ids or [-1]))
    if only_sellable:
        statement = sellable(statement)
    return {p.id: p for p in session.scalars(_with_parts(statement)).all()}


def _matching(session: Session, query: str):
    """Pieces whose text the full-text search finds for ``query``, or one of whose weavers' names holds it."""
    by_weaver = Product.id.in_(
        sa.select(ProductWeaver.product_id)
        .join(Weaver, Weaver.id == ProductWeaver.weaver_id)
        .where(sa.func.lower(Weaver.name).contains(query.lower(), autoescape=True))
    )
    scores = search_scores(session, query)
    if scores is None:
        return by_weaver
    return sa.or_(Product.id.in_(sa.select(scores.c.product_id)), by_weaver)


def counter_grid(
    session: Session, query: str, now: datetime, *, size: int = GRID_SIZE
) -> tuple[list[Product], dict[int, int], bool]:
    """Up to ``size`` pieces with units free now, by title, matching ``query`` when given; with how many units
    each has free, and whether more pieces matched than were shown."""
    statement = sellable(sa.select(Product)).where(Product.stock_on_hand > 0)
    query = query.strip()
    if query:
        statement = statement.where(_matching(session, query))
    found = session.scalars(_with_parts(statement.order_by(Product.title_es, Product.id).limit(size + 1))).all()
    shown = list(found[:size])
    available = available_quantities(session, shown, now)
    return [p for p in shown if available[p.id] > 0], available, len(found) > size
