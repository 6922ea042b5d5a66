"""Buying, the cart: adding, changing and removing pieces, with what both other buying pages share (the store's
language, the cart cookie, the flash message). The checkout lives in ``checkout``, the order's page in
``order_page``. Plain forms only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from shop.api.http.deps import SessionDep
from shop.errors import N_, DomainError
from shop.i18n import translator
from shop.orders import cart as carts
from shop.orders import shipping
from shop.orders.schemas import countries
from shop.web.browser import SHIP_TO_COOKIE, chosen_country, request_cookies
from shop.web.flash import flash_message
from shop.web.store.cart_cookie import cart_token, set_cart_cookie, to_cart
from shop.web.store.language import ONE_YEAR, Lang, safe_next
from shop.web.templating import render

CountryCode = Annotated[str, Query(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]


router = APIRouter(prefix="/{lang:store_lang}", include_in_schema=False)


@router.get("/cart")
def cart_page(request: Request, lang: Lang, session: SessionDep, country: CountryCode | None = None):
    settings = request.app.state.settings
    view = carts.view(
        session, carts.find_cart(session, cart_token(request)), default_weight_g=settings.default_item_weight_g
    )
    country = shipping.likely_country(lang, country or chosen_country(request_cookies(request.scope)))
    quote, quote_error = None, None
    if view.items:
        try:
            quote = shipping.quote(session, country, view.weight_g)
        except DomainError as exc:
            quote_error = exc.translated(translator(lang).gettext)
    return render(
        request,
        "store/cart.html",
        {
            "view": view,
            "quote": quote,
            "quote_error": quote_error,
            "country": country,
            "countries": countries(lang),
            "noindex": True,
        },
    )


@router.get("/ship-to")
def ship_to(
    request: Request,
    lang: Lang,
    country: CountryCode,
    next: Annotated[str | None, Query(max_length=2000)] = None,
):
    """Remember the country the visitor wants shipping costs for, and go back to the page she came from (a plain
    form, so it works without JavaScript)."""
    response = RedirectResponse(safe_next(next or f"/{lang}/products"), status_code=303)
    return remember_country(request, response, country.upper())


def remember_country(request: Request, response, code: str):
    """The product pages and the checkout both start from the country she last chose."""
    response.set_cookie(
        SHIP_TO_COOKIE, code, max_age=ONE_YEAR, httponly=True, samesite="lax", secure=request.app.state.settings.https
    )
    return response


@router.post("/cart/add")
def addto_cart(
    request: Request,
    lang: Lang,
    session: SessionDep,
    product_id: Annotated[int, Form()],
    quantity: Annotated[int, Form(ge=1, le=50)] = 1,
):
    cart = carts.open_cart(session, cart_token(request))
    response = to_cart(request, lang, cart)
    try:
        line = carts.add(session, cart, product_id, quantity)
    except DomainError as exc:
        flash_message(request, response, exc.message, "error", **exc.params)
    else:
        flash_message(request, response, N_("Added to your cart."))
        set_cart_cookie(request, response, cart.token, sum(item.quantity for item in cart.lines))
        del line
    return response


@router.post("/cart/update")
def update_cart(
    request: Request,
    lang: Lang,
    session: SessionDep,
    product_id: Annotated[int, Form()],
    quantity: Annotated[int, Form(ge=0, le=50)],
):
    cart = carts.find_cart(session, cart_token(request))
    if cart is None:
        return to_cart(request, lang)
    response = to_cart(request, lang, cart)
    try:
        carts.set_quantity(session, cart, product_id, quantity)
    except DomainError as exc:
        flash_message(request, response, exc.message, "error", **exc.params)
    set_cart_cookie(request, response, cart.token, sum(line.quantity for line in cart.lines))
    return response


@router.post("/cart/remove")
def remove_from_cart(
    request: Request,
    lang: Lang,
    session: SessionDep,
    product_id: Annotated[int, Form()],
):
    cart = carts.find_cart(session, cart_token(request))
    if cart is None:
        return to_cart(request, lang)
    carts.remove(session, cart, product_id)
    response = to_cart(request, lang, cart)
    flash_message(request, response, N_("Removed from your cart."))
    return response
