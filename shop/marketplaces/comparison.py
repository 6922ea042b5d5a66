"""For each sale: what its channel really cost (the processor's fee and its tax as the ledger booked them from
the processor's own balance transaction, never computed), what eBay and Etsy would have taken for it, and what
reached the weavers."""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from shop.clock import LOCAL_ZONE
from shop.ledger import summary
from shop.ledger.models import OrderTotal
from shop.marketplaces.fees import MICRO, Extra, Sale, would_take
from shop.marketplaces.models import ExchangeRate, FeeSchedule, Marketplace
from shop.orders.models import Order


@dataclass(frozen=True)
class Compared:
    order_number: str
    day: date
    channel: str
    total: int  # what the buyer paid, shipping included, in centavos
    fee: int  # what the processor took, as booked
    weavers: int  # what reached the weavers
    ebay: int | None
    etsy: int | None


def _sold_between(first: date, end: date):
    start, stop = datetime.combine(first, time(), LOCAL_ZONE), datetime.combine(end, time(), LOCAL_ZONE)
    return OrderTotal.sold_at >= start, OrderTotal.sold_at < stop


def compare(session: Session, first: date, end: date, extra: Extra, limit: int | None = None) -> list[Compared]:
    """Every order with a sale booked from ``first`` up to ``end`` (not included), newest first; the latest
    ``limit`` only, when given. Read from the ledger's summary by order."""
    summary.settle(session)
    rows = session.execute(
        sa.select(
            Order.number,
            Order.channel,
            OrderTotal.charged,
            OrderTotal.sold_on,
            OrderTotal.fee,
            OrderTotal.weavers,
            OrderTotal.pieces,
        )
        .join(Order, Order.id == OrderTotal.order_id)
        .where(*_sold_between(first, end))
        .order_by(OrderTotal.sold_at.desc(), Order.number)
        .limit(limit)
    ).all()
    found, asked = [], {}
    known = Known(session, first, end)
    for number, channel, charged, day, fee, weavers, pieces in rows:
        if day not in asked:  # each day's schedules and rate, from what was read once
            asked[day] = known.on(day)
        other = {
            marketplace: would_take(schedule, Sale(charged, int(pieces or 1), day), rate, extra)
            if schedule and rate
            else None
            for marketplace, (schedule, rate) in asked[day].items()
        }
        found.append(
            Compared(
                number,
                day,
                str(channel),
                charged,
                int(fee),
                int(weavers),
                other[Marketplace.ebay],
                other[Marketplace.etsy],
            )
        )
    return found


class Known:
    """Every schedule, and every rate from a little before ``first`` to ``end``, read in two statements, so
    comparing thousands of sales asks the database nothing more."""

    def __init__(self, session: Session, first: date, end: date):
        self.schedules = session.scalars(sa.select(FeeSchedule).order_by(FeeSchedule.valid_from)).all()
        currencies = {s.currency for s in self.schedules}
        earliest = session.scalar(
            sa.select(sa.func.max(ExchangeRate.day)).where(
                ExchangeRate.day <= first, ExchangeRate.currency.in_(currencies)
            )
        )
        self.rates: dict[str, list[tuple[date, int]]] = {}
        for day, currency, micro in session.execute(
            sa.select(ExchangeRate.day, ExchangeRate.currency, ExchangeRate.mxn_micro)
            .where(ExchangeRate.day >= (earliest or first), ExchangeRate.day < end)
            .order_by(ExchangeRate.day)
        ):
            self.rates.setdefault(currency, []).append((day, micro))

    def on(self, day: date) -> dict[Marketplace, tuple]:
        """Each marketplace's schedule in force on ``day`` and its currency's rate then (the latest day's)."""
        found = {}
        for marketplace in Marketplace:
            schedule = None
            for candidate in self.schedules:
                if candidate.marketplace is marketplace and candidate.valid_from <= day:
                    schedule = candidate
            rate = None
            if schedule is not None:
                days = self.rates.get(schedule.currency, [])
                at = bisect_right(days, (day, float("inf"))) - 1
                rate = days[at][1] if at >= 0 else None
            found[marketplace] = (schedule, rate)
        return found


@dataclass(frozen=True)
class Totals:
    sales: int
    fee: int
    weavers: int
    ebay: int | None  # None when a sale had no rate or schedule to compare with
    etsy: int | None


