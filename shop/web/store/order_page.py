"""Buying, the order's own page: what the buyer sees after checkout, and the link that confirms her e-mail."""

from __future__ import annotations

from fastapi import APIRouter, Request

from shop.api.http.deps import SessionDep
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, NotFound
from shop.i18n import translator
from shop.orders.models import OrderStatus
from shop.orders.schemas import countries
from shop.orders.service import order_by_token
from shop.payments import offline_holds
from shop.payments.methods import HOME, transfer_details_for
from shop.payments.service import payment_of
from shop.web.store.language import Lang
from shop.web.templating import render

router = APIRouter(prefix="/{lang:store_lang}", include_in_schema=False)


@router.get("/orders/{token}")
def order_page(request: Request, lang: Lang, token: str, session: SessionDep):
    order = order_by_token(session, token)
    payment = payment_of(session, order)
    waiting = (
        order.status is OrderStatus.pending_payment
        and payment is not None
        and payment.stripe_session_id is not None
        and not payment.voucher_url
    )
    return render(
        request,
        "store/order.html",
        {
            "order": order,
            "payment": payment,
            "confirming": waiting,
            "country_name": dict(countries(lang)).get(order.country, order.country),
            "bank_transfer_details": transfer_details_for(
                session,
                order.country,
                national=request.app.state.settings.bank_transfer_details,
                gettext=translator(lang).gettext,
            ),
            "abroad": order.country != HOME,  # she pays by international transfer, never in person
            "unconfirmed": offline_holds.needs_confirmation(order),
            "link_sent": offline_holds.link_was_sent(order),
            "confirm_minutes": request.app.state.settings.reservation_minutes,
            "hold_hours": request.app.state.settings.offline_hold_hours,
            "noindex": True,
        },
        headers={"Referrer-Policy": "no-referrer"},
    )


@router.get("/orders/{token}/confirm/{key}")
def confirm_email(request: Request, lang: Lang, token: str, key: str):
    """The link in the e-mail: the buyer owns this address, so her pieces are held for the full offline time."""
    settings = request.app.state.settings
    with session_scope(request.app.state.engine) as session:
        order = order_by_token(session, token)
        if not offline_holds.key_matches(request.app.state.secret_key, order, key):
            raise NotFound(N_("This confirmation link is not valid. Open the link exactly as it came in your e-mail."))
        result = offline_holds.confirm_by_link(session, order, hold_hours=settings.offline_hold_hours, now=utcnow())
        number = order.number
    return render(
        request,
        "store/confirmed.html",
        {"result": result, "number": number, "token": token, "noindex": True},
        headers={"Referrer-Policy": "no-referrer"},
    )
