"""The inventory's lists and counts, for whoever looks after the pieces.

Each function takes ``scope``: it narrows a product query to the pieces this person looks after (a member's
own, or all of them), so that the catalogue need not know about people and roles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.catalogue.models import Product, ProductImage, ProductStatus

Scope = Callable[[sa.Select], sa.Select]
# Put-away pieces would only clutter the everyday list; they have their own filter.
EVERYDAY = tuple(s for s in ProductStatus if s is not ProductStatus.archived)


def _everyone(statement: sa.Select) -> sa.Select:
    return statement


def _without_photo():
    return ~sa.exists().where(ProductImage.product_id == Product.id)


@dataclass(frozen=True)
class InventoryPage:
    products: list[Product]  # with their photos
    counts: dict[ProductStatus, int]  # pieces in each status, the filters aside
    photoless: int  # everyday pieces without a photo
    total: int  # pieces the filters keep, over every page


def count_without_photo(
    session: Session, *, scope: Scope = _everyone, statuses: Iterable[ProductStatus] = EVERYDAY
) -> int:
    """How many pieces in ``statuses`` have no photo yet."""
    statement = sa.select(sa.func.count()).select_from(Product)
    return session.scalar(scope(statement.where(Product.status.in_(tuple(statuses)), _without_photo()))) or 0


def inventory_page(
    session: Session,
    *,
    scope: Scope = _everyone,
    status: ProductStatus | None = None,
    no_photo: bool = False,
    page: int = 1,
    page_size: int = 60,
) -> InventoryPage:
    """One page of the pieces, most recently changed first: those in ``status``, or every everyday piece."""
    counts = dict(session.execute(scope(sa.select(Product.status, sa.func.count()).group_by(Product.status))).all())
    statement = scope(sa.select(Product))
    statement = statement.where(Product.status == status if status else Product.status.in_(EVERYDAY))
    if no_photo:
        statement = statement.where(_without_photo())
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
    products = session.scalars(
        statement.options(selectinload(Product.images).selectinload(ProductImage.image))
        .order_by(Product.updated_at.desc(), Product.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return InventoryPage(list(products), counts, count_without_photo(session, scope=scope), total)


def looked_after_id(session: Session, slug: str, *, scope: Scope = _everyone) -> int | None:
    """The id of the piece at ``slug`` if it is among the pieces ``scope`` keeps; None otherwise."""
    return session.scalar(scope(sa.select(Product.id).where(Product.slug == slug)))
