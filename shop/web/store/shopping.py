"""Buying, the cart: adding, changing and removing pieces, with what both other buying pages share (the store's
language, the cart cookie, the flash message). The checkout lives in ``checkout``, the order's page in
``order_page``. Plain forms only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse

from shop.errors import N_, DomainError
from shop.http.deps import SessionDep
from shop.i18n import translator
from shop.orders import cart as carts
from shop.orders import shipping
from shop.orders.schemas import BuyerDetails, countries
from shop.web.browser import CART_COOKIE, FLASH_COOKIE
from shop.web.templating import render

BUYER_FIELDS = list(BuyerDetails.model_fields)
CountryCode = Annotated[str, Query(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]


def store_language(request: Request, lang: str) -> str:
    request.state.lang = lang
    return lang


Lang = Annotated[str, Depends(store_language)]
router = APIRouter(prefix="/{lang:store_lang}", include_in_schema=False)


def _cart_token(request: Request) -> str | None:
    token, _ = request.app.state.signer.read_cart(request.cookies.get(CART_COOKIE))
    return token


def _set_cart_cookie(request: Request, response, token: str, count: int) -> None:
    response.set_cookie(
        CART_COOKIE,
        request.app.state.signer.write_cart(token, count),
        max_age=60 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )


def _cart_view(request: Request, session) -> carts.CartView:
    cart = carts.find_cart(session, _cart_token(request))
    return carts.view(session, cart, default_weight_g=request.app.state.settings.default_item_weight_g)


def flash_message(request: Request, response, message: str, kind: str = "ok", **params) -> None:
    response.set_cookie(
        FLASH_COOKIE,
        request.app.state.signer.write_flash(message, kind, **params),
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )


def _to_cart(request: Request, lang: str, cart=None) -> RedirectResponse:
    response = RedirectResponse(f"/{lang}/cart", status_code=303)
    if cart is not None:
        _set_cart_cookie(request, response, cart.token, sum(line.quantity for line in cart.lines))
    return response


@router.get("/cart")
def cart_page(request: Request, lang: Lang, session: SessionDep, country: CountryCode | None = None):
    settings = request.app.state.settings
    view = carts.view(
        session, carts.find_cart(session, _cart_token(request)), default_weight_g=settings.default_item_weight_g
    )
    country = (country or ("MX" if lang == "es" else "US")).upper()
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


@router.post("/cart/add")
def add_to_cart(
    request: Request,
    lang: Lang,
    session: SessionDep,
    product_id: Annotated[int, Form()],
    quantity: Annotated[int, Form(ge=1, le=50)] = 1,
):
    cart = carts.open_cart(session, _cart_token(request))
    response = _to_cart(request, lang, cart)
    try:
        line = carts.add(session, cart, product_id, quantity)
    except DomainError as exc:
        flash_message(request, response, exc.message, "error", **exc.params)
    else:
        flash_message(request, response, N_("Added to your cart."))
        _set_cart_cookie(request, response, cart.token, sum(item.quantity for item in cart.lines))
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
    cart = carts.find_cart(session, _cart_token(request))
    if cart is None:
        return _to_cart(request, lang)
    response = _to_cart(request, lang, cart)
    try:
        carts.set_quantity(session, cart, product_id, quantity)
    except DomainError as exc:
        flash_message(request, response, exc.message, "error", **exc.params)
    _set_cart_cookie(request, response, cart.token, sum(line.quantity for line in cart.lines))
    return response


@router.post("/cart/remove")
def remove_from_cart(
    request: Request,
    lang: Lang,
    session: SessionDep,
    product_id: Annotated[int, Form()],
):
    cart = carts.find_cart(session, _cart_token(request))
    if cart is None:
        return _to_cart(request, lang)
    carts.remove(session, cart, product_id)
    response = _to_cart(request, lang, cart)
    flash_message(request, response, N_("Removed from your cart."))
    return response
