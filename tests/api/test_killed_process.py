"""A shop process killed while it waits for Stripe's answer to a refund Stripe has already made.

The shop runs in a process of its own, on the same database and the same fake Stripe; it is killed (SIGKILL,
no cleanup) after Stripe made the refund and before its answer arrived. Whoever hears next books the refund
exactly once, as the shop's own, exactly as it was asked: Stripe's webhook, or the jobs that look it up.
"""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta

import httpx
import pytest
from factories import STAFF, deliver, fresh, make_product, make_weaver, paid_order
from live import free_port, spawn, stripe_shop_env
from sqlalchemy import select

from shop.catalogue.models import Product, ProductStatus
from shop.clock import utcnow
from shop.jobs import run_once
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Refund, RefundStatus

PRICE = 185_000


@pytest.fixture
def piece(session):
    maria = make_weaver(session, slug="maria", name="María")
    product = make_product(session, slug="huipil", weavers=[(maria, 10_000)], price_amount=PRICE, weight_g=600)
    session.commit()
    return product


def refund_in_a_process_killed_halfway(shop, fake, stripe_settings, number: str, line_id: int) -> None:
    port = free_port()
    env = stripe_shop_env(stripe_settings, fake, port)
    process = spawn("shop.main:create_app", port, env)
    fake.mode, fake.slow_seconds = "lost_answer", 60  # Stripe refunds at once, but answers only much later
    answers: list[object] = []

    def ask() -> None:
        try:
            answers.append(
                httpx.post(
                    f"http://127.0.0.1:{port}/api/v1/staff/orders/{number}/refunds",
                    json={
                        "amount": PRICE,
                        "via": "stripe",
                        "lines": {str(line_id): PRICE},
                        "restock": [{"line_id": line_id, "quantity": 1}],
                    },
                    headers=STAFF,
                    timeout=90,
                )
            )
        except httpx.HTTPError as exc:
            answers.append(exc)

    caller = threading.Thread(target=ask)
    caller.start()
    try:
        deadline = time.monotonic() + 30
        while not fake.refunds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.refunds, "Stripe never received the refund"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        caller.join(timeout=30)
        fake.mode = "ok"
    assert isinstance(answers[0], httpx.HTTPError)  # the staff member never got an answer


def the_refund_is_pending(session) -> Refund:
    fresh(session)
    refund = session.scalar(select(Refund))
    assert refund.status is RefundStatus.pending and refund.stripe_refund_id is None
    return refund


def assert_booked_once_as_asked(session, piece, number: str) -> None:
    fresh(session)
    refunds = session.scalars(select(Refund)).all()
    assert [(r.status, r.via, r.amount) for r in refunds] == [(RefundStatus.succeeded, "stripe", PRICE)]
    order = session.scalar(select(Order).where(Order.number == number))
    assert (order.status, order.amount_refunded) == (OrderStatus.partially_refunded, PRICE)
    assert (session.get(Product, piece.id).stock_on_hand, session.get(Product, piece.id).status) == (
        1,
        ProductStatus.active,
    )


@pytest.mark.parametrize("who_hears", ["the webhook", "the jobs"])
def test_a_refund_made_by_a_process_killed_halfway_is_booked_once(
    shop, fake_stripe, session, piece, stripe_settings, who_hears
):
    number = paid_order(shop, fake_stripe, "huipil")
    line_id = shop.get(f"/api/v1/orders/{session.scalar(select(Order.token))}").json()["lines"][0]["id"]
    refund_in_a_process_killed_halfway(shop, fake_stripe, stripe_settings, number, line_id)
    the_refund_is_pending(session)
    if who_hears == "the webhook":
        for event in [e for e in fake_stripe.events if e["type"] in ("refund.created", "charge.refunded")]:
            assert deliver(shop, fake_stripe, event).status_code == 200
            deliver(shop, fake_stripe, event)  # and again
    else:
        later = utcnow() + timedelta(minutes=5)
        summary = run_once(shop.app.state.engine, shop.app.state.settings, now=later, gateway=shop.app.state.gateway)
        assert summary["refunds_settled"] == 1
    assert_booked_once_as_asked(session, piece, number)
    assert len(fake_stripe.refunds) == 1
    # The rest of the order (its shipping) can still be given back.
    rest = shop.post(f"/api/v1/staff/orders/{number}/refunds", json={"amount": 19_000, "via": "stripe"}, headers=STAFF)
    assert rest.status_code == 201, rest.text
