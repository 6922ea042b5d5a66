"""The money path against a fake Stripe, black-box: the shop's books equal Stripe's whatever the order of events.

Refunds are booked once whether Stripe's events arrive before, during or after the shop's own call, or with no
answer at all; money for an order cancelled meanwhile is booked as a payment to resolve (never lost, never
credited), then reinstated or given back once; malformed events are refused with a 400.
"""

from __future__ import annotations

import logging

import pytest
from factories import (
    STAFF,
    WEBHOOK,
    book_fees_now,
    deliver,
    fresh,
    make_product,
    make_weaver,
    paid_order,
    start_checkout,
)
from sqlalchemy import func, select

from shop.catalogue.models import Product, ProductStatus
from shop.ledger.balances import balance, weaver_balance
from shop.ledger.models import LedgerTransaction
from shop.mail.models import OutboxEmail
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus, StripeEvent
from shop.payments.receiving import ARRIVED_AFTER_CANCEL, ARRIVED_FOR_GONE_PIECE

PRICE, SHIPPING = 185_000, 19_000
TOTAL = PRICE + SHIPPING


@pytest.fixture
def maria(session):
    return make_weaver(session, slug="maria", name="María")


@pytest.fixture
def piece(session, maria):
    product = make_product(
        session, slug="huipil", weavers=[(maria, 10_000)], price_amount=PRICE, weight_g=600, title_es="Huipil"
    )
    session.commit()
    return product


def order_of(session, number: str) -> Order:
    fresh(session)
    return session.scalar(select(Order).where(Order.number == number))


def payment_of(session, number: str) -> Payment:
    fresh(session)
    return session.scalar(
        select(Payment).join(Order, Order.id == Payment.order_id).where(Order.number == number).order_by(Payment.id)
    )


def count(session, model, *where) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(model).where(*where))


def postings(session, kind: str) -> int:
    return count(session, LedgerTransaction, LedgerTransaction.kind == kind)


def stripe_charge(fake, intent_id: str) -> dict:
    return fake.charges[fake.payment_intents[intent_id]["latest_charge"]]


def assert_books_match_stripe(session, fake, number: str) -> None:
    """The invariant: what the shop says it received and gave back equals Stripe's charge and refunds."""
    payment = payment_of(session, number)
    order = order_of(session, number)
    charge = stripe_charge(fake, payment.stripe_payment_intent_id)
    received = charge["amount"] if charge["paid"] else 0
    refunded = sum(r["amount"] for r in fake.refunds_of(payment.stripe_payment_intent_id) if r["status"] != "failed")
    assert (payment.amount, payment.amount_refunded) == (received, refunded)
    if payment.status is PaymentStatus.succeeded:
        assert (order.amount_paid, order.amount_refunded) == (received, refunded)
    booked = count(session, Refund, Refund.payment_id == payment.id, Refund.status == RefundStatus.succeeded)
    assert booked == len([r for r in fake.refunds_of(payment.stripe_payment_intent_id) if r["status"] != "failed"])


def refund_via_api(shop, number: str, amount: int, **extra):
    return shop.post(
        f"/api/v1/staff/orders/{number}/refunds",
        json={"amount": amount, "via": "stripe", "reason": "Hilo suelto", **extra},
        headers=STAFF,
    )


# --- a refund is booked once, whenever Stripe's events arrive -------------------------------------------------


