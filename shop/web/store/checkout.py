"""Buying, the checkout: the form, placing the order, and the return from Stripe (paid or not). Plain forms only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from shop.api.http.client import client_address
from shop.api.http.deps import SessionDep
from shop.catalogue.models import ProductKind
from shop.catalogue.stock import JustSold
from shop.db import session_scope
from shop.errors import N_, DomainError, TooManyRequests, ValidationFailed
from shop.i18n import translator
from shop.orders import cart as carts
from shop.orders import shipping
from shop.orders.models import PaymentMethod
from shop.orders.schemas import NOTES_MAX, BuyerDetails, OrderItem, countries
from shop.orders.service import order_by_token
from shop.payments import checkout as checkout_flow
from shop.payments.methods import check_method, methods_for, stripe_method_types
from shop.web.browser import chosen_country as remembered_country
from shop.web.errors import domain_error_items
from shop.web.flash import flash_message
from shop.web.store.cart_cookie import cart_token, cart_view, set_cart_cookie, to_cart
from shop.web.store.language import Lang
from shop.web.store.shopping import remember_country
from shop.web.templating import render

router = APIRouter(prefix="/{lang:store_lang}", include_in_schema=False)


# The form's fields in reading order: after a mistake, the first wrong one takes the focus.
FIELD_ORDER = ("country", "email", "name", "phone", "notes", "address_line1", "address_line2", "city", "region")
FIELD_ORDER += ("postal_code", "method", "form")


def first_wrong(errors: dict[str, str]) -> str | None:
    """The first field with a mistake, as the buyer reads the page (made-to-order notes come after her phone)."""

    def place(name: str) -> int:
        key = "notes" if name.startswith("notes-") else name
        return FIELD_ORDER.index(key) if key in FIELD_ORDER else len(FIELD_ORDER)

    return min(errors, key=place) if errors else None


def chosen_country(text: str | None) -> str | None:
    code = (text or "").strip().upper()
    return code if code in dict(countries("en")) else None


def _checkout_page(
    request: Request,
    session,
    lang: str,
    values: dict,
    errors: dict[str, str],
    status: int = 200,
    refusal: str | None = None,
):
    """The country step when no country is chosen yet; else the summary, then the form with the ways of paying
    that work for that country (or, when none does, a note saying so and no form)."""
    settings = request.app.state.settings
    view = carts.view(
        session, carts.find_cart(session, cart_token(request)), default_weight_g=settings.default_item_weight_g
    )
    country = values.get("country") or None
    quote = None
    if country and view.items:
        try:
            quote = shipping.quote(session, country, view.weight_g)
        except DomainError as exc:
            errors.setdefault("country", exc.translated(translator(lang).gettext))
            status = 422 if status == 200 else status
    step = country is None or "country" in errors
    offered = [] if step else methods_for(session, country, stripe=request.app.state.gateway is not None)
    if offered and values.get("method") not in offered:
        values["method"] = offered[0].value
    return render(
        request,
        "store/checkout.html",
        {
            "view": view,
            "quote": quote,
            "values": values,
            "errors": errors,
            "first_wrong": first_wrong(errors),
            "countries": countries(lang),
            "country": country,
            "country_name": dict(countries(lang)).get(country or "", ""),
            "step": step,
            "methods": [m.value for m in offered],
            "oxxo": "oxxo" in stripe_method_types(country or ""),
            "made": [item for item in view.items if item.product.kind is ProductKind.made_to_order],
            "notes_max": NOTES_MAX,
            "refusal": refusal,
            "noindex": True,
        },
        status_code=status,
    )


@router.get("/checkout")
def checkout_form(
    request: Request, lang: Lang, session: SessionDep, country: Annotated[str, Query(max_length=10)] = ""
):
    """Where do we send it? first: a plain GET form, so the page then offers only what works for that country."""
    view = cart_view(request, session)
    if not view.items or view.has_problems:
        return RedirectResponse(f"/{lang}/cart", status_code=303)
    code = chosen_country(country)
    if country and code is None:
        t = translator(lang)
        errors = {"country": t.gettext(N_("Choose a country from the list."))}
        return _checkout_page(request, session, lang, {"country": None}, errors, status=422)
    if not country:  # the country she chose on a product page, if any
        return _checkout_page(
            request, session, lang, {"country": chosen_country(remembered_country(request.cookies))}, {}
        )
    return remember_country(request, _checkout_page(request, session, lang, {"country": code}, {}), code)


FormText = Annotated[str, Form(max_length=1000)]
Notes = Annotated[list[str], Form(max_length=60)]  # at most 60 made-to-order lines, each checked below


def read_notes(made_ids: set[int], notes_for: list[str], notes: list[str], errors: dict[str, str], t) -> dict[int, str]:
    """Each made-to-order line's notes (size, colours), by product; a note for anything else is ignored."""
    found: dict[int, str] = {}
    for product_id, text in zip(notes_for, notes, strict=False):
        if not product_id.isdigit() or int(product_id) not in made_ids:
            continue
        text = text.strip()
        if len(text) > NOTES_MAX:
            errors.setdefault(f"notes-{product_id}", t.gettext(N_("Write at most %(max)d characters."), max=NOTES_MAX))
        found[int(product_id)] = text[:NOTES_MAX]
    return found