def totals(session: Session, first: date, end: date, extra: Extra) -> Totals:
    """``compare``'s sums over the same orders, added up in the database: each sale's marketplace fees by the
    same integer arithmetic as ``would_take``, rounded per sale as ``compare`` rounds them. Sales alike (the same
    day, total and pieces) are counted together first; each day's schedule and rate come as a table of days,
    empty where a day has none, and a marketplace with a sale on such a day has no total."""
    summary.settle(session)
    known = Known(session, first, end)
    days = [first + timedelta(days=n) for n in range((end - first).days)]
    names = [f"{m}_{name}" for m in Marketplace for name in PARAMETERS]
    rows = []
    for day in days:
        asked = known.on(day)
        rows.append((day, *(v for m in Marketplace for v in _parameters(*asked[m], m, extra))))
    table = _days_table(session, names, rows)
    pieces = sa.func.coalesce(sa.func.nullif(OrderTotal.pieces, 0), 1)
    alike = (
        sa.select(
            OrderTotal.sold_on,
            OrderTotal.charged,
            pieces.label("pieces"),
            sa.func.count().label("sales"),
            sa.func.sum(OrderTotal.fee).label("fee"),
            sa.func.sum(OrderTotal.weavers).label("weavers"),
        )
        .where(*_sold_between(first, end))
        .group_by(OrderTotal.sold_on, OrderTotal.charged, pieces)
        .subquery("alike")
    )
    charged, sales = alike.c.charged, alike.c.sales
    sums = [sa.func.sum(charged * sales), sa.func.sum(alike.c.fee), sa.func.sum(alike.c.weavers)]
    for marketplace in Marketplace:
        c = {name: table.c[f"{marketplace}_{name}"] for name in PARAMETERS}
        per_order = sa.case((charged * MICRO <= c["threshold"], c["low"]), else_=c["high"])
        fixed = per_order + c["listing"] * alike.c.pieces
        each = (2 * (charged * c["bp"] * 100 + fixed * c["micro"]) + MICRO) // (2 * MICRO)
        sums += [sa.func.sum(each * sales), sa.func.sum(sa.case((c["bp"].is_(None), sales), else_=0))]
    row = session.execute(sa.select(*sums).select_from(alike).join(table, table.c.day == alike.c.sold_on)).one()
    ebay, ebay_unknown, etsy, etsy_unknown = row[3:]
    return Totals(
        int(row[0] or 0),
        int(row[1] or 0),
        int(row[2] or 0),
        None if ebay_unknown else int(ebay or 0),
        None if etsy_unknown else int(etsy or 0),
    )


def _days_table(session: Session, names: list[str], rows: list[tuple]):
    """Each day's parameters as a table (``day`` and ``names``), handed in as one parameter a column (PostgreSQL's
    arrays) or one in all (SQLite's JSON), so the statement is the same whatever the days and is compiled once."""
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(len(names) + 1)]
    if session.get_bind().dialect.name == "postgresql":
        arrays = [sa.bindparam("days_day", list(columns[0]), type_=postgresql.ARRAY(sa.Date))]
        arrays += [
            sa.bindparam(f"days_{n}", list(values), type_=postgresql.ARRAY(sa.BigInteger))
            for n, values in zip(names, columns[1:], strict=True)
        ]
        typed = [sa.column("day", sa.Date), *(sa.column(n, sa.BigInteger) for n in names)]
        return sa.func.unnest(*arrays).table_valued(*typed).render_derived(name="days")
    data = json.dumps([[day.isoformat(), *values] for day, *values in rows])
    each = sa.func.json_each(sa.bindparam("days", data, type_=sa.String)).table_valued("value")
    picked = [sa.func.json_extract(each.c.value, "$[0]").label("day")]
    picked += [
        sa.type_coerce(sa.func.json_extract(each.c.value, f"$[{n}]"), sa.BigInteger).label(name)
        for n, name in enumerate(names, start=1)
    ]
    return sa.select(*picked).subquery("days")


PARAMETERS = ("bp", "high", "low", "threshold", "listing", "micro")


def _parameters(
    schedule: FeeSchedule | None, micro: int | None, marketplace: Marketplace, extra: Extra
) -> tuple[int | None, ...]:
    """One day's schedule and rate as ``totals`` computes with them: ``would_take``'s terms, the threshold in
    pesos' millionths (-1: none, so no total is at or below it); all None on a day without them."""
    if schedule is None or micro is None:
        return (None,) * len(PARAMETERS)
    bp = schedule.rate_bp + (
        extra.ebay_international_bp if marketplace is Marketplace.ebay else extra.etsy_processing_bp
    )
    low = schedule.threshold is not None and schedule.order_fee_at_or_below is not None
    return (
        bp,
        schedule.order_fee,
        schedule.order_fee_at_or_below if low else schedule.order_fee,
        schedule.threshold * micro if low else -1,
        schedule.listing_fee,
        micro,
    )