@pytest.mark.parametrize("when", ["during", "after", "without an answer"])
def test_a_staff_refund_is_booked_once_whenever_stripe_tells(shop, fake_stripe, session, piece, maria, when):
    number = paid_order(shop, fake_stripe, "huipil")
    line_id = shop.get(f"/api/v1/orders/{order_of(session, number).token}").json()["lines"][0]["id"]
    delivered = []
    if when == "during":
        # Stripe sends refund.created and charge.refunded before it answers the shop's request.
        fake_stripe.on_event = lambda event: delivered.append(deliver(shop, fake_stripe, event).json()["outcome"])
    if when == "without an answer":
        fake_stripe.mode, fake_stripe.slow_seconds = "lost_answer", 4  # refunded at Stripe; the shop times out
    response = refund_via_api(
        shop, number, PRICE, lines={str(line_id): PRICE}, restock=[{"line_id": line_id, "quantity": 1}]
    )
    fake_stripe.on_event, fake_stripe.mode = None, "ok"
    if when == "without an answer":
        assert (response.status_code, response.json()["error"]) == (202, "refund_being_sent")
        fresh(session)
        pending = session.scalar(select(Refund))
        assert pending.status is RefundStatus.pending
        # Nobody may refund that money again while Stripe has not told.
        assert refund_via_api(shop, number, SHIPPING + 1).status_code == 422
    else:
        assert response.status_code == 201, response.text
    if when == "during":
        assert delivered[0].startswith("booked 185000") and "ours" in delivered[0]
        assert delivered[1] == "refunds already booked"
    # Every event Stripe sent is delivered (again) now, after the call: nothing more is booked.
    for event in [e for e in fake_stripe.events if e["type"] in ("refund.created", "charge.refunded")]:
        deliver(shop, fake_stripe, event)
    assert count(session, Refund) == 1
    assert postings(session, "refund") == 1
    refund = session.scalar(select(Refund))
    assert (refund.status, refund.via, refund.amount) == (RefundStatus.succeeded, "stripe", PRICE)
    order = order_of(session, number)
    assert (order.amount_refunded, order.status) == (PRICE, OrderStatus.partially_refunded)
    # Booked as asked, whoever booked it: the huipil's line only (shipping kept), and the piece back in stock.
    assert weaver_balance(session, maria.id) == 0
    assert balance(session, "shipping_income") == SHIPPING
    assert (session.get(Product, piece.id).stock_on_hand, session.get(Product, piece.id).status) == (
        1,
        ProductStatus.active,
    )
    assert_books_match_stripe(session, fake_stripe, number)
    # The rest (the shipping) can still be given back.
    assert refund_via_api(shop, number, SHIPPING).status_code == 201
    assert_books_match_stripe(session, fake_stripe, number)


def test_a_refund_whose_process_died_is_booked_by_the_webhook_as_ours(shop, fake_stripe, session, piece, engine):
    """The process dies after Stripe refunded: Stripe's event completes the shop's own refund, not a second one,
    and the rest of the order stays refundable."""
    from shop.payments import refunds

    number = paid_order(shop, fake_stripe, "huipil")
    gateway = shop.app.state.gateway
    fake_stripe.mode, fake_stripe.slow_seconds = "lost_answer", 4
    with pytest.raises(refunds.RefundBeingSent):
        refunds.refund(engine, gateway, number=number, amount=50_000, via="stripe", actor="Rosa")
    fake_stripe.mode = "ok"
    charge_refunded = [e for e in fake_stripe.events if e["type"] == "charge.refunded"][-1]
    outcome = deliver(shop, fake_stripe, charge_refunded).json()["outcome"]
    assert outcome.startswith("booked 50000") and "ours" in outcome
    assert count(session, Refund) == 1 and count(session, Refund, Refund.via == "dashboard") == 0
    assert order_of(session, number).amount_refunded == 50_000
    assert refund_via_api(shop, number, TOTAL - 50_000).status_code == 201
    assert order_of(session, number).status is OrderStatus.refunded
    assert_books_match_stripe(session, fake_stripe, number)


