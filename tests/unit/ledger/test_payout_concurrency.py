"""Payouts under concurrent clicks, on PostgreSQL: money is never paid twice, whatever arrives at the same moment.

Each thread works in its own session and commits, as two browser tabs or two people would. These rely on
PostgreSQL's row locks (SQLite serializes every writer at BEGIN IMMEDIATE, so nothing can interleave there).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from concurrency import at_once
from factories import make_order, make_user, make_weaver, message_of, sale_for
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from shop.accounts.models import Role, User
from shop.db import make_engine, session_scope
from shop.errors import InvalidState, ValidationFailed
from shop.ledger import payable, paying, payout_batches
from shop.ledger.balances import weaver_balance
from shop.ledger.models import BatchStatus, Entry, LedgerTransaction, Payout, PayoutBatch, PayoutStatus
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale

POSTGRES_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL's row locks (set SHOP_TEST_DATABASE_URL)"),
]

HOLD = timedelta(days=7)
THREADS = 8


def later() -> datetime:
    return datetime.now(UTC) + timedelta(days=8)


@pytest.fixture
def pool(database_url):
    engine = make_engine(database_url, pool_size=THREADS + 2)
    yield engine
    engine.dispose()


@pytest.fixture
def people(session):
    people = {
        "tesorera": make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera"),
        "consejera": make_user(session, roles=[Role.council], username="consejera", name="Consejera"),
    }
    session.commit()
    return {name: user.id for name, user in people.items()}


def owed_a_thousand_pesos(session, *, money="cash"):
    """A weaver whose piece sold for 1,250 pesos, 80% hers: she is owed 1,000 pesos. Committed."""
    weaver = make_weaver(session)
    order, (line,) = make_order(session, [(125_000, 8000, [(weaver, 10_000)])])
    post_sale(session, sale_for(session, order, [line], money=money))
    session.commit()
    return weaver.id, order.id


def approved_batch(engine: Engine, people, *lines: tuple[int, int]) -> tuple[int, list[int]]:
    """A committed batch prepared by the treasurer and approved by the council; returns (batch, payout ids)."""
    with session_scope(engine) as db:
        batch = payout_batches.prepare_batch(
            db,
            lines=[PayoutLine(w, a) for w, a in lines],
            by=db.get(User, people["tesorera"]),
            now=later(),
            hold=HOLD,
        )
        payout_batches.approve_batch(db, batch.id, by=db.get(User, people["consejera"]), now=later())
        ids = [p.id for p in payout_batches.batch_by_id(db, batch.id).payouts]
        return batch.id, ids


def after(seconds: float, job: Callable) -> Callable:
    """``job``, started ``seconds`` after the others (before its session touches the database)."""

    def delayed(db):
        time.sleep(seconds)
        return job(db)

    return delayed


def in_order(engine: Engine, first: Callable, second: Callable) -> tuple[object, object]:
    """``first`` does its work and keeps its transaction open; ``second`` then starts and runs until it waits on a
    lock (or ends); only then does ``first`` commit. Returns both results (or exceptions)."""
    results: list[object] = [None, None]
    worked, release = threading.Event(), threading.Event()

    def run_first() -> None:
        try:
            with session_scope(engine) as db:
                results[0] = first(db)
                worked.set()
                release.wait(30)
        except BaseException as exc:
            results[0] = exc
        finally:
            worked.set()

    def run_second() -> None:
        try:
            with session_scope(engine) as db:
                results[1] = second(db)
        except BaseException as exc:
            results[1] = exc

    a = threading.Thread(target=run_first)
    a.start()
    assert worked.wait(30)
    b = threading.Thread(target=run_second)
    b.start()
    waiting_on_a_lock(engine, b)
    release.set()
    a.join(30)
    b.join(30)
    assert not a.is_alive() and not b.is_alive(), "a thread is stuck"
    return results[0], results[1]


def waiting_on_a_lock(engine: Engine, thread: threading.Thread, timeout: float = 10) -> None:
    """Until another session of this database waits on a row lock, or ``thread`` is done."""
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        while time.monotonic() < deadline and thread.is_alive():
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
            connection.rollback()
            if waiting:
                return
            time.sleep(0.02)
    assert not thread.is_alive() or time.monotonic() < deadline, "the second session neither waited nor ended"


def count(engine: Engine, statement) -> int:
    with session_scope(engine, writes=False) as db:
        return db.scalar(statement)


def payout_postings(engine: Engine) -> int:
    return count(engine, select(func.count()).select_from(LedgerTransaction).where(LedgerTransaction.kind == "payout"))


def books_balance(engine: Engine) -> None:
    with session_scope(engine, writes=False) as db:
        assert db.scalar(select(func.coalesce(func.sum(Entry.amount), 0))) == 0
        unbalanced = db.execute(
            select(Entry.transaction_id).group_by(Entry.transaction_id).having(func.sum(Entry.amount) != 0)
        ).all()
        assert unbalanced == []


# --- preparing ------------------------------------------------------------------------------------------------


def test_eight_batches_prepared_at_once_for_the_same_money_only_one_gets_it(session, pool, people):
    weaver_id, _ = owed_a_thousand_pesos(session)

    def prepare(db):
        batch = payout_batches.prepare_batch(
            db, lines=[PayoutLine(weaver_id, 60_000)], by=db.get(User, people["tesorera"]), now=later(), hold=HOLD
        )
        return batch.id

    results = at_once(pool, *[prepare] * THREADS)

    made = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(made) == 1, results
    assert len(refused) == THREADS - 1, results
    assert all("at most" in message_of(r) and "$400 MXN" in message_of(r) for r in refused)
    pending = count(
        pool,
        select(func.coalesce(func.sum(Payout.amount), 0)).where(
            Payout.weaver_id == weaver_id, Payout.status == PayoutStatus.pending
        ),
    )
    assert pending == 60_000 <= 100_000
    with session_scope(pool, writes=False) as db:
        assert payable.available_for(db, weaver_id, now=later(), hold=HOLD) == 40_000


# --- paying ---------------------------------------------------------------------------------------------------


def test_the_same_payout_paid_from_eight_tabs_at_once_is_paid_once(session, pool, people):
    weaver_id, _ = owed_a_thousand_pesos(session)
    batch_id, (payout_id,) = approved_batch(pool, people, (weaver_id, 100_000))

    def pay(db):
        return paying.pay_in_cash(db, payout_id, by=db.get(User, people["tesorera"]), now=later(), hold=HOLD).status

    results = at_once(pool, *[pay] * THREADS)

    assert results.count(PayoutStatus.paid) == 1, results
    refused = [r for r in results if isinstance(r, InvalidState)]
    assert len(refused) == THREADS - 1, results
    # The first click closed the batch, so the others are told the batch is not (or no longer) payable.
    assert {message_of(r) for r in refused} <= {
        f"Payout {payout_id} is not waiting to be paid.",
        f"Batch {batch_id} must be approved before anything is paid.",
    }, refused
    assert payout_postings(pool) == 1
    books_balance(pool)
    with session_scope(pool, writes=False) as db:
        assert weaver_balance(db, weaver_id) == 0
        assert db.get(Payout, payout_id).status is PayoutStatus.paid
        assert db.scalar(select(PayoutBatch.status)) is BatchStatus.closed


@pytest.mark.parametrize("race", ["at once", "refund a moment earlier", "refund still open", "payout still open"])
def test_a_payout_racing_a_refund_is_never_paid_from_money_that_was_refunded(session, pool, people, race):
    """She is owed 1,000 pesos and 800 are about to be paid when a refund takes 400 of hers back. Either the refund
    lands first and the payout is refused (she keeps 600), or the payout lands first and was covered when it was
    paid; the refund after it then leaves her owing 200, which is legitimate. The two serialize on her ledger
    account row: the payout locks it FOR UPDATE, and the refund's entries on it take the foreign key's share lock,
    so whichever holds it first is seen by the other."""
    weaver_id, order_id = owed_a_thousand_pesos(session)
    _, (payout_id,) = approved_batch(pool, people, (weaver_id, 80_000))

    def pay(db):
        return paying.pay_in_cash(db, payout_id, by=db.get(User, people["tesorera"]), now=later(), hold=HOLD).status

    def refund(db):
        return post_refund(db, key="refund:race", order_id=order_id, money_account="cash", amount=50_000).kind

    if race == "at once":
        paid, refunded = at_once(pool, pay, refund)
    elif race == "refund a moment earlier":
        paid, refunded = at_once(pool, after(0.1, pay), refund)
    elif race == "refund still open":
        refunded, paid = in_order(pool, refund, pay)
        assert isinstance(paid, InvalidState), paid  # the payout waited for the refund, then saw it
    else:
        paid, refunded = in_order(pool, pay, refund)
        assert paid is PayoutStatus.paid, paid  # the refund waited for the payout

    assert refunded == "refund", refunded
    books_balance(pool)
    with session_scope(pool, writes=False) as db:
        balance = weaver_balance(db, weaver_id)
        status = db.get(Payout, payout_id).status
    if paid is PayoutStatus.paid:
        assert payout_postings(pool) == 1
        assert status is PayoutStatus.paid
        # Paid while her 1,000 pesos were all there; the refund then took 400 back.
        assert balance == 100_000 - 80_000 - 40_000
    else:
        assert isinstance(paid, InvalidState) and "$600 MXN" in message_of(paid), paid
        assert payout_postings(pool) == 0
        assert status is PayoutStatus.pending
        assert balance == 60_000


def test_a_payout_tried_after_a_refund_committed_is_refused(session, pool, people):
    weaver_id, order_id = owed_a_thousand_pesos(session)
    _, (payout_id,) = approved_batch(pool, people, (weaver_id, 80_000))
    with session_scope(pool) as db:
        post_refund(db, key="refund:first", order_id=order_id, money_account="cash", amount=50_000)

    (result,) = at_once(
        pool, lambda db: paying.pay_in_cash(db, payout_id, by=db.get(User, people["tesorera"]), now=later(), hold=HOLD)
    )

    assert isinstance(result, InvalidState), result
    assert payout_postings(pool) == 0
    with session_scope(pool, writes=False) as db:
        assert weaver_balance(db, weaver_id) == 60_000


@pytest.mark.parametrize(
    "delays",
    [(0, 0, 0), (0.1, 0.1, 0), (0, 0.2, 0.1)],
    ids=["all at once", "refund first", "refund between the payouts"],
)
def test_her_two_payouts_paid_at_once_while_a_refund_lands_are_each_covered_when_paid(session, pool, people, delays):
    """Two batches of 500 pesos each count on all of her 1,000 pesos; a refund takes 200 of them back while both
    are being paid. A payout is paid only if her balance still covers it and the other payout still waiting, so
    both are paid (the refund came last), one (the refund came between them) or none (the refund came first)."""
    weaver_id, order_id = owed_a_thousand_pesos(session)
    _, (first,) = approved_batch(pool, people, (weaver_id, 50_000))
    _, (second,) = approved_batch(pool, people, (weaver_id, 50_000))

    def pay(payout_id):
        return lambda db: (
            paying.pay_in_cash(db, payout_id, by=db.get(User, people["tesorera"]), now=later(), hold=HOLD).status
        )

    def refund(db):
        return post_refund(db, key="refund:between", order_id=order_id, money_account="cash", amount=25_000).kind

    jobs = [pay(first), pay(second), refund]
    *paid, refunded = at_once(pool, *[after(delay, job) for job, delay in zip(jobs, delays, strict=True)])

    assert refunded == "refund"
    assert all(r is PayoutStatus.paid or isinstance(r, InvalidState) for r in paid), paid
    times = paid.count(PayoutStatus.paid)
    assert payout_postings(pool) == times
    books_balance(pool)
    with session_scope(pool, writes=False) as db:
        assert weaver_balance(db, weaver_id) == 100_000 - 20_000 - 50_000 * times


# --- paying while the batch changes ---------------------------------------------------------------------------


def test_a_batch_cancelled_while_one_of_its_payouts_is_being_paid_keeps_that_payout_paid(session, pool, people):
    maria, _ = owed_a_thousand_pesos(session)
    juana, _ = owed_a_thousand_pesos(session)
    batch_id, (first, _) = approved_batch(pool, people, (maria, 100_000), (juana, 100_000))

    paid, cancelled = in_order(
        pool,
        lambda db: paying.pay_in_cash(db, first, by=db.get(User, people["tesorera"]), now=later(), hold=HOLD).status,
        lambda db: (
            payout_batches.cancel_batch(
                db, batch_id, by=db.get(User, people["consejera"]), reason="Wrong month", now=later()
            ).status
        ),
    )

    assert paid is PayoutStatus.paid
    assert payout_postings(pool) == 1
    with session_scope(pool, writes=False) as db:
        payout = db.get(Payout, first)
        status, posted = payout.status, payout.transaction_id
        batch_status = db.get(PayoutBatch, batch_id).status
        balance = weaver_balance(db, maria)
    assert balance == 0 and posted is not None  # the money was handed over and posted …
    # … so the payout must still say paid (undoable), and the batch cannot have been cancelled whole.
    assert (status, batch_status, type(cancelled)) == (PayoutStatus.paid, BatchStatus.approved, InvalidState)


def test_the_last_two_payouts_of_a_batch_paid_at_the_same_time_close_it(session, pool, people):
    maria, _ = owed_a_thousand_pesos(session)
    juana, _ = owed_a_thousand_pesos(session)
    batch_id, (first, second) = approved_batch(pool, people, (maria, 100_000), (juana, 100_000))

    def pay(payout_id):
        return lambda db: (
            paying.pay_in_cash(db, payout_id, by=db.get(User, people["tesorera"]), now=later(), hold=HOLD).status
        )

    results = in_order(pool, pay(first), pay(second))

    assert results == (PayoutStatus.paid, PayoutStatus.paid)
    assert payout_postings(pool) == 2
    with session_scope(pool, writes=False) as db:
        assert db.get(PayoutBatch, batch_id).status is BatchStatus.closed
