"""When will she be paid: what is ready, what waits for the hold and until when, the minimum, and the usual
payout day read from the batches the cooperative recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from factories import make_order, make_user, sale_for
from sqlalchemy import select, update

from shop.accounts.models import Role
from shop.clock import LOCAL_ZONE
from shop.ledger import payout_batches
from shop.ledger.models import LedgerTransaction, PayoutBatch
from shop.ledger.next_payout import next_payment, next_usual_day, usual_weekday
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.sales import post_sale

HOLD = timedelta(days=7)
NOW = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)  # Saturday 5 December, at noon in Chiapas


def sell(session, weaver, amount, *, money="cash", at=None):
    order, (line,) = make_order(session, [(amount, 8000, [(weaver, 10_000)])])
    transaction = post_sale(session, sale_for(session, order, [line], money=money))
    if at is not None:
        table = LedgerTransaction.__table__
        session.connection().execute(update(table).where(table.c.id == transaction.id).values(created_at=at))
        session.expire_all()


def batch_on(session, treasurer, weaver, moment):
    batch = payout_batches.prepare_batch(
        session, lines=[PayoutLine(weaver.id, 100)], by=treasurer, now=moment, hold=timedelta(0)
    )
    payout_batches.cancel_batch(session, batch.id, by=treasurer, reason="prueba", now=moment)
    return batch


def test_money_ready_over_the_minimum_is_paid_on_the_usual_day(session, maria):
    sell(session, maria, 100_000)  # 800 pesos hers, in cash: ready at once
    found = next_payment(session, maria.id, now=NOW, hold=HOLD, minimum=10_000)
    assert (found.available, found.ready, found.under_minimum, found.held) == (80_000, True, False, 0)
    assert found.next_day is None  # no batch recorded yet: no usual day


def test_under_the_minimum_she_is_told_it_waits(session, maria):
    sell(session, maria, 10_000)  # 80 pesos hers
    found = next_payment(session, maria.id, now=NOW, hold=HOLD, minimum=10_000)
    assert (found.available, found.ready, found.under_minimum) == (8_000, False, True)


def test_card_money_is_held_until_the_hold_has_passed_since_the_last_card_sale(session, maria):
    sell(session, maria, 50_000, money="stripe_clearing", at=NOW - timedelta(days=5))
    sell(session, maria, 50_000, money="stripe_clearing", at=NOW - timedelta(days=2))
    sell(session, maria, 50_000, money="stripe_clearing", at=NOW - timedelta(days=9))  # past the hold
    found = next_payment(session, maria.id, now=NOW, hold=HOLD, minimum=10_000)
    assert (found.held, found.available) == (80_000, 40_000)
    assert found.held_until == date(2026, 12, 10)  # three days of hold left on the newest


def test_the_usual_day_is_the_weekday_of_most_recent_batches(session, maria):
    treasurer = make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera")
    sell(session, maria, 1_000_000)
    assert usual_weekday(session) is None
    tuesdays = [datetime(2026, 11, d, 10, tzinfo=LOCAL_ZONE) for d in (10, 17, 24)]
    friday = datetime(2026, 11, 27, 10, tzinfo=LOCAL_ZONE)
    for moment in [*tuesdays, friday]:
        # Left as prepared: a recorded batch all the same.
        payout_batches.prepare_batch(
            session, lines=[PayoutLine(maria.id, 100)], by=treasurer, now=moment, hold=timedelta(0)
        )
    assert usual_weekday(session) == 1
    assert next_usual_day(session, date(2026, 12, 5)) == date(2026, 12, 8)
    assert next_usual_day(session, date(2026, 12, 8)) == date(2026, 12, 8)  # today is the day


def test_cancelled_batches_do_not_make_the_usual_day(session, maria):
    treasurer = make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera")
    sell(session, maria, 1_000_000)
    for d in (2, 9, 16):  # Wednesdays, all cancelled
        batch_on(session, treasurer, maria, datetime(2026, 12, d, 10, tzinfo=LOCAL_ZONE))
    assert len(session.scalars(select(PayoutBatch)).all()) == 3
    assert usual_weekday(session) is None