def test_the_jobs_book_a_refund_stripe_never_told_about(shop, fake_stripe, session, piece, engine):
    from datetime import timedelta

    from shop.clock import utcnow
    from shop.jobs import run_once
    from shop.payments import refunds

    number = paid_order(shop, fake_stripe, "huipil")
    gateway = shop.app.state.gateway
    fake_stripe.mode, fake_stripe.slow_seconds = "lost_answer", 4
    with pytest.raises(refunds.RefundBeingSent):
        refunds.refund(engine, gateway, number=number, amount=50_000, via="stripe", actor="Rosa")
    fake_stripe.mode = "ok"
    settings = shop.app.state.settings
    assert run_once(engine, settings, gateway=gateway)["refunds_settled"] == 0  # too soon: Stripe may still answer
    later = utcnow() + timedelta(minutes=5)
    assert run_once(engine, settings, now=later, gateway=gateway)["refunds_settled"] == 1
    assert run_once(engine, settings, now=later, gateway=gateway)["refunds_settled"] == 0
    assert order_of(session, number).amount_refunded == 50_000
    assert len(fake_stripe.refunds_of(payment_of(session, number).stripe_payment_intent_id)) == 1
    assert_books_match_stripe(session, fake_stripe, number)


def test_the_jobs_ask_again_for_a_refund_stripe_never_made(shop, fake_stripe, session, piece, engine):
    from datetime import timedelta

    from shop.clock import utcnow
    from shop.payments import refunds

    number = paid_order(shop, fake_stripe, "huipil")
    fake_stripe.mode = "down"  # the request never reached Stripe
    with pytest.raises(refunds.RefundBeingSent):
        refunds.refund(engine, shop.app.state.gateway, number=number, amount=30_000, via="stripe", actor="Rosa")
    fake_stripe.mode = "ok"
    intent = payment_of(session, number).stripe_payment_intent_id
    assert fake_stripe.refunds_of(intent) == []
    later = utcnow() + timedelta(minutes=5)
    assert refunds.settle_pending_refunds(engine, shop.app.state.gateway, now=later) == 1
    assert [r["amount"] for r in fake_stripe.refunds_of(intent)] == [30_000]
    assert order_of(session, number).amount_refunded == 30_000
    assert_books_match_stripe(session, fake_stripe, number)


def test_a_refund_refused_by_stripe_moves_nothing(shop, fake_stripe, session, piece):
    number = paid_order(shop, fake_stripe, "huipil")
    fake_stripe.dashboard_refund(payment_of(session, number).stripe_payment_intent_id)  # not yet told to the shop
    refused = refund_via_api(shop, number, 10_000)
    assert refused.status_code == 502
    fresh(session)
    assert session.scalar(select(Refund.status)) is RefundStatus.failed
    assert order_of(session, number).amount_refunded == 0


def test_a_refund_that_fails_after_it_was_asked_books_nothing(shop, fake_stripe, session, piece):
    number = paid_order(shop, fake_stripe, "huipil")
    intent = payment_of(session, number).stripe_payment_intent_id
    created = fake_stripe.dashboard_refund(intent, 10_000)
    failed = fake_stripe.fail_refund(fake_stripe.refunds_of(intent)[0]["id"])
    assert deliver(shop, fake_stripe, failed).json()["outcome"].endswith("failed, nothing to book")
    # charge.refunded arrives late: the listed refund has failed, so nothing is booked.
    assert deliver(shop, fake_stripe, created).json()["outcome"] == "refunds already booked"
    assert count(session, Refund) == 0
    assert_books_match_stripe(session, fake_stripe, number)


# --- money for an order that cannot take it --------------------------------------------------------------------


def late_card_payment(shop, fake, session) -> tuple[str, str]:
    """Checkout expires (the order is cancelled), then the buyer's card payment completes anyway."""
    body, session_id = start_checkout(shop, "huipil")
    fake.sessions[session_id]["status"] = "open"
    expired = fake.expire_session(session_id)
    assert deliver(shop, fake, expired).json()["outcome"] == "cancelled (expired)"
    fake.sessions[session_id]["status"] = "open"  # Stripe's page was still open in her browser
    completed = fake.complete_session(session_id)
    assert deliver(shop, fake, completed).json()["outcome"] == "to resolve"
    assert book_fees_now(shop) == 1
    return body["order"]["number"], session_id


