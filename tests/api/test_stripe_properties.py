"""The money path's invariant over random interleavings, against the fake Stripe:

    for every order, what the shop has received and given back equals Stripe's charge and refunds,
    and the ledger's Stripe account holds, for that order, the charge less Stripe's fee and the refunds.

Hypothesis draws what buyers, Stripe's dashboard, the jobs and the treasurer do, and when Stripe's events reach
the shop: late, twice, out of order, or while the shop is itself calling Stripe; sometimes Stripe does what the
shop asked but its answer never arrives. Whatever the order, once every event has been delivered and the jobs
have run, the books must agree with Stripe.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from factories import STAFF, deliver, make_product, make_weaver, start_checkout
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.jobs import expire_unpaid, run_once
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.orders.models import Order
from shop.payments import states
from shop.payments.models import Payment, PaymentStatus

# What can happen, weighted so that most runs pay, deliver and refund (the interesting paths).
WEIGHTS = {
    "pay": 2,
    "pay_and_deliver": 3,
    "expire": 1,
    "jobs_cancel": 1,
    "deliver": 5,
    "deliver_twice": 1,
    "staff_refund": 2,
    "staff_refund_during": 2,
    "staff_refund_lost": 1,
    "dashboard_refund": 2,
    "give_back": 1,
    "reinstate": 1,
}
ANY_ID = re.compile(r"re_\w+|\d+")
ACTIONS = tuple(action for action, weight in WEIGHTS.items() for _ in range(weight))


class World:
    """The shop and Stripe, plus the events Stripe has sent that have not reached the shop yet."""

    def __init__(self, shop, fake, session, engine, data):
        self.shop, self.fake, self.session, self.engine, self.data = shop, fake, session, engine, data
        self.orders: list[tuple[str, str]] = []  # (order number, checkout session id)
        self.undelivered: list[dict] = []
        fake.on_event = self.undelivered.append
        shop.app.state.throttle.reset()  # each example is a new buyer: the limits on placing orders start afresh

    def draw(self, strategy):
        return self.data.draw(strategy)

    def open_orders(self, count: int) -> None:
        weaver = make_weaver(self.session, slug=f"w-{uuid.uuid4().hex[:8]}")
        for _ in range(count):
            slug = f"p-{uuid.uuid4().hex[:10]}"
            make_product(
                self.session,
                slug=slug,
                weavers=[(weaver, 10_000)],
                price_amount=self.draw(st.integers(20_000, 400_000)),
            )
            self.session.commit()
            body, session_id = start_checkout(self.shop, slug)
            self.orders.append((body["order"]["number"], session_id))

    def payment(self, number: str) -> Payment:
        self.session.rollback()
        self.session.expire_all()
        return self.session.scalar(
            select(Payment).join(Order, Order.id == Payment.order_id).where(Order.number == number)
        )

    def intent(self, session_id: str) -> str | None:
        return self.fake.sessions[session_id].get("payment_intent")

    def left_at_stripe(self, session_id: str) -> int:
        intent = self.intent(session_id)
        if intent is None or self.fake.payment_intents[intent]["status"] != "succeeded":
            return 0
        charge = self.fake.charges[self.fake.payment_intents[intent]["latest_charge"]]
        return charge["amount"] - charge["amount_refunded"]

    def deliver_one(self, *, again: bool = False) -> None:
        if not self.undelivered:
            return
        index = self.draw(st.integers(0, len(self.undelivered) - 1))
        stripe_event = self.undelivered[index] if again else self.undelivered.pop(index)
        response = deliver(self.shop, self.fake, stripe_event)
        assert response.status_code in (200, 503), response.text
        if response.status_code == 503:
            self.undelivered.append(stripe_event)  # Stripe delivers it again later
        outcome = ANY_ID.sub("…", response.json()["outcome"])
        event(f"{stripe_event['type']}: {outcome}")

    def act(self, action: str) -> None:
        number, session_id = self.draw(st.sampled_from(self.orders))
        stripe_session = self.fake.sessions[session_id]
        if action in ("pay", "pay_and_deliver") and stripe_session["status"] == "open":
            self.fake.complete_session(session_id, method="card")
            if action == "pay_and_deliver":  # the usual case: Stripe's event arrives at once
                stripe_event = self.undelivered.pop()
                assert deliver(self.shop, self.fake, stripe_event).status_code == 200
        elif action == "expire" and stripe_session["status"] == "open":
            self.fake.expire_session(session_id)
        elif action == "jobs_cancel":
            expire_unpaid(self.engine, utcnow() + timedelta(days=1))  # holds ran out: the jobs cancel unpaid orders
        elif action in ("deliver", "deliver_twice"):
            self.deliver_one(again=action == "deliver_twice")
        elif action.startswith("staff_refund"):
            self.staff_refund(number, session_id, action)
        elif action == "dashboard_refund" and self.left_at_stripe(session_id):
            amount = self.draw(st.integers(1, self.left_at_stripe(session_id)))
            self.fake.dashboard_refund(self.intent(session_id), amount)
        elif action == "give_back":
            self.shop.post(f"/api/v1/staff/orders/{number}/give-back", json={"via": "stripe"}, headers=STAFF)
        elif action == "reinstate":
            self.shop.post(f"/api/v1/staff/orders/{number}/reinstate", json={}, headers=STAFF)

    def staff_refund(self, number: str, session_id: str, action: str) -> None:
        if not self.left_at_stripe(session_id):
            return
        amount = self.draw(st.integers(1, self.left_at_stripe(session_id)))
        if action == "staff_refund_during":
            self.fake.on_event = lambda event: deliver(self.shop, self.fake, event)
        if action == "staff_refund_lost":
            self.fake.mode, self.fake.slow_seconds = "lost_answer", 3
        try:
            response = self.shop.post(
                f"/api/v1/staff/orders/{number}/refunds", json={"amount": amount, "via": "stripe"}, headers=STAFF
            )
        finally:
            self.fake.on_event, self.fake.mode = self.undelivered.append, "ok"
        # Refused (more than the shop thinks is left, or not paid in the shop's eyes) or accepted: never a 500.
        assert response.status_code in (201, 202, 409, 422, 502), response.text
        event(f"{action}: {response.status_code}")

    def settle(self) -> None:
        """Every event reaches the shop at last (in a random order), and the jobs look up pending refunds."""
        for _ in range(200):
            if not self.undelivered:
                break
            self.deliver_one()
        run_once(
            self.engine,
            self.shop.app.state.settings,
            now=utcnow() + timedelta(minutes=5),
            gateway=self.shop.app.state.gateway,
        )
        for _ in range(200):
            if not self.undelivered:
                break
            self.deliver_one()
        assert not self.undelivered, [e["type"] for e in self.undelivered]

    def check(self) -> None:
        for number, session_id in self.orders:
            payment = self.payment(number)
            intent = self.intent(session_id)
            charged = intent is not None and self.fake.payment_intents[intent]["status"] == "succeeded"
            stripe_received = self.fake.payment_intents[intent]["amount_received"] if charged else 0
            refunds = [r for r in self.fake.refunds_of(intent) if r["status"] != "failed"] if charged else []
            stripe_refunded = sum(r["amount"] for r in refunds)
            received = payment.amount if payment.status in states.RECEIVED else 0
            assert (received, payment.amount_refunded) == (stripe_received, stripe_refunded), number
            if payment.status is PaymentStatus.succeeded:
                order = self.session.scalar(select(Order).where(Order.id == payment.order_id))
                assert (order.amount_paid, order.amount_refunded) == (stripe_received, stripe_refunded), number
            fee = payment.fee if charged else 0
            held = self.session.scalar(
                select(func.coalesce(func.sum(Entry.amount), 0))
                .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
                .join(Account, Account.id == Entry.account_id)
                .where(LedgerTransaction.order_id == payment.order_id, Account.code == "stripe_clearing")
            )
            assert held == stripe_received - fee - stripe_refunded, number
            if charged:
                balance_fee = self.fake.balance_transactions[
                    self.fake.charges[self.fake.payment_intents[intent]["latest_charge"]]["balance_transaction"]
                ]["fee"]
                assert fee == balance_fee, number


@pytest.fixture
def world_parts(shop, fake_stripe, session, engine):
    yield shop, fake_stripe, session, engine
    fake_stripe.on_event, fake_stripe.mode = None, "ok"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_books_equal_stripe_after_any_interleaving(world_parts, data):
    shop, fake, session, engine = world_parts
    world = World(shop, fake, session, engine, data)
    world.open_orders(data.draw(st.integers(1, 3)))
    for action in data.draw(st.lists(st.sampled_from(ACTIONS), min_size=4, max_size=30)):
        world.act(action)
    world.settle()
    world.check()
    fake.on_event = None
