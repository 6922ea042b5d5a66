"""'Payment received' waits out its undo window before anything is booked: undone inside it, nothing happened;
after it the jobs pay the order and only then tell the buyer; the hold outlasts the window; two job runners apply
it once; an order cancelled meanwhile keeps the money to resolve."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import fresh, make_product, place

from shop.clock import utcnow
from shop.errors import InvalidState
from shop.jobs import expire_unpaid, run_once
from shop.ledger.models import Entry
from shop.mail.models import OutboxEmail
from shop.orders import service as orders
from shop.orders.models import Order, OrderStatus
from shop.payments import receipt_window
from shop.payments.models import Payment, PaymentStatus, WaitingReceipt
from shop.payments.service import open_payment

BASE = "http://shop.example"


@pytest.fixture
def waiting_order(session):
    order = place(session, [(make_product(session), 1)], minutes=3)
    open_payment(session, order, now=utcnow())
    session.commit()
    return order


def _record(session, order, now):
    locked = orders.lock_order(session, order.id)
    receipt = receipt_window.record_receipt(session, locked, actor="Tere", reference="SPEI 9", now=now)
    session.commit()
    return receipt


def _told(session, order) -> list[str]:
    return list(session.scalars(sa.select(OutboxEmail.kind).where(OutboxEmail.kind == "payment_received")))


def _entries(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Entry))


def test_nothing_is_booked_or_told_until_the_window_has_passed(engine, session, waiting_order):
    now = utcnow()
    receipt = _record(session, waiting_order, now)
    assert receipt.takes_effect_at == now + receipt_window.UNDO_WINDOW
    assert (_entries(session), _told(session, waiting_order)) == (0, [])
    assert receipt_window.apply_due(engine, now=now + timedelta(minutes=4), base_url=BASE) == 0
    fresh(session)
    assert session.get(Order, waiting_order.id).status is OrderStatus.pending_payment and _entries(session) == 0

    assert receipt_window.apply_due(engine, now=now + timedelta(minutes=5), base_url=BASE) == 1
    fresh(session)
    assert session.get(Order, waiting_order.id).status is OrderStatus.paid
    payment = session.scalar(sa.select(Payment).where(Payment.order_id == waiting_order.id))
    assert (payment.status, payment.reference, payment.confirmed_by) == (PaymentStatus.succeeded, "SPEI 9", "Tere")
    assert _entries(session) > 0 and _told(session, waiting_order) == ["payment_received"]
    assert session.scalar(sa.select(WaitingReceipt)) is None
    assert receipt_window.apply_due(engine, now=now + timedelta(minutes=9), base_url=BASE) == 0


def test_undone_inside_the_window_nothing_happened_and_after_it_undo_is_refused(engine, session, waiting_order):
    now = utcnow()
    _record(session, waiting_order, now)
    with pytest.raises(InvalidState):  # recorded twice: one receipt
        _record(session, waiting_order, now)
    session.rollback()
    order = orders.lock_order(session, waiting_order.id)
    receipt_window.undo_receipt(session, order, actor="Tere", now=now + timedelta(minutes=4))
    session.commit()
    with pytest.raises(InvalidState):  # a second undo
        receipt_window.undo_receipt(session, orders.lock_order(session, order.id), actor="Tere", now=now)
    session.rollback()
    assert receipt_window.apply_due(engine, now=now + timedelta(minutes=10), base_url=BASE) == 0
    fresh(session)
    assert session.get(Order, order.id).status is OrderStatus.pending_payment
    assert (_entries(session), _told(session, order)) == (0, [])

    _record(session, waiting_order, now)
    with pytest.raises(InvalidState):  # the window has passed
        receipt_window.undo_receipt(
            session, orders.lock_order(session, order.id), actor="Tere", now=now + timedelta(minutes=5)
        )


def test_the_hold_outlasts_the_window_so_the_unpaid_job_leaves_the_order_alone(engine, session, waiting_order):
    now = utcnow()
    _record(session, waiting_order, now)
    fresh(session)
    kept = session.get(Order, waiting_order.id).reserved_until
    assert kept >= now + receipt_window.UNDO_WINDOW + receipt_window.HOLD_MARGIN
    late = now + timedelta(minutes=4)  # the buyer's 3-minute hold alone would have run out
    assert expire_unpaid(engine, late) == 0
    assert run_once(engine, _settings(engine), now=now + timedelta(minutes=6))["payments_taking_effect"] == 1
    fresh(session)
    assert session.get(Order, waiting_order.id).status is OrderStatus.paid


def _settings(engine):
    from shop.config import Settings

    return Settings(database_url=str(engine.url), base_url=BASE)


def test_two_job_runners_apply_a_receipt_once(engine, session, waiting_order):
    now = utcnow()
    _record(session, waiting_order, now)
    results: list[int] = []
    later = now + timedelta(minutes=6)
    runners = [
        threading.Thread(target=lambda: results.append(receipt_window.apply_due(engine, now=later, base_url=BASE)))
        for _ in range(3)
    ]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert sum(results) == 1
    assert _told(session, waiting_order) == ["payment_received"]


def test_an_order_cancelled_meanwhile_keeps_the_money_to_resolve(engine, session, waiting_order):
    now = utcnow()
    _record(session, waiting_order, now)
    order = orders.lock_order(session, waiting_order.id)
    orders.cancel(session, order, actor="Rosa", note="by mistake", now=now)
    session.commit()
    assert receipt_window.apply_due(engine, now=now + timedelta(minutes=6), base_url=BASE) == 1
    fresh(session)
    payment = session.scalar(sa.select(Payment).where(Payment.order_id == waiting_order.id))
    assert payment.status is not PaymentStatus.open and payment.reference == "SPEI 9"
    assert session.scalar(sa.select(WaitingReceipt)) is None
