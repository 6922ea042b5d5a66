"""The buyer's pages: home, the listing with filters and search, a product, and the weavers."""

from __future__ import annotations

from typing import Annotated

from babel.lists import format_list
from fastapi import APIRouter, Depends, Query, Request

from shop.api.http.caching import cache_until, mark_public
from shop.api.http.deps import SessionDep, read_only
from shop.api.http.present import approximations, loc
from shop.api.http.revision_store import RevisionStore
from shop.api.http.shown_products import holds_now, listing_page
from shop.catalogue.availability import Availability, availability_of
from shop.catalogue.browse import (
    ProductQuery,
    Sort,
    available_for,
    category_showcase,
    list_categories,
    products_by_weaver,
    public_product,
    public_weaver,
    public_weavers,
    related_rows,
)
from shop.certification.service import claims_on
from shop.clock import utcnow
from shop.errors import DomainError
from shop.i18n import translator
from shop.marketplaces.rates import display_rates
from shop.orders import shipping
from shop.orders.schemas import countries
from shop.storefront.service import HERO, category_place, front_pictures
from shop.web.browser import chosen_country, request_cookies
from shop.web.store.cards import cards_for
from shop.web.store.language import Lang
from shop.web.store.product_parts import Shown, product_parts
from shop.web.store.seo import page_links
from shop.web.templating import render

router = APIRouter(prefix="/{lang:store_lang}", include_in_schema=False, dependencies=[Depends(mark_public)])
CategorySlug = Annotated[str | None, Query(max_length=80, pattern=r"^[a-z0-9-]*$")]
SearchText = Annotated[str | None, Query(max_length=200)]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]


def claims_of(session, products) -> dict:
    """The fair-trade claims of the products a page shows, today, in one batch (never one query per card)."""
    return claims_on(session, [product.id for product in products])


@router.get("/")
async def home(request: Request, lang: Lang):
    return await read_only(request, lambda session: _home(request, lang, session))


def _home(request: Request, lang: str, session):
    settings = request.app.state.settings
    kept: RevisionStore = request.app.state.revision_store
    # What the front page shows holds for the catalogue's revision (the admin's pictures are part of it); the
    # newest pieces' cards are kept too, and only what is held of them is asked for each time.
    categories = kept.remember(request, session, "categories", list_categories)
    pictures = kept.remember(request, session, "front pictures", front_pictures)
    weavers = kept.remember(request, session, "front weavers", lambda own: public_weavers(own)[:4])
    newest = listing_page(kept, request, session, ProductQuery(sort=Sort.newest, page_size=8), categories)
    ids, now = [pid for pid, _ in newest.items], utcnow()
    held = holds_now(kept, request, session, ids, now).held(ids, now)
    shown = [(pid, n - held.get(pid, 0)) for pid, n in newest.items]
    return render(
        request,
        "store/home.html",
        {
            "showcase": category_showcase(categories),
            "pictures": pictures,
            "hero_picture": pictures.get(HERO),
            # Lazy: the hero picture is the first screen's largest; the cards come below it.
            "cards": cards_for(request, session, lang, shown, eager=0),
            "weavers": weavers,
            "category_place": category_place,
            **page_links(settings.base_url, lang, "/"),
        },
    )


@router.get("/products")
async def listing(
    request: Request,
    lang: Lang,
    category: CategorySlug = None,
    q: SearchText = None,
    sort: Sort | None = None,
    page: PageNumber = 1,
):
    settings = request.app.state.settings
    query = ProductQuery(
        category=category or None,
        q=(q or "").strip() or None,
        sort=sort,
        page=page,
        page_size=settings.page_size,
    )
    return await read_only(request, lambda session: _listing(request, lang, session, query))


def _listing(request: Request, lang: str, session, query: ProductQuery):
    settings = request.app.state.settings
    kept: RevisionStore = request.app.state.revision_store
    categories = kept.remember(request, session, "categories", list_categories)
    result = listing_page(kept, request, session, query, categories)
    links = page_links(settings.base_url, lang, "/products", category=query.category, page=result.page)
    ids, now = [pid for pid, _ in result.items], utcnow()
    held = holds_now(kept, request, session, ids, now).held(ids, now)
    shown = [(pid, stock - held.get(pid, 0)) for pid, stock in result.items]
    return render(
        request,
        "store/listing.html",
        {
            "result": result,
            "cards": cards_for(request, session, lang, shown),
            "query": query,
            "sort": query.effective_sort,
            "sorts": list(Sort) if query.q else [s for s in Sort if s is not Sort.relevance],
            "categories": categories,
            # Search results are for the person searching, not for search engines.
            "noindex": bool(query.q),
            **links,
        },
    )


