"""The pieces a page or an API answer shows, loaded in one batch with what their cards show and their claims."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.browse import card_options
from shop.catalogue.models import Product
from shop.certification.service import claims_on


def shown_products(session: Session, ids: Iterable[int]) -> tuple[dict[int, Product], dict]:
    ids = sorted(set(ids))
    products = {
        p.id: p for p in session.scalars(sa.select(Product).where(Product.id.in_(ids)).options(*card_options()))
    }
    return products, claims_on(session, ids)
