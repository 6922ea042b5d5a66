"""The ledger's summaries by month and by order: written as each posting's transaction commits, equal to the sums
of the entries, taken back with a rollback, read by the posting's own transaction, filled from the entries
already posted when the table is first made, and never a cause of deadlock between two postings."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import make_order, make_weaver, sale_for

from alembic import command
from shop import migrations
from shop.clock import LOCAL_ZONE, local_today
from shop.db import make_engine, session_scope
from shop.ledger import rollups, summary
from shop.ledger.models import MonthTotal, OrderTotal, TransactionKind
from shop.ledger.posting import post
from shop.ledger.receipts import post_fee
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale
from shop.ledger.schemas import EntryLine


def sell(session, weaver, amount, *, at=None, fee=0):
    order, lines = make_order(session, [(amount, 8000, [(weaver, 10_000)])], shipping=5_000)
    post_sale(session, sale_for(session, order, lines, money="stripe_clearing", fee=fee), booked_at=at)
    return order


def test_sales_fees_and_refunds_are_summed_by_month_and_order_as_they_commit(session):
    rosa = make_weaver(session)
    july = sell(session, rosa, 100_000, at=datetime(2026, 7, 31, 23, 30, tzinfo=LOCAL_ZONE), fee=1_000)
    august = sell(session, rosa, 40_000, at=datetime(2026, 8, 1, 0, 30, tzinfo=LOCAL_ZONE))
    session.commit()
    post_fee(session, key="fee:late", order_id=august.id, money_account="stripe_clearing", fee=700, description="")
    post_refund(session, key="refund:half", order_id=july.id, money_account="stripe_clearing", amount=50_000)
    session.commit()
    months, orders = summary.kept(session)
    assert (months, orders) == summary.recomputed(session)
    # By hand: July 1,000 pesos sold, 800 to Rosa, a fee of 10 (23:30 on the 31st is still July in Chiapas);
    # August 400, 320 to her. The late fee and the refund are booked today, in this month's row.
    found = {
        m.key: (m.gross, m.weavers, m.fees) for m in rollups.by_month(session, date(2026, 7, 1), date(2026, 8, 31))
    }
    assert found == {"2026-07": (100_000, 80_000, 1_000), "2026-08": (40_000, 32_000, 0)}
    today = rollups.by_month(session, local_today(), local_today())[0]
    assert today.fees == 700 and today.gross < 0 and orders[july.id]["weavers"] == 80_000 + today.weavers
    assert orders[july.id]["sold_on"] == date(2026, 7, 31) and orders[july.id]["fee"] == 1_000
    assert (orders[august.id]["fee"], orders[august.id]["weavers"], orders[august.id]["pieces"]) == (700, 32_000, 1)


def test_a_posting_rolled_back_is_taken_back_from_the_summaries(session):
    rosa = make_weaver(session)
    kept = sell(session, rosa, 100_000)

    def posted_then_failed():
        with session.begin_nested():
            sell(session, rosa, 60_000)
            raise RuntimeError("the caller's work failed after the posting")

    with pytest.raises(RuntimeError):
        posted_then_failed()
    session.commit()
    assert session.scalars(sa.select(OrderTotal.order_id)).all() == [kept.id]
    sell(session, rosa, 30_000)
    session.rollback()  # a whole transaction given up
    session.commit()
    assert summary.kept(session) == summary.recomputed(session)
    assert session.scalar(sa.select(sa.func.sum(MonthTotal.amount)).where(MonthTotal.line)) == -100_000


def test_the_posting_transaction_reads_its_own_postings_before_it_commits(session):
    rosa = make_weaver(session)
    sell(session, rosa, 100_000, at=datetime(2026, 7, 10, 12, tzinfo=LOCAL_ZONE))
    assert rollups.gross(session, date(2026, 7, 1), date(2026, 8, 1)) == 100_000
    sell(session, rosa, 20_000, at=datetime(2026, 7, 11, 12, tzinfo=LOCAL_ZONE))
    assert rollups.earnings_by_weaver(session, date(2026, 7, 1), date(2026, 8, 1)) == {rosa.id: 96_000}


def test_rebuilding_from_the_entries_gives_what_was_kept(session):
    rosa, juana = make_weaver(session), make_weaver(session)
    for n in range(6):
        sell(session, (rosa, juana)[n % 2], 10_000 * (n + 1), at=datetime(2026, 5 + n, 3, tzinfo=LOCAL_ZONE), fee=n)
    post(
        session,
        kind=TransactionKind.receipt,
        key="receipt:1",
        entries=[EntryLine("stripe_clearing", 500), EntryLine("unallocated", -500)],
    )
    session.commit()
    before = summary.kept(session)
    summary.rebuild(session)
    session.commit()
    assert summary.kept(session) == before == summary.recomputed(session)
    assert len(before[1]) == 6


def test_two_postings_of_the_same_month_committing_at_once_never_deadlock(session, engine):
    """Each posts a sale, then (both having posted) a fee: had the month rows been locked at posting, each would
    wait for the other's. They are locked as each commits, in key order."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer in at a time")
    rosa = make_weaver(session)
    sell(session, rosa, 10_000)  # the accounts exist: opening one would make the second posting wait
    orders = [make_order(session, [(100_000, 8000, [(rosa, 10_000)])]) for _ in range(2)]
    session.commit()
    both_posted = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        order, lines = orders[n]
        try:
            with session_scope(engine) as db:
                post_sale(db, sale_for(db, order, lines, money="stripe_clearing"))
                both_posted.wait()
                post_fee(
                    db, key=f"fee:{n}", order_id=order.id, money_account="stripe_clearing", fee=100, description=""
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    session.expire_all()
    assert summary.kept(session) == summary.recomputed(session)
    assert rollups.by_month(session, local_today(), local_today())[0].fees == 200


BEFORE = "f3a4b5c6d7e8"


def test_the_migration_fills_the_summaries_from_the_entries_already_posted(empty_database_url):
    """Postings made, then the schema taken back to before the summaries and brought up again: the migration
    sums what was posted."""
    migrations.upgrade(empty_database_url)
    engine = make_engine(empty_database_url, pool_size=0)
    try:
        with session_scope(engine) as db:
            rosa = make_weaver(db)
            sell(db, rosa, 100_000, at=datetime(2026, 7, 31, 23, 30, tzinfo=LOCAL_ZONE), fee=900)
            sell(db, rosa, 40_000, at=datetime(2026, 8, 1, 0, 30, tzinfo=LOCAL_ZONE))
        command.downgrade(migrations.alembic_config(empty_database_url), BEFORE)
        migrations.upgrade(empty_database_url)
        with session_scope(engine) as db:
            months, orders = summary.kept(db)
            assert (months, orders) == summary.recomputed(db)
            assert len(orders) == 2 and {m[0] for m in months} == {"2026-07", "2026-08"}
    finally:
        engine.dispose()
