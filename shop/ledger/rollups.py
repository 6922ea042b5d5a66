"""The income the shop generates, rolled up in SQL for the partner's dashboard: by month (the cooperative's
months), by community, by category and by channel. Sales net of refunds; the pieces only (shipping apart).

Privacy: a community with fewer than three earning weavers is folded into "other", and a month's earnings per
weaver are shown only when at least three weavers earned, so that no one's income can be read off a cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Category, Product, Weaver
from shop.clock import LOCAL_ZONE
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.orders.models import Order, OrderLine

FEW = 3  # fewer earning weavers than this and a cell is folded or hidden
OTHER = ""  # the folded cell's key


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (
        day.replace(year=day.year + 1, month=1, day=1) if day.month == 12 else day.replace(month=day.month + 1, day=1)
    )


def month_starts(first: date, last: date) -> list[date]:
    """The first day of each month from ``first``'s to ``last``'s."""
    found, current = [], first.replace(day=1)
    while current <= last:
        found.append(current)
        current = next_month(current)
    return found


def _instant(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_ZONE)


def _month_bucket(months: list[date]):
    """A CASE naming the month of a transaction's time stamp in the cooperative's time zone (portable SQL), and
    the instants the months span."""
    bucket = sa.case(
        *((LedgerTransaction.created_at < _instant(next_month(m)), m.strftime("%Y-%m")) for m in months),
        else_=None,
    )
    return bucket, _instant(months[0]), _instant(next_month(months[-1]))


def _median(values: list[int]) -> int:
    ordered, middle = sorted(values), len(values) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle] + 1) // 2


@dataclass(frozen=True)
class Month:
    key: str  # "2026-07"
    gross: int  # centavos
    weavers: int  # their earnings
    fund: int
    fees: int
    earning: int  # weavers who earned
    median: int | None  # per earning weaver; None when fewer than three earned


def by_month(session: Session, first: date, last: date) -> list[Month]:
    months = month_starts(first, last)
    bucket, start, end = _month_bucket(months)
    sold = (
        sa.select(
            bucket.label("month"),
            (-sa.func.sum(Entry.amount)).label("gross"),
            (-sa.func.sum(sa.case((Account.weaver_id.is_not(None), Entry.amount), else_=0))).label("weavers"),
        )
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .where(
            Entry.order_line_id.is_not(None), LedgerTransaction.created_at >= start, LedgerTransaction.created_at < end
        )
        .group_by(bucket)
    )
    totals = {row.month: (int(row.gross), int(row.weavers)) for row in session.execute(sold)}
    fees = dict(
        session.execute(
            sa.select(bucket, sa.func.sum(Entry.amount))
            .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
            .join(Account, Account.id == Entry.account_id)
            .where(
                Account.code == "processor_fees",
                LedgerTransaction.created_at >= start,
                LedgerTransaction.created_at < end,
            )
            .group_by(bucket)
        ).all()
    )
    per_weaver: dict[str, list[int]] = {}
    for month, earned in session.execute(
        sa.select(bucket, -sa.func.sum(Entry.amount))
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .where(
            Entry.order_line_id.is_not(None),
            Account.weaver_id.is_not(None),
            LedgerTransaction.created_at >= start,
            LedgerTransaction.created_at < end,
        )
        .group_by(bucket, Account.weaver_id)
    ):
        if earned > 0:
            per_weaver.setdefault(month, []).append(int(earned))
    rows = []
    for day in months:
        key = day.strftime("%Y-%m")
        gross, weavers = totals.get(key, (0, 0))
        earners = per_weaver.get(key, [])
        rows.append(
            Month(
                key,
                gross,
                weavers,
                gross - weavers,
                int(fees.get(key) or 0),
                len(earners),
                _median(earners) if len(earners) >= FEW else None,
            )
        )
    return rows


@dataclass(frozen=True)
class Cell:
    key: str  # a community, a category, a channel; OTHER for the folded ones
    amount: int
    weavers: int = 0

    @property
    def hidden(self) -> bool:
        """A folded cell still of fewer than three weavers: its amount would tell one woman's income."""
        return self.key == OTHER and 0 < self.weavers < FEW


def by_community(session: Session, first: date, end: date) -> list[Cell]:
    """Weavers' earnings from ``first`` (a day) to ``end`` (the day after the last), by community; communities
    with fewer than three earning weavers folded into one cell."""
    rows = session.execute(
        sa.select(Weaver.community, Account.weaver_id, -sa.func.sum(Entry.amount))
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .join(Weaver, Weaver.id == Account.weaver_id)
        .where(
            Entry.order_line_id.is_not(None),
            LedgerTransaction.created_at >= _instant(first),
            LedgerTransaction.created_at < _instant(end),
        )
        .group_by(Weaver.community, Account.weaver_id)
    ).all()
    communities: dict[str, list[int]] = {}
    for community, _weaver, earned in rows:
        if earned > 0:
            communities.setdefault(community, []).append(int(earned))
    shown, folded = [], Cell(OTHER, 0, 0)
    for community, earnings in sorted(communities.items()):
        if len(earnings) >= FEW:
            shown.append(Cell(community, sum(earnings), len(earnings)))
        else:
            folded = Cell(OTHER, folded.amount + sum(earnings), folded.weavers + len(earnings))
    return shown + ([folded] if folded.weavers else [])


def _gross_by(session: Session, key, joins, first: date, end: date) -> list[Cell]:
    query = sa.select(key, -sa.func.sum(Entry.amount)).join(
        LedgerTransaction, LedgerTransaction.id == Entry.transaction_id
    )
    for table, on in joins:
        query = query.outerjoin(table, on)
    rows = session.execute(
        query.where(
            Entry.order_line_id.is_not(None),
            LedgerTransaction.created_at >= _instant(first),
            LedgerTransaction.created_at < _instant(end),
        ).group_by(key)
    ).all()
    cells = (Cell(name or OTHER, int(amount)) for name, amount in rows)
    return sorted(cells, key=lambda c: (c.key == OTHER, -c.amount, c.key))  # "other" last


def by_category(session: Session, first: date, end: date) -> list[Cell]:
    return _gross_by(
        session,
        Category.name_es,
        [
            (OrderLine, OrderLine.id == Entry.order_line_id),
            (Product, Product.id == OrderLine.product_id),
            (Category, Category.id == Product.category_id),
        ],
        first,
        end,
    )


def by_channel(session: Session, first: date, end: date) -> list[Cell]:
    return _gross_by(session, Order.channel, [(Order, Order.id == LedgerTransaction.order_id)], first, end)
