"""The pieces a page or an API answer shows, loaded in one batch with what their cards show and their claims."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.browse import card_options
from shop.catalogue.models import Product
from shop.catalogue.stock import HoldsInForce, holds_in_force
from shop.certification.service import claims_on
from shop.http.revision_store import Request, RevisionStore


def shown_products(session: Session, ids: Iterable[int]) -> tuple[dict[int, Product], dict]:
    ids = sorted(set(ids))
    products = {
        p.id: p for p in session.scalars(sa.select(Product).where(Product.id.in_(ids)).options(*card_options()))
    }
    return products, claims_on(session, ids)


def holds_now(
    kept: RevisionStore, request: Request, session: Session, product_ids: list[int], now: datetime
) -> HoldsInForce:
    """The holds in force on a page's pieces: every hold is kept for the catalogue's revision, so most pages ask
    nothing of the database for them; when there are too many to keep, the page asks for its own pieces'."""
    every = kept.remember(request, session, "holds in force", lambda own: holds_in_force(own, now))
    return every if every is not None else holds_in_force(session, now, product_ids)