@router.get("/products/{slug}")
async def product_page(request: Request, lang: Lang, slug: str):
    return await read_only(request, lambda session: _product_page(request, lang, session, slug))


def _product_page(request: Request, lang: str, session, slug: str):
    settings = request.app.state.settings
    kept: RevisionStore = request.app.state.revision_store
    # The piece, its related pieces, its claims and the rates hold for the catalogue's revision and day; what is
    # held of them is asked for each time (a hold ends by the clock).
    product = kept.remember(request, session, ("product", slug), lambda own: public_product(own, slug))
    related = kept.remember(request, session, ("related", product.id), lambda own: related_rows(own, product))
    claims = kept.remember(request, session, ("claims", product.id), lambda own: claims_of(own, [product]))
    links = page_links(settings.base_url, lang, f"/products/{product.slug}")
    ids, now = [product.id, *(pid for pid, _ in related)], utcnow()
    holds = holds_now(kept, request, session, ids, now)
    held = holds.held(ids, now)
    units = product.stock_on_hand - held.get(product.id, 0)
    headers, held_until = {}, None
    if availability_of(product, units).state is Availability.on_hold:
        # The first hold to end gives the piece back; the cached page must not outlive that moment.
        held_until = holds.first_end(product.id, now)
        if held_until is not None:
            headers = cache_until(held_until)
    country = shipping.likely_country(lang, chosen_country(request_cookies(request.scope)))
    shown_rates = (settings.display_rates, settings.display_rates_date)

    def body() -> dict:
        rates = kept.remember(request, session, "rates", lambda own: display_rates(own, *shown_rates))
        weight_g = product.weight_g or settings.default_item_weight_g
        return {
            "approximate": approximations(translator(lang), product.price_amount, product.currency, rates),
            **shipping_choice(request, session, lang, country, weight_g, kept),
        }

    shown = Shown(lang, units, held_until, country)
    head, main = product_parts(request, product, shown, claims, links["canonical"], body)
    return render(
        request,
        "store/product.html",
        {
            "product": product,
            "head": head,
            "main": main,
            "related": cards_for(request, session, lang, [(pid, n - held.get(pid, 0)) for pid, n in related], eager=0),
            **links,
        },
        headers=headers,
    )


def shipping_choice(request: Request, session, lang: str, country: str, weight_g: int, kept: RevisionStore) -> dict:
    """The shipping cost and delivery time of a parcel to the visitor's likely country (the one she chose, kept
    in a cookie that also picks the page cache's copy, or else her language's), with the form to choose."""
    quote, refused = kept.remember(
        request, session, ("quote", country, weight_g), lambda own: _quote(own, country, weight_g)
    )
    quote_error = refused.translated(translator(lang).gettext) if refused else None
    return {
        "ship_country": country,
        "ship_country_name": dict(countries(lang)).get(country, country),
        "ship_quote": quote,
        "ship_quote_error": quote_error,
        "countries": countries(lang),
    }


def _quote(session, country: str, weight_g: int) -> tuple[shipping.ShippingQuote | None, DomainError | None]:
    try:
        return shipping.quote(session, country, weight_g), None
    except DomainError as exc:
        return None, exc


@router.get("/weavers")
def weavers_page(request: Request, lang: Lang, session: SessionDep):
    settings = request.app.state.settings
    return render(
        request,
        "store/weavers.html",
        {"weavers": public_weavers(session), **page_links(settings.base_url, lang, "/weavers")},
    )


@router.get("/weavers/{slug}")
def weaver_page(request: Request, lang: Lang, session: SessionDep, slug: str):
    settings = request.app.state.settings
    weaver = public_weaver(session, slug)
    products = products_by_weaver(session, weaver)
    return render(
        request,
        "store/weaver.html",
        {
            "weaver": weaver,
            "products": products,
            "available": available_for(session, products),
            "claims": claims_of(session, products),
            "bio": loc(weaver, "bio", lang),
            "languages": format_list(
                [translator(lang).language_name(code) for code in weaver.languages.split(",") if code],
                locale=translator(lang).locale,
            ),
            **page_links(settings.base_url, lang, f"/weavers/{weaver.slug}"),
        },
    )
