"""What an order's buyer is told by e-mail: the context every order e-mail shows, and queueing one. Kept apart
so the payments side and the order's states share one way of writing to the buyer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from shop.mail.outbox import enqueue
from shop.orders.models import Order
from shop.orders.schemas import BuyerDetails, countries


def tell_buyer(
    session: Session, order: Order, kind: str, base_url: str, *, key: str, extra: dict | None = None
) -> None:
    """Queue the order e-mail ``kind`` to its buyer, once per ``key``; an order taken without an address (a sale
    at the counter) tells nobody."""
    if order.email:
        enqueue(
            session,
            kind=kind,
            to=order.email,
            language=order.language,
            context=email_context(order, base_url) | (extra or {}),
            dedupe_key=key,
        )


def email_context(order: Order, base_url: str) -> dict:
    """What the order e-mails show, in plain JSON (amounts in centavos); see templates/email/."""
    country_name = dict(countries(order.language)).get(order.country, order.country)
    buyer = BuyerDetails.model_construct(
        name=order.name,
        address_line1=order.address_line1,
        address_line2=order.address_line2,
        city=order.city,
        region=order.region,
        postal_code=order.postal_code,
    )
    return {
        "order": {
            "number": order.number,
            "status_url": f"{base_url}/{order.language}/orders/{order.token}",
            "name": order.name,
            "currency": order.currency,
            "subtotal": order.subtotal,
            "shipping_amount": order.shipping_amount,
            "total": order.total,
            "amount_due_now": order.amount_due_now,
            "payment_method": order.payment_method.value,
            "country": order.country,
            "lines": [
                {
                    "title_es": line.title_es,
                    "title_en": line.title_en,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "line_total": line.line_total,
                    "amount_due_now": line.amount_due_now,
                    "kind": line.kind,
                    "lead_time_days": line.lead_time_days,
                }
                for line in order.lines
            ],
            "shipping_address": buyer.address_lines(country_name) if order.address_line1 else [],
        }
    }
