"""Public catalogue API: what the store shows, as JSON, for partners and other front ends."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response

from shop.api.contract import errors
from shop.api.http.caching import mark_public, public_headers
from shop.api.http.deps import SessionDep, read_only
from shop.api.http.revision_store import RevisionStore
from shop.api.http.shown_products import holds_now, listing_page, shown_products
from shop.api.v1 import present
from shop.catalogue.browse import (
    ProductQuery,
    Sort,
    available_for,
    list_categories,
    public_product,
    public_weaver,
    public_weavers,
)
from shop.catalogue.schemas import CategoryRead, ProductPageRead, ProductRead, WeaverRead
from shop.certification.service import claims_on
from shop.clock import utcnow
from shop.marketplaces.rates import display_rates

router = APIRouter(tags=["catalogue"], dependencies=[Depends(mark_public)])


@router.get("/products", response_model=ProductPageRead, responses=errors(404, 422))
async def list_products(
    request: Request,
    category: Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]+$", description="Category slug")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Full-text search, Spanish or English")] = None,
    sort: Sort | None = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 24,
) -> ProductPageRead:
    query = ProductQuery(category=category, q=(q or "").strip() or None, sort=sort, page=page, page_size=page_size)
    return await read_only(request, lambda session: _product_list(request, session, query))


def _product_list(request: Request, session, query: ProductQuery) -> Response:
    settings = request.app.state.settings
    kept: RevisionStore = request.app.state.revision_store
    categories = kept.remember(request, session, "categories", list_categories)
    result = listing_page(kept, request, session, query, categories)
    ids, now = [pid for pid, _ in result.items], utcnow()
    held = holds_now(kept, request, session, ids, now).held(ids, now)
    keys = [("api", pid, max(0, stock - held.get(pid, 0))) for pid, stock in result.items]
    rates = kept.remember(
        request, session, "rates", lambda own: display_rates(own, settings.display_rates, settings.display_rates_date)
    )

    def items(missing: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], bytes]:
        products, claims = shown_products(session, (pid for _, pid, _ in missing))
        return {
            key: present.product(products[key[1]], settings, key[2], claims[key[1]], rates).model_dump_json().encode()
            for key in missing
            if key[1] in products
        }

    def link(number: int) -> str:
        # Built from the configured address, never from the request's Host header: this answer is cached.
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(number))]
        return f"{settings.base_url}{request.url.path}?{urlencode(params)}"

    rest = {
        "total": result.total,
        "more": result.more,
        "page": result.page,
        "page_size": result.page_size,
        "pages": result.pages,
        "next": link(result.page + 1) if result.has_next else None,
        "previous": link(result.page - 1) if result.has_previous else None,
    }
    # Each item is kept serialized for the catalogue's revision (shop.api.http.revision_store); the page is their join,
    # in ProductPageRead's shape, so FastAPI does not validate and serialize them all again.
    body = b'{"items":[' + b",".join(kept.parts(request, keys, items)) + b"]," + json.dumps(rest).encode()[1:]
    return Response(body, media_type="application/json", headers=public_headers())


@router.get("/products/{slug}", response_model=ProductRead, responses=errors(404))
def get_product(request: Request, session: SessionDep, slug: str) -> ProductRead:
    product = public_product(session, slug)
    available = available_for(session, [product]).get(product.id)
    settings = request.app.state.settings
    rates = display_rates(session, settings.display_rates, settings.display_rates_date)
    return present.product(product, settings, available, claims_on(session, [product.id])[product.id], rates)


@router.get("/categories", response_model=list[CategoryRead])
def get_categories(request: Request, session: SessionDep) -> list[CategoryRead]:
    base = request.app.state.settings.base_url
    return [present.category(c, count, base) for c, count in list_categories(session)]


@router.get("/weavers", response_model=list[WeaverRead])
def get_weavers(request: Request, session: SessionDep) -> list[WeaverRead]:
    """Only weavers who gave their consent to be shown are listed."""
    base = request.app.state.settings.base_url
    return [present.weaver(w, base) for w in public_weavers(session)]


@router.get("/weavers/{slug}", response_model=WeaverRead, responses=errors(404))
def get_weaver(request: Request, session: SessionDep, slug: str) -> WeaverRead:
    return present.weaver(public_weaver(session, slug), request.app.state.settings.base_url)
