"""Every ledger entry over a date range as CSV, for the treasurer and the cooperative's accountant.

One row per entry (not per transaction), so a spreadsheet can filter by account and sum debits and credits;
each transaction's rows sum to zero. Dates are the cooperative's local dates, inclusive at both ends.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.clock import LOCAL_ZONE, to_local
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.money import Money
from shop.orders.models import Order, OrderLine
from shop.spreadsheet import safe_cell

HEADER = (
    "transaction",
    "date",
    "time",
    "kind",
    "description",
    "reverses",
    "order",
    "account",
    "account_name",
    "debit",
    "credit",
    "currency",
    "order_line",
    "product",
    "memo",
)
BATCH = 2000


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=LOCAL_ZONE)


def _decimal(amount: int, currency: str) -> str:
    return str(Money(amount, currency).as_decimal()) if amount else ""


def ledger_rows(session: Session, start: date, end: date) -> Iterator[tuple]:
    """The rows, oldest first, read in batches so a year of entries never sits in memory at once."""
    statement = (
        sa.select(
            LedgerTransaction.id,
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.description,
            LedgerTransaction.reverses_id,
            Order.number,
            Account.code,
            sa.func.coalesce(Weaver.name, Account.name),  # her name now, not when the account was opened
            Entry.amount,
            Entry.currency,
            Entry.order_line_id,
            OrderLine.product_slug,
            Entry.memo,
        )
        .join(Entry, Entry.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == Entry.account_id)
        .outerjoin(Weaver, Weaver.id == Account.weaver_id)
        .outerjoin(Order, Order.id == LedgerTransaction.order_id)
        .outerjoin(OrderLine, OrderLine.id == Entry.order_line_id)
        .where(
            LedgerTransaction.created_at >= _day_start(start),
            LedgerTransaction.created_at < _day_start(end + timedelta(days=1)),
        )
        .order_by(LedgerTransaction.created_at, LedgerTransaction.id, Entry.id)
        .execution_options(yield_per=BATCH)
    )
    for tid, at, kind, description, reverses, number, code, name, amount, currency, line, slug, memo in session.execute(
        statement
    ):
        local = to_local(at)
        yield (
            tid,
            local.date().isoformat(),
            local.strftime("%H:%M:%S"),
            kind,
            safe_cell(description),
            reverses or "",
            number or "",
            code,
            safe_cell(name),
            _decimal(max(amount, 0), currency),
            _decimal(max(-amount, 0), currency),
            currency,
            line or "",
            slug or "",
            safe_cell(memo),
        )


def ledger_csv(session: Session, start: date, end: date) -> Iterator[str]:
    """The CSV text in chunks (a header, then the rows), ready to stream to the browser."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for count, row in enumerate(ledger_rows(session, start, end), start=1):
        writer.writerow(row)
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