def test_paid_after_cancelled_is_booked_as_a_payment_to_resolve(shop, fake_stripe, session, piece, maria):
    number, _ = late_card_payment(shop, fake_stripe, session)
    fee = fake_stripe.fee_for("card", TOTAL)
    order, payment = order_of(session, number), payment_of(session, number)
    assert (order.status, order.attention) == (OrderStatus.cancelled, ARRIVED_AFTER_CANCEL)
    assert (payment.status, payment.amount, payment.fee, payment.method_detail) == (
        PaymentStatus.unallocated,
        TOTAL,
        fee,
        "card",
    )
    assert balance(session, "stripe_clearing") == TOTAL - fee  # the ledger holds what Stripe holds
    assert balance(session, "unallocated") == TOTAL
    assert balance(session, "processor_fees") == fee
    assert weaver_balance(session, maria.id) == 0 and balance(session, "fund") == 0  # nobody credited yet
    kinds = session.scalars(select(OutboxEmail.kind).where(OutboxEmail.to == "ana@example.org")).all()
    assert "payment_on_hold" in kinds and "payment_received" not in kinds
    page = shop.get(f"/es/orders/{order.token}").text
    assert "Recibimos tu pago" in page and "no se cobró nada" not in page.lower()
    assert_books_match_stripe(session, fake_stripe, number)


def test_a_payment_to_resolve_is_reinstated_when_its_piece_is_free(shop, fake_stripe, session, piece, maria):
    number, _ = late_card_payment(shop, fake_stripe, session)
    reinstated = shop.post(f"/api/v1/staff/orders/{number}/reinstate", json={}, headers=STAFF)
    assert reinstated.status_code == 200, reinstated.text
    assert (reinstated.json()["status"], reinstated.json()["payment"]["status"]) == ("paid", "succeeded")
    order = order_of(session, number)
    assert (order.amount_paid, order.attention) == (TOTAL, "")
    assert balance(session, "unallocated") == 0
    assert weaver_balance(session, maria.id) == 148_000 and balance(session, "fund") == 37_000
    assert balance(session, "processor_fees") == fake_stripe.fee_for("card", TOTAL)  # the fee, booked once
    assert session.get(Product, piece.id).status is ProductStatus.sold_out
    again = shop.post(f"/api/v1/staff/orders/{number}/reinstate", json={}, headers=STAFF)
    assert again.status_code == 404
    assert postings(session, "sale") == 1
    assert_books_match_stripe(session, fake_stripe, number)


@pytest.mark.parametrize("when", ["during", "after"])
def test_a_payment_to_resolve_is_given_back_once(shop, fake_stripe, session, piece, maria, when):
    number, _ = late_card_payment(shop, fake_stripe, session)
    if when == "during":
        fake_stripe.on_event = lambda event: deliver(shop, fake_stripe, event)
    given = shop.post(
        f"/api/v1/staff/orders/{number}/give-back", json={"via": "stripe", "reason": "Ya no estaba"}, headers=STAFF
    )
    fake_stripe.on_event = None
    assert given.status_code == 201, given.text
    assert given.json()["payment"]["status"] == "returned"
    for event in [e for e in fake_stripe.events if e["type"] in ("refund.created", "charge.refunded")]:
        deliver(shop, fake_stripe, event)  # (again) after the call
    fee = fake_stripe.fee_for("card", TOTAL)
    assert count(session, Refund) == 1 and postings(session, "return") == 1
    assert balance(session, "unallocated") == 0
    assert balance(session, "stripe_clearing") == -fee  # Stripe keeps its fee; the cooperative bears it
    assert order_of(session, number).attention == ""
    assert (
        shop.post(f"/api/v1/staff/orders/{number}/give-back", json={"via": "stripe"}, headers=STAFF).status_code == 409
    )
    assert_books_match_stripe(session, fake_stripe, number)


