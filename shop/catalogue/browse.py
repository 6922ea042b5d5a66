"""What buyers can see: published products, categories and the weavers who consented to be shown."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

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
from shop.catalogue.search import Order, page_terms, planned_for_its_words, search_page, search_scores
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
    items: list  # Product objects, or (id, stock on hand) pairs from public_product_rows
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


def _category(session: Session, slug: str | None, categories: list[Category] | None) -> Category | None:
    if not slug:
        return None
    if categories is not None:
        found = next((c for c in categories if c.slug == slug), None)
    else:
        found = session.scalar(sa.select(Category).where(Category.slug == slug))
    if found is None:
        raise NotFound(N_("There is no category “%(slug)s”."), field="category", slug=slug)
    return found


# Each sort as (column, descending) pairs, for statements built once (``search_page``) ...
SORTED_BY: dict[Sort, Order] = {
    Sort.newest: (("created_at", True), ("id", True)),
    Sort.price_asc: (("price_amount", False), ("id", False)),
    Sort.price_desc: (("price_amount", True), ("id", True)),
    Sort.relevance: (("score", True), ("id", True)),
}
# ... and as columns of products.
ORDER = {
    sort: tuple(
        getattr(Product, name).desc() if descending else getattr(Product, name).asc() for name, descending in by
    )
    for sort, by in SORTED_BY.items()
    if sort is not Sort.relevance
} | {Sort.relevance: (Product.id.desc(),)}  # without words to rank by, the newest ids


@cache
def _rows_statement(by_category: bool, sort: Sort) -> sa.Select:
    """A listing page without search words, built once: SQLAlchemy then reuses its compiled form and cache key
    for every page instead of building them per request."""
    statement = sa.select(Product.id, Product.stock_on_hand).where(Product.status.in_(PUBLIC_STATUSES))
    if by_category:
        statement = statement.where(Product.category_id == sa.bindparam("category_id"))
    return (
        statement.order_by(Product.status.asc(), *ORDER[sort])
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )


def _listing(session: Session, query: ProductQuery, category: Category | None, columns) -> tuple[sa.Select, bool]:
    """The page's statement over ``columns``, and whether it searches (then its total must be counted)."""
    conditions = [Product.status.in_(PUBLIC_STATUSES)]
    if category is not None:
        conditions.append(Product.category_id == category.id)
    statement = sa.select(*columns).where(*conditions)
    sort = query.effective_sort
    # A search looks no further than its first SEARCH_CAP + 1 matches in the listing's order (newest for
    # relevance), so its count is bounded ("200+") and its ranking cheap.
    first = (Product.status.asc(), *ORDER[Sort.newest if sort is Sort.relevance else sort])
    scores = search_scores(session, query.q, within=conditions, cap=SEARCH_CAP, order=first) if query.q else None
    if scores is not None:
        statement = statement.join(scores, scores.c.product_id == Product.id)
    elif query.q:
        # The query had no searchable words (only punctuation): nothing can match it.
        statement = statement.where(sa.false())
    order = (scores.c.score.desc(), Product.id.desc()) if scores is not None and sort is Sort.relevance else ORDER[sort]
    # Pieces that can still be bought come first ("active" sorts before "sold_out"), whatever the sort;
    # the listing indexes follow exactly this order, so no page needs a sort of the whole catalogue.
    return statement.order_by(Product.status.asc(), *order), bool(query.q)


def _paged(statement: sa.Select, query: ProductQuery) -> tuple[sa.Select, int]:
    page = min(max(1, query.page), MAX_PAGE)
    return statement.offset((page - 1) * query.page_size).limit(query.page_size), page


def _count(session: Session, statement: sa.Select) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0


def _bounded(total: int, query: ProductQuery) -> dict:
    """A search's total, which stops at SEARCH_CAP, and whether it found more."""
    more = bool(query.q) and total > SEARCH_CAP
    return {"total": min(total, SEARCH_CAP) if more else total, "more": more}


def list_public_products(session: Session, query: ProductQuery) -> ProductPage:
    category = _category(session, query.category, None)
    statement, _ = _listing(session, query, category, [Product])
    total = _count(session, _listing(session, query, category, [Product.id])[0])
    paged, page = _paged(statement.options(*card_options()), query)
    items = list(session.scalars(paged).all())
    if page > 1 and not items:
        raise NotFound(N_("There is no page %(page)d here."), field="page", page=page)
    return ProductPage(
        items=items, page=page, page_size=query.page_size, category=category, query=query, **_bounded(total, query)
    )


def public_product_rows(session: Session, query: ProductQuery, categories: list[tuple[Category, int]]) -> ProductPage:
    """The listing as (product id, stock on hand) pairs: one query for a category or the whole shop, whose
    total comes from ``categories`` (``list_categories``, which callers keep for a catalogue revision); a
    search counts its matches too. The pieces' cards are drawn from elsewhere."""
    category = _category(session, query.category, [c for c, _ in categories])
    page = min(max(1, query.page), MAX_PAGE)
    if query.q:
        rows = _search_rows(session, query, category, page)
        total = rows[0].total if rows else 0
    else:
        total = sum(count for c, count in categories if category is None or c.id == category.id)
        params = {"limit": query.page_size, "offset": (page - 1) * query.page_size}
        if category is not None:
            params["category_id"] = category.id
        rows = session.connection().execute(_rows_statement(category is not None, query.effective_sort), params)
    items = [(row.id, row.stock_on_hand) for row in rows]
    if page > 1 and not items:
        raise NotFound(N_("There is no page %(page)d here."), field="page", page=page)
    return ProductPage(
        items=items, page=page, page_size=query.page_size, category=category, query=query, **_bounded(total, query)
    )


def _search_rows(session: Session, query: ProductQuery, category: Category | None, page: int) -> list:
    """A search's page, its count riding along (a window over every match, taken before the page is cut), so
    the matches are found and ranked once; no statement at all when no word of it can match."""
    terms = page_terms(session, query.q)
    if terms is None:
        return []
    sort = query.effective_sort
    first = SORTED_BY[Sort.newest if sort is Sort.relevance else sort]
    dialect = session.get_bind().dialect.name
    statement = search_page(dialect, category is not None, first, SORTED_BY[sort])
    params = {
        **terms,
        "statuses": list(PUBLIC_STATUSES),
        "cap": SEARCH_CAP + 1,
        "limit": query.page_size,
        "offset": (page - 1) * query.page_size,
    }
    if category is not None:
        params["category_id"] = category.id
    if dialect == "postgresql":
        planned_for_its_words(session)
    return session.connection().execute(statement, params).all()


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


_RELATED = (
    sa.select(Product.id, Product.stock_on_hand)
    .where(
        Product.category_id == sa.bindparam("category_id"),
        Product.id != sa.bindparam("product_id"),
        Product.status == ProductStatus.active,
    )
    .order_by(Product.created_at.desc(), Product.id.desc())
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def related_rows(session: Session, product: Product, limit: int = 4) -> list[tuple[int, int]]:
    """``related_products`` as (id, stock on hand) pairs, for pages that draw their cards from a cache."""
    params = {"category_id": product.category_id, "product_id": product.id, "limit": limit}
    return [(row.id, row.stock_on_hand) for row in session.connection().execute(_RELATED, params)]


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


def category_showcase(categories: list[tuple[Category, int]]) -> list[tuple[Category, int]]:
    """Each category that has pieces in the store, with their count, of ``list_categories``. Its picture is
    the admin's choice (shop.storefront), never whichever piece is newest."""
    return [(category, count) for category, count in categories if count]
