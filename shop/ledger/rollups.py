"""The income the shop generates, rolled up in SQL for the partner's dashboard: by month (the cooperative's
months), by community, by category and by channel. Sales net of refunds; the pieces only (shipping apart).
They read the ledger's monthly summary (``shop.ledger.summary``), so a span is of whole months.

Privacy: a community with fewer than three earning weavers is folded into "other", and a month's earnings per
weaver are shown only when at least three weavers earned, so that no one's income can be read off a cell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Category, Weaver
from shop.ledger import summary
from shop.ledger.models import Account, MonthTotal

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


def month_keys(first: date, end: date) -> list[str]:
    """The months from ``first``'s up to ``end`` (the first day after the span: a month's first day), as keys."""
    return [m.strftime("%Y-%m") for m in month_starts(first, end - timedelta(days=1))]


def _sums(*columns, months: list[str], line: bool | None = True):
    """A query of the summary's rows of ``months``: of order lines (the pieces sold) unless ``line`` says."""
    query = (
        sa.select(*columns)
        .select_from(MonthTotal)
        .join(Account, Account.id == MonthTotal.account_id)
        .where(MonthTotal.month.in_(months))
    )
    return query if line is None else query.where(MonthTotal.line.is_(line))


def median(values: list[int]) -> int:
    """In centavos, the middle one, or the two middle ones' mean rounded half up: never a float."""
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
    summary.settle(session)
    keys = [m.strftime("%Y-%m") for m in month_starts(first, last)]
    weaver = Account.weaver_id.is_not(None)
    totals = {
        month: (int(gross), int(weavers), int(fees))
        for month, gross, weavers, fees in session.execute(
            _sums(
                MonthTotal.month,
                -sa.func.sum(sa.case((MonthTotal.line, MonthTotal.amount), else_=0)),
                -sa.func.sum(sa.case((sa.and_(MonthTotal.line, weaver), MonthTotal.amount), else_=0)),
                sa.func.sum(sa.case((Account.code == "processor_fees", MonthTotal.amount), else_=0)),
                months=keys,
                line=None,
            ).group_by(MonthTotal.month)
        )
    }
    per_weaver: dict[str, list[int]] = {}
    for month, earned in session.execute(
        _sums(MonthTotal.month, -sa.func.sum(MonthTotal.amount), months=keys)
        .where(weaver)
        .group_by(MonthTotal.month, MonthTotal.account_id)
    ):
        if earned > 0:
            per_weaver.setdefault(month, []).append(int(earned))
    rows = []
    for key in keys:
        gross, weavers, fees = totals.get(key, (0, 0, 0))
        earners = per_weaver.get(key, [])
        rows.append(
            Month(
                key,
                gross,
                weavers,
                gross - weavers,
                fees,
                len(earners),
                median(earners) if len(earners) >= FEW else None,
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


def earnings_by_weaver(session: Session, first: date, end: date) -> dict[int, int]:
    """Each weaver's earnings over the whole months from ``first`` up to ``end``, net of refunds."""
    summary.settle(session)
    return {
        weaver: int(earned)
        for weaver, earned in session.execute(
            _sums(Account.weaver_id, -sa.func.sum(MonthTotal.amount), months=month_keys(first, end))
            .where(Account.weaver_id.is_not(None))
            .group_by(Account.weaver_id)
        )
    }


def gross(session: Session, first: date, end: date) -> int:
    """What the pieces sold for over the whole months from ``first`` up to ``end``, net of refunds."""
    summary.settle(session)
    found = session.scalar(_sums(-sa.func.sum(MonthTotal.amount), months=month_keys(first, end)))
    return int(found or 0)


def by_community(session: Session, first: date, end: date) -> list[Cell]:
    """Weavers' earnings over the whole months from ``first`` up to ``end`` (the day after the last), by
    community; communities with fewer than three earning weavers folded into one cell."""
    earned = earnings_by_weaver(session, first, end)
    homes = dict(session.execute(sa.select(Weaver.id, Weaver.community).where(Weaver.id.in_(list(earned)))).all())
    communities: dict[str, list[int]] = {}
    for weaver, amount in earned.items():
        if amount > 0:
            communities.setdefault(homes[weaver], []).append(amount)
    shown, folded = [], Cell(OTHER, 0, 0)
    for community, earnings in sorted(communities.items()):
        if len(earnings) >= FEW:
            shown.append(Cell(community, sum(earnings), len(earnings)))
        else:
            folded = Cell(OTHER, folded.amount + sum(earnings), folded.weavers + len(earnings))
    return shown + ([folded] if folded.weavers else [])


def _gross_by(session: Session, key, first: date, end: date, join=None) -> list[Cell]:
    summary.settle(session)
    query = _sums(key, -sa.func.sum(MonthTotal.amount), months=month_keys(first, end))
    if join is not None:
        query = query.outerjoin(*join)
    cells = (Cell(name or OTHER, int(amount)) for name, amount in session.execute(query.group_by(key)))
    return sorted(cells, key=lambda c: (c.key == OTHER, -c.amount, c.key))  # "other" last


def by_category(session: Session, first: date, end: date) -> list[Cell]:
    return _gross_by(session, Category.name_es, first, end, (Category, Category.id == MonthTotal.category_id))


def by_channel(session: Session, first: date, end: date) -> list[Cell]:
    return _gross_by(session, MonthTotal.channel, first, end)