def test_a_dashboard_refund_of_a_payment_to_resolve_is_booked_not_refused(shop, fake_stripe, session, piece):
    number, _ = late_card_payment(shop, fake_stripe, session)
    intent = payment_of(session, number).stripe_payment_intent_id
    event = fake_stripe.dashboard_refund(intent)
    response = deliver(shop, fake_stripe, event)
    assert response.status_code == 200 and response.json()["outcome"].startswith(f"booked {TOTAL}")
    assert payment_of(session, number).status is PaymentStatus.returned
    assert balance(session, "unallocated") == 0
    assert_books_match_stripe(session, fake_stripe, number)


def test_a_payment_to_resolve_whose_piece_was_sold_takes_a_substitute(shop, fake_stripe, session, piece, maria):
    number, _ = late_card_payment(shop, fake_stripe, session)
    sold = shop.post("/api/v1/staff/sales", json={"lines": [{"slug": "huipil"}]}, headers=STAFF)
    assert sold.status_code == 201  # the piece went at the cooperative's shop meanwhile
    refused = shop.post(f"/api/v1/staff/orders/{number}/reinstate", json={}, headers=STAFF)
    assert (refused.status_code, refused.json()["error"]) == (409, "pieces_gone")
    petrona = make_weaver(session, slug="petrona", name="Petrona")
    make_product(session, slug="huipil-2", weavers=[(petrona, 10_000)], price_amount=200_000, title_es="Huipil azul")
    session.commit()
    line_id = shop.get(f"/api/v1/orders/{order_of(session, number).token}").json()["lines"][0]["id"]
    bad = shop.post(
        f"/api/v1/staff/orders/{number}/substitute", json={"line_id": line_id, "slug": "huipil"}, headers=STAFF
    )
    assert bad.status_code == 422  # the gone piece is not a substitute
    swapped = shop.post(
        f"/api/v1/staff/orders/{number}/substitute", json={"line_id": line_id, "slug": "huipil-2"}, headers=STAFF
    )
    assert swapped.status_code == 200, swapped.text
    assert swapped.json()["lines"][0]["product_slug"] == "huipil-2"
    assert swapped.json()["lines"][0]["line_total"] == PRICE  # she keeps the price she paid
    assert shop.post(f"/api/v1/staff/orders/{number}/reinstate", json={}, headers=STAFF).status_code == 200
    fresh(session)
    assert weaver_balance(session, petrona.id) == 148_000  # the weaver of the piece she gets is paid
    assert weaver_balance(session, maria.id) == 148_000  # from the sale at the shop, not twice
    assert_books_match_stripe(session, fake_stripe, number)


def test_an_oxxo_voucher_paid_after_its_piece_was_sold_is_a_payment_to_resolve(shop, fake_stripe, session, piece):
    from datetime import timedelta

    from shop.catalogue.stock import extend_reservations
    from shop.clock import utcnow

    body, session_id = start_checkout(shop, "huipil")
    deliver(shop, fake_stripe, fake_stripe.complete_session(session_id, method="oxxo"))
    order = order_of(session, body["order"]["number"])
    extend_reservations(session, order.id, utcnow() - timedelta(minutes=1))  # the hold ran out
    session.commit()
    assert shop.post("/api/v1/staff/sales", json={"lines": [{"slug": "huipil"}]}, headers=STAFF).status_code == 201
    assert deliver(shop, fake_stripe, fake_stripe.pay_voucher(session_id)).json()["outcome"] == "to resolve"
    order = order_of(session, body["order"]["number"])
    assert (order.status, order.attention) == (OrderStatus.cancelled, ARRIVED_FOR_GONE_PIECE)
    assert (
        "no longer available: Huipil"
        in session.scalars(select(OrderEvent.note).where(OrderEvent.order_id == order.id)).all()[-1]
    )
    assert payment_of(session, order.number).status is PaymentStatus.unallocated
    assert balance(session, "unallocated") == TOTAL
    assert_books_match_stripe(session, fake_stripe, order.number)


# --- an offline order whose piece is gone ----------------------------------------------------------------------