@router.post("/checkout")
def place_order(
    request: Request,
    lang: Lang,
    email: FormText = "",
    name: FormText = "",
    phone: FormText = "",
    address_line1: FormText = "",
    address_line2: FormText = "",
    city: FormText = "",
    region: FormText = "",
    postal_code: FormText = "",
    country: FormText = "MX",
    method: FormText = "stripe",
    notes_for: Notes = None,
    notes: Notes = None,
):
    """Place the order and send the buyer to pay. This handler opens its own short transactions (see
    shop.payments.checkout), so no lock is held while Stripe is called."""
    state = request.app.state
    engine, t = state.engine, translator(lang)
    values = {
        "email": email,
        "name": name,
        "phone": phone,
        "address_line1": address_line1,
        "address_line2": address_line2,
        "city": city,
        "region": region,
        "postal_code": postal_code,
        "country": country.strip().upper()[:2],
        "method": method,
    }
    errors: dict[str, str] = {}
    with session_scope(engine, writes=False) as session:
        cart = carts.find_cart(session, cart_token(request))
        view = carts.view(session, cart, default_weight_g=state.settings.default_item_weight_g)
        if not view.items or view.has_problems:
            return RedirectResponse(f"/{lang}/cart", status_code=303)
        made = {item.product.id for item in view.items if item.product.kind is ProductKind.made_to_order}
        written = read_notes(made, notes_for or [], notes or [], errors, t)
        items = [
            OrderItem(product_id=item.product.id, quantity=item.quantity, notes=written.get(item.product.id, ""))
            for item in view.items
        ]
        token = cart.token
        values |= {f"notes-{product_id}": text for product_id, text in written.items()}
        chosen = PaymentMethod.offline if method == "offline" else PaymentMethod.stripe
        if state.gateway is None:  # no Stripe here: the transfer is the only way, as shop.payments.checkout does
            chosen = PaymentMethod.offline
        if chosen_country(values["country"]) is None:
            values["country"] = None
            errors["country"] = t.gettext(N_("Choose a country from the list."))
        else:
            try:
                check_method(session, values["country"], chosen, stripe=state.gateway is not None)
            except ValidationFailed as exc:
                errors["method"] = exc.translated(t.gettext)
    buyer = None
    try:
        buyer = BuyerDetails(**{k: v or "" for k, v in values.items() if k in BuyerDetails.model_fields})
    except Exception as exc:  # pydantic ValidationError: lengths
        from shop.validation import describe

        for error in getattr(exc, "errors", list)():
            item = describe(error, t)
            errors.setdefault(item["field"] or "form", item["message"])
    if buyer is not None:
        for problem in buyer.problems():
            errors.setdefault(problem.field or "form", problem.translated(t.gettext))
    if errors:
        with session_scope(engine, writes=False) as session:
            return _checkout_page(request, session, lang, values, errors, status=422)
    try:
        result = checkout_flow.place(
            engine,
            state.settings,
            state.gateway,
            items=items,
            buyer=buyer,
            language=lang,
            method=chosen,
            throttle=state.throttle,
            client=client_address(request),
        )
    except TooManyRequests as exc:  # nothing was written; the form stays filled in
        with session_scope(engine, writes=False) as session:
            page = _checkout_page(request, session, lang, values, {}, status=429, refusal=exc.translated(t.gettext))
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except JustSold as exc:
        with session_scope(engine) as session:
            cart = carts.find_cart(session, token)
            gone = {item.product.id for item in carts.view(session, cart).items if not item.availability.buyable}
            for product_id in gone:
                carts.remove(session, cart, product_id)
            count = sum(line.quantity for line in cart.lines)
        response = to_cart(request, lang)
        set_cart_cookie(request, response, token, count)
        flash_message(request, response, exc.message, "error", **exc.params)
        return response
    except ValidationFailed as exc:
        for item in domain_error_items(exc, t):
            errors.setdefault(item["field"] or "form", item["message"])
        with session_scope(engine, writes=False) as session:
            return _checkout_page(request, session, lang, values, errors, status=422)
    except DomainError as exc:  # Stripe down or refusing: nothing charged, stock released
        response = to_cart(request, lang)
        flash_message(request, response, exc.message, "error", **exc.params)
        return response
    if result.payment_url:
        return RedirectResponse(result.payment_url, status_code=303)
    with session_scope(engine) as session:
        cart = carts.find_cart(session, token)
        if cart is not None:
            carts.clear(session, cart)
    response = RedirectResponse(f"/{lang}/orders/{result.token}", status_code=303)
    set_cart_cookie(request, response, token, 0)
    return response


@router.get("/checkout/return/{token}")
def checkout_return(request: Request, lang: Lang, token: str):
    """Back from Stripe: empty the cart that became the order, and show the order's true state."""
    with session_scope(request.app.state.engine) as session:
        order = order_by_token(session, token)
        cart = carts.find_cart(session, cart_token(request))
        if cart is not None:
            carts.clear(session, cart)
    response = RedirectResponse(f"/{lang}/orders/{order.token}", status_code=303)
    if cart is not None:
        set_cart_cookie(request, response, cart.token, 0)
    return response


@router.get("/checkout/cancel/{token}")
def checkout_cancel(request: Request, lang: Lang, token: str):
    """Back from Stripe without paying: the pieces go back to the shop and the buyer to her cart."""
    checkout_flow.abandon(request.app.state.engine, request.app.state.gateway, token)
    response = RedirectResponse(f"/{lang}/cart", status_code=303)
    flash_message(
        request, response, N_("You left the payment page, so nothing was charged. Your pieces are still in your cart.")
    )
    return response
