"""A buyer who lost her order's link asks for it again by e-mail.

The answer never tells whether an address has orders: the page is the same either way, and the work is the
same as far as sensible (the same query, a row written to the outbox only when there is something to send).
How often one client address and one e-mail address may ask is limited, so the form cannot flood a stranger's
inbox.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.errors import N_, TooManyRequests
from shop.mail.outbox import clean_email, enqueue
from shop.orders.models import Channel, Order
from shop.throttle import Rule, Throttle

EMAIL_KIND = "order_links"
RECENT = 10  # the newest orders listed in the e-mail
PER_CLIENT = Rule("order-links-client", "5/10minutes; 20/day")
PER_EMAIL = Rule("order-links-email", "2/10minutes; 5/day")
TOO_MANY = N_("You have asked for your order links several times in a short while. Please wait %(minutes)s minutes.")


def send_order_links(
    session: Session, throttle: Throttle, *, email: str, lang: str, base_url: str, client: str
) -> None:
    """Queue one e-mail listing the address's recent online orders, if it has any; raise TooManyRequests (with
    nothing written) if this client or this address asked too often."""
    address = clean_email(email)
    verdict = throttle.hit_all([(PER_CLIENT, client or "unknown"), (PER_EMAIL, address.lower())])
    if not verdict:
        minutes = str(max(1, -(-verdict.retry_after // 60)))
        raise TooManyRequests(TOO_MANY, retry_after=verdict.retry_after, minutes=minutes)
    orders = session.scalars(
        sa.select(Order)
        .where(sa.func.lower(Order.email) == address.lower(), Order.channel == Channel.online)
        .order_by(Order.created_at.desc(), Order.id.desc())
        .limit(RECENT)
    ).all()
    if not orders:
        return
    enqueue(
        session,
        kind=EMAIL_KIND,
        to=address,
        language=lang,
        context={
            "orders": [
                {
                    "number": order.number,
                    "placed_on": order.created_at.isoformat(),
                    "total": order.total,
                    "currency": order.currency,
                    "status_url": f"{base_url}/{order.language}/orders/{order.token}",
                }
                for order in orders
            ]
        },
    )
