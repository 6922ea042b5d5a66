"""The buyer's cart is found by a random token in a signed cookie (no account needed), which also carries the count
the page cache writes into the header."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from shop.orders import cart as carts
from shop.web.browser import CART_COOKIE


def cart_token(request: Request) -> str | None:
    token, _ = request.app.state.signer.read_cart(request.cookies.get(CART_COOKIE))
    return token


def set_cart_cookie(request: Request, response, token: str, count: int) -> None:
    response.set_cookie(
        CART_COOKIE,
        request.app.state.signer.write_cart(token, count),
        max_age=60 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )


def cart_view(request: Request, session) -> carts.CartView:
    cart = carts.find_cart(session, cart_token(request))
    return carts.view(session, cart, default_weight_g=request.app.state.settings.default_item_weight_g)


def to_cart(request: Request, lang: str, cart=None) -> RedirectResponse:
    response = RedirectResponse(f"/{lang}/cart", status_code=303)
    if cart is not None:
        set_cart_cookie(request, response, cart.token, sum(line.quantity for line in cart.lines))
    return response