def test_a_transfer_for_a_gone_piece_is_refused_then_recorded_to_resolve(shop, fake_stripe, session, piece):
    from datetime import timedelta

    from shop.catalogue.stock import extend_reservations
    from shop.clock import utcnow

    body, _ = start_checkout(shop, "huipil", method="offline")
    number = body["order"]["number"]
    extend_reservations(session, order_of(session, number).id, utcnow() - timedelta(minutes=1))
    session.commit()
    assert shop.post("/api/v1/staff/sales", json={"lines": [{"slug": "huipil"}]}, headers=STAFF).status_code == 201
    refused = shop.post(f"/api/v1/staff/orders/{number}/confirm-payment", json={}, headers=STAFF)
    assert (refused.status_code, refused.json()["error"]) == (409, "pieces_gone")
    assert "Huipil" in refused.json()["detail"]
    assert payment_of(session, number).status is PaymentStatus.open
    kept = shop.post(f"/api/v1/staff/orders/{number}/money-to-resolve", json={"reference": "SPEI 77"}, headers=STAFF)
    assert kept.status_code == 200, kept.text
    assert (kept.json()["status"], kept.json()["payment"]["status"]) == ("cancelled", "unallocated")
    fresh(session)
    assert balance(session, "pending_offline") == TOTAL and balance(session, "unallocated") == TOTAL
    given = shop.post(f"/api/v1/staff/orders/{number}/give-back", json={"via": "cash"}, headers=STAFF)
    assert given.status_code == 201
    fresh(session)
    assert balance(session, "unallocated") == 0 and balance(session, "cash") == PRICE - TOTAL
    kinds = session.scalars(select(OutboxEmail.kind).where(OutboxEmail.to == "ana@example.org")).all()
    assert "payment_received" not in kinds


