"""The pieces a page or an API answer shows, loaded in one batch with what their cards show and their claims."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.api.http.revision_store import Request, RevisionStore
from shop.catalogue.browse import ProductPage, ProductQuery, card_options, public_product_rows
from shop.catalogue.models import Product
from shop.catalogue.stock import HoldsInForce, holds_in_force
from shop.certification.service import claims_on


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


def listing_page(
    kept: RevisionStore, request: Request, session: Session, query: ProductQuery, categories
) -> ProductPage:
    """A page of the listing (``public_product_rows``). Without a search its pieces, in their order, are a fact of
    the catalogue's revision, kept like the categories' counts: the same page asked for again (at another address,
    with a campaign's tracking parameters, by a visitor with another shipping country) needs no query. A search
    asks each time: its words are too many to keep."""
    if query.q:
        return public_product_rows(session, query, categories)
    key = ("listing", query.category, query.effective_sort, query.page, query.page_size)
    return kept.remember(request, session, key, lambda own: public_product_rows(own, query, categories))
