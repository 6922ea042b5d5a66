"""Background work: free expired holds, cancel orders not paid in time, settle Stripe refunds nobody heard back
about, book Stripe's fees, tell those who asked that card payment works (when Stripe is set up), send the mail
outbox.

Every step is safe to run from several workers at once: holds are released by one conditional UPDATE,
each order is cancelled under its row lock after re-checking its state, and mail rows are claimed one
by one. Run it with ``shop jobs run`` (from cron, or ``--every 60`` as a process), or inside the web
process by setting SHOP_JOBS_INTERVAL_SECONDS.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shop.catalogue.stock import release_expired
from shop.clock import utcnow
from shop.config import Settings
from shop.db import session_scope
from shop.mail.sender import send_due
from shop.notices.service import tell_card_payment_works
from shop.orders import service as orders
from shop.orders.models import OrderStatus
from shop.payments import receipt_window, states
from shop.payments.fees import book_fees
from shop.payments.models import PaymentStatus
from shop.payments.refunds import settle_pending_refunds
from shop.payments.service import payment_of
from shop.web.email import render as render_email

log = logging.getLogger(__name__)
# An order is cancelled this long after its hold ran out, so a late webhook can still pay it first.
UNPAID_GRACE = timedelta(minutes=5)


def expire_unpaid(engine, now: datetime) -> int:
    with session_scope(engine, writes=False) as session:
        candidates = orders.unpaid_past_hold(session, now, UNPAID_GRACE)
    cancelled = 0
    for order_id in candidates:
        with session_scope(engine) as session:
            order = orders.lock_order(session, order_id)
            if order.status is not OrderStatus.pending_payment or order.reserved_until >= now - UNPAID_GRACE:
                continue  # paid or cancelled by someone else meanwhile, or its hold was extended
            payment = payment_of(session, order, lock=True)
            if payment is not None and payment.status is PaymentStatus.open:
                states.move(payment, PaymentStatus.expired)
            orders.cancel(
                session, order, actor="system", note="Not paid in time; the pieces are back in the shop", now=now
            )
            cancelled += 1
    return cancelled


def run_once(engine, settings: Settings, *, now: datetime | None = None, gateway=None) -> dict[str, int]:
    """One pass of every job. ``gateway``: the Stripe gateway, if Stripe is set up (for pending refunds)."""
    now = now or utcnow()
    with session_scope(engine) as session:
        released = release_expired(session, now)
    cancelled = expire_unpaid(engine, now)
    receipts = receipt_window.apply_due(engine, now=now, base_url=settings.base_url)
    refunds = settle_pending_refunds(engine, gateway, now=now)
    fees = book_fees(engine, gateway)
    card_notices = 0
    if gateway is not None:  # card payment works: whoever asked to be told is told, once
        with session_scope(engine) as session:
            card_notices = tell_card_payment_works(session, base_url=settings.base_url, now=now)
    mail = send_due(engine, settings, render=render_email, now=now)
    summary = {
        "holds_released": released,
        "orders_cancelled": cancelled,
        "payments_taking_effect": receipts,
        "refunds_settled": refunds,
        "fees_booked": fees,
        "card_notices": card_notices,
        **{f"mail_{k}": v for k, v in mail.items()},
    }
    if released or cancelled or receipts or refunds or fees or card_notices or any(mail.values()):
        log.info("jobs: %s", summary)
    return summary