# --- malformed events -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        '{"type": "checkout.session.completed", "data": {"object": {"id": "cs_1"}}}',
        '{"id": 42, "type": "checkout.session.completed", "data": {"object": {"id": "cs_1"}}}',
        '{"id": "evt_1", "type": "", "data": {"object": {"id": "cs_1"}}}',
        '{"id": "evt_1", "type": "checkout.session.completed"}',
        '{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": "cs_1"}}',
        '{"id": "evt_1", "type": "charge.refunded", "data": {"object": {"amount": 1}}}',
        '["evt_1"]',
        "not json at all",
        '{"id": "' + "e" * 300 + '", "type": "x", "data": {"object": {}}}',
    ],
)
def test_a_signed_malformed_event_is_refused_with_400_and_logged(shop, fake_stripe, session, caplog, payload):
    from factories import WEBHOOK

    body, headers = fake_stripe.sign(payload)
    with caplog.at_level(logging.WARNING, logger="shop.api.v1.payments"):
        response = shop.post(WEBHOOK, content=body, headers={**headers, "Content-Type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (400, "malformed_event")
    assert any("cannot read" in record.getMessage() for record in caplog.records)
    assert count(session, StripeEvent) == 0


def test_stripe_fee_is_booked_from_the_balance_transaction_with_its_tax(shop, fake_stripe, session, piece):
    paid_order(shop, fake_stripe, "huipil")
    stripe_fee, tax = fake_stripe.fee_parts("card", TOTAL)
    assert tax > 0
    assert balance(session, "processor_fees") == stripe_fee + tax
    assert balance(session, "stripe_clearing") == TOTAL - stripe_fee - tax


def test_a_refund_event_before_its_payment_is_retried_not_lost(shop, fake_stripe, session, piece):
    body, session_id = start_checkout(shop, "huipil")
    completed = fake_stripe.complete_session(session_id)
    refund_events = fake_stripe.dashboard_refund(fake_stripe.sessions[session_id]["payment_intent"], 30_000)
    created = next(e for e in fake_stripe.events if e["type"] == "refund.created")
    early = deliver(shop, fake_stripe, created)
    assert early.status_code == 503  # Stripe delivers it again later
    assert deliver(shop, fake_stripe, refund_events).status_code == 503
    assert count(session, StripeEvent) == 0
    assert deliver(shop, fake_stripe, completed).json()["outcome"] == "paid"
    assert deliver(shop, fake_stripe, created).json()["outcome"].startswith("booked 30000")
    assert deliver(shop, fake_stripe, refund_events).json()["outcome"] == "refunds already booked"
    assert_books_match_stripe(session, fake_stripe, body["order"]["number"])


# --- the webhook's cost and the fees booked after it ------------------------------------------------------------


def test_a_completed_event_runs_at_most_fourteen_statements(shop, fake_stripe, session, piece, maria):
    """The webhook asks Stripe for nothing and writes in few statements (the benchmark measures the time): twelve,
    and the two that add the sale to the ledger's summaries by month and by order as it commits."""
    from sqlalchemy import event as sa_event

    other = make_product(
        session, slug="faja", weavers=[(maria, 10_000)], price_amount=35_000, kind="series", stock_on_hand=5
    )
    make_product(session, slug="rebozo", weavers=[(maria, 10_000)], price_amount=95_000)
    session.commit()
    paid_order(shop, fake_stripe, "rebozo")  # her first sale opens her ledger account, once
    counted: list[str] = []

    def count_statement(*args) -> None:
        counted.append(args[2])

    engine = shop.app.state.engine
    sa_event.listen(engine, "before_cursor_execute", count_statement)
    try:
        for slug in ("huipil", "faja"):  # a one-of-a-kind piece (it sells out) and one of a series
            _, session_id = start_checkout(shop, slug)
            payload, headers = fake_stripe.sign(fake_stripe.complete_session(session_id))
            requests_before = len(fake_stripe.requests)
            counted.clear()
            response = shop.post(WEBHOOK, content=payload, headers={**headers, "Content-Type": "application/json"})
            assert response.json()["outcome"] == "paid"
            assert 0 < len(counted) <= 14, counted
            assert len(fake_stripe.requests) == requests_before  # nothing asked of Stripe
    finally:
        sa_event.remove(engine, "before_cursor_execute", count_statement)
    fresh(session)
    assert (session.get(Product, piece.id).status, session.get(Product, other.id).stock_on_hand) == (
        ProductStatus.sold_out,
        4,
    )


def test_a_payment_whose_hold_ran_out_takes_the_free_piece_the_slow_way(shop, fake_stripe, session, piece, maria):
    from datetime import timedelta

    from shop.catalogue.models import ReservationStatus, StockReservation
    from shop.catalogue.stock import extend_reservations
    from shop.clock import utcnow

    body, session_id = start_checkout(shop, "huipil")
    extend_reservations(session, order_of(session, body["order"]["number"]).id, utcnow() - timedelta(minutes=1))
    session.commit()
    assert deliver(shop, fake_stripe, fake_stripe.complete_session(session_id)).json()["outcome"] == "paid"
    fresh(session)
    assert session.get(Product, piece.id).status is ProductStatus.sold_out
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.converted
    assert weaver_balance(session, maria.id) == 148_000


def test_a_fee_stripe_has_not_written_yet_is_booked_on_a_later_run(shop, fake_stripe, session, piece):
    body, session_id = start_checkout(shop, "huipil")
    deliver(shop, fake_stripe, fake_stripe.complete_session(session_id))
    intent = fake_stripe.sessions[session_id]["payment_intent"]
    charge = stripe_charge(fake_stripe, intent)
    written, charge["balance_transaction"] = charge["balance_transaction"], None
    assert book_fees_now(shop) == 0
    assert payment_of(session, body["order"]["number"]).fee is None
    charge["balance_transaction"] = written
    assert book_fees_now(shop) == 1
    assert book_fees_now(shop) == 0
    fee = fake_stripe.fee_for("card", TOTAL)
    assert payment_of(session, body["order"]["number"]).fee == fee
    assert balance(session, "processor_fees") == fee and postings(session, "fee") == 1
