"""What buyers can see: published products, categories and the weavers who consented to be shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from shop.catalogue.models import (
    PUBLIC_STATUSES,
    Category,
    Product,
    ProductImage,
    ProductStatus,
    ProductWeaver,
    Weaver,
)
from shop.catalogue.schemas import SLUG_PATTERN
from shop.catalogue.search import CAP as SEARCH_CAP
from shop.catalogue.search import search_scores
from shop.catalogue.stock import available_quantities
from shop.clock import utcnow
from shop.errors import N_, NotFound

MAX_PAGE = 10_000
SLUG_RE = re.compile(SLUG_PATTERN)


class Sort(StrEnum):
    relevance = "relevance"
    newest = "newest"
    price_asc = "price_asc"
    price_desc = "price_desc"


@dataclass(frozen=True)
class ProductQuery:
    category: str | None = None
    q: str | None = None
    sort: Sort | None = None
    page: int = 1
    page_size: int = 24

    @property
    def effective_sort(self) -> Sort:
        if self.sort is not None and not (self.sort is Sort.relevance and not self.q):
            return self.sort
        return Sort.relevance if self.q else Sort.newest


@dataclass
class ProductPage:
    items: list[Product]
    total: int
    page: int
    page_size: int
    category: Category | None = None
    query: ProductQuery = field(default_factory=ProductQuery)
    more: bool = False  # a search found more than ``total`` pieces (it counts no further than SEARCH_CAP)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def available_for(session: Session, products: list[Product]) -> dict[int, int]:
    """Units a buyer can take now, per product: stock less holds of buyers who are paying."""
    unique = list({p.id: p for p in products}.values())
    return available_quantities(session, unique, utcnow())


def card_options():
    """What a product card or API item shows: photos, category, and weavers (with their consent)."""
    # Many-to-one rows ride along in joins; only the two collections cost a query each.
    return (
        joinedload(Product.category, innerjoin=True),
        selectinload(Product.images).joinedload(ProductImage.image, innerjoin=True),
        selectinload(Product.attributions).joinedload(ProductWeaver.weaver, innerjoin=True).joinedload(Weaver.photo),
    )


def list_public_products(session: Session, query: ProductQuery) -> ProductPage:
    category = None
    conditions = [Product.status.in_(PUBLIC_STATUSES)]
    if query.category:
        category = session.scalar(sa.select(Category).where(Category.slug == query.category))
        if category is None:
            raise NotFound(N_("There is no category “%(slug)s”."), field="category", slug=query.category)
        conditions.append(Product.category_id == category.id)

    sort = query.effective_sort
    listed = {
        Sort.newest: [Product.created_at.desc(), Product.id.desc()],
        Sort.price_asc: [Product.price_amount.asc(), Product.id.asc()],
        Sort.price_desc: [Product.price_amount.desc(), Product.id.desc()],
    }
    # A search looks no further than the first SEARCH_CAP + 1 matches in the listing's order (newest for
    # relevance), so its count is bounded ("1,000+") and its ranking cheap.
    first = [Product.status.asc(), *listed.get(sort, listed[Sort.newest])]
    scores = search_scores(session, query.q, within=conditions, cap=SEARCH_CAP, order=first) if query.q else None

    def narrowed(statement: sa.Select) -> sa.Select:
        statement = statement.where(*conditions)
        if scores is not None:
            return statement.join(scores, scores.c.product_id == Product.id)
        if query.q:
            # The query had no searchable words (only punctuation): nothing can match it.
            return statement.where(sa.false())
        return statement

    # The search's matches are already narrowed to the listing's conditions: count them as they are.
    counted = scores if scores is not None else narrowed(sa.select(Product.id)).subquery()
    total = session.scalar(sa.select(sa.func.count()).select_from(counted)) or 0
    more = scores is not None and total > SEARCH_CAP

    order = {
        **listed,
        Sort.relevance: [scores.c.score.desc(), Product.id.desc()] if scores is not None else [Product.id.desc()],
    }[sort]
    page = min(max(1, query.page), MAX_PAGE)
    statement = (
        narrowed(sa.select(Product))
        # Pieces that can still be bought come first ("active" sorts before "sold_out"), whatever the sort;
        # the listing indexes follow exactly this order, so no page needs a sort of the whole catalogue.
        .order_by(Product.status.asc(), *order)
        .offset((page - 1) * query.page_size)
        .limit(query.page_size)
        .options(*card_options())
    )
    items = list(session.scalars(statement).all())
    if page > 1 and not items:
        raise NotFound(N_("There is no page %(page)d here."), field="page", page=page)
    return ProductPage(
        items=items,
        total=min(total, SEARCH_CAP) if more else total,
        page=page,
        page_size=query.page_size,
        category=category,
        query=query,
        more=more,
    )


def _well_formed(slug: str) -> bool:
    # Addresses come straight from URLs; anything that cannot be a slug (NUL bytes included, which
    # PostgreSQL refuses outright) is simply not found.
    return len(slug) <= 120 and SLUG_RE.fullmatch(slug) is not None


def public_product(session: Session, slug: str) -> Product:
    if not _well_formed(slug):
        raise NotFound(N_("We could not find that piece. It may have been removed."), slug=slug)
    product = session.scalar(
        sa.select(Product).where(Product.slug == slug, Product.status.in_(PUBLIC_STATUSES)).options(*card_options())
    )
    if product is None:
        raise NotFound(N_("We could not find that piece. It may have been removed."), slug=slug)
    return product


def related_products(session: Session, product: Product, limit: int = 4) -> list[Product]:
    """Other pieces from the same category, available ones first, to keep a buyer browsing."""
    statement = (
        sa.select(Product)
        .where(
            Product.category_id == product.category_id,
            Product.id != product.id,
            Product.status == ProductStatus.active,
        )
        .order_by(Product.created_at.desc(), Product.id.desc())
        .limit(limit)
        .options(*card_options())
    )
    return list(session.scalars(statement).all())


def list_categories(session: Session) -> list[tuple[Category, int]]:
    """Categories in display order, each with how many published pieces it holds."""
    counts = (
        sa.select(Product.category_id, sa.func.count().label("n"))
        .where(Product.status.in_(PUBLIC_STATUSES))
        .group_by(Product.category_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Category, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.category_id == Category.id)
        .order_by(Category.position, Category.name_es)
    ).all()
    return [(category, count) for category, count in rows]


def public_weavers(session: Session) -> list[Weaver]:
    return list(
        session.scalars(
            sa.select(Weaver)
            .where(Weaver.consent_to_publish.is_(True))
            .order_by(Weaver.name)
            .options(selectinload(Weaver.photo))
        ).all()
    )


def public_weaver(session: Session, slug: str) -> Weaver:
    if not _well_formed(slug):
        raise NotFound(N_("We could not find that weaver."), slug=slug)
    weaver = session.scalar(
        sa.select(Weaver)
        .where(Weaver.slug == slug, Weaver.consent_to_publish.is_(True))
        .options(selectinload(Weaver.photo))
    )
    if weaver is None:
        raise NotFound(N_("We could not find that weaver."), slug=slug)
    return weaver


def products_by_weaver(session: Session, weaver: Weaver) -> list[Product]:
    """Her published pieces, those still for sale first."""
    products = session.scalars(
        sa.select(Product)
        .join(ProductWeaver, ProductWeaver.product_id == Product.id)
        .where(ProductWeaver.weaver_id == weaver.id, Product.status.in_(PUBLIC_STATUSES))
        .order_by(Product.status.asc(), Product.created_at.desc())
        .options(*card_options())
    ).all()
    return list(products)


def sitemap_entries(session: Session) -> tuple[list[tuple[str, object]], list[str]]:
    """(product slug, last change) pairs and consented weaver slugs for the sitemap."""
    products = session.execute(
        sa.select(Product.slug, Product.updated_at).where(Product.status.in_(PUBLIC_STATUSES)).order_by(Product.id)
    ).all()
    weavers = session.scalars(
        sa.select(Weaver.slug).where(Weaver.consent_to_publish.is_(True)).order_by(Weaver.id)
    ).all()
    return [(slug, updated) for slug, updated in products], list(weavers)


def category_showcase(session: Session) -> list[tuple[Category, int]]:
    """Each category that has pieces in the store, with their count. Its picture is the admin's choice
    (shop.storefront), never whichever piece is newest."""
    return [(category, count) for category, count in list_categories(session) if count]
