"""For each sale: what its channel really cost (the processor's fee and its tax as the ledger booked them from
the processor's own balance transaction, never computed), what eBay and Etsy would have taken for it, and what
reached the weavers."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.clock import LOCAL_ZONE, to_local
from shop.ledger.models import Account, Entry, LedgerTransaction, TransactionKind
from shop.marketplaces.fees import Extra, Sale, would_take
from shop.marketplaces.models import ExchangeRate, FeeSchedule, Marketplace
from shop.orders.models import Order, OrderLine


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


def compare(session: Session, first: date, end: date, extra: Extra) -> list[Compared]:
    """Every order with a sale booked from ``first`` up to ``end`` (not included), newest first."""
    start, stop = datetime.combine(first, time(), LOCAL_ZONE), datetime.combine(end, time(), LOCAL_ZONE)
    sales = (
        sa.select(LedgerTransaction.order_id, sa.func.min(LedgerTransaction.created_at).label("at"))
        .where(
            LedgerTransaction.kind == TransactionKind.sale,
            LedgerTransaction.order_id.is_not(None),
            LedgerTransaction.created_at >= start,
            LedgerTransaction.created_at < stop,
        )
        .group_by(LedgerTransaction.order_id)
        .subquery()
    )
    money = (
        sa.select(
            LedgerTransaction.order_id,
            sa.func.sum(sa.case((Account.code == "processor_fees", Entry.amount), else_=0)).label("fee"),
            (-sa.func.sum(sa.case((Account.weaver_id.is_not(None), Entry.amount), else_=0))).label("weavers"),
        )
        .join(Entry, Entry.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == Entry.account_id)
        .where(LedgerTransaction.order_id.in_(sa.select(sales.c.order_id)))
        .group_by(LedgerTransaction.order_id)
        .subquery()
    )
    lines = (
        sa.select(OrderLine.order_id, sa.func.sum(OrderLine.quantity).label("pieces"))
        .group_by(OrderLine.order_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(
            Order.number,
            Order.channel,
            Order.amount_paid,
            Order.total,
            sales.c.at,
            money.c.fee,
            money.c.weavers,
            lines.c.pieces,
        )
        .join(sales, sales.c.order_id == Order.id)
        .join(money, money.c.order_id == Order.id)
        .outerjoin(lines, lines.c.order_id == Order.id)
        .order_by(sales.c.at.desc(), Order.number)
    ).all()
    found, asked = [], {}
    known = Known(session, first, end)
    for number, channel, paid, total, at, fee, weavers, pieces in rows:
        day = to_local(at).date()
        charged = paid or total
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
                int(fee or 0),
                int(weavers or 0),
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


def totals(compared: list[Compared]) -> Totals:
    def summed(values):
        values = list(values)
        return None if any(v is None for v in values) else sum(values)

    return Totals(
        sum(c.total for c in compared),
        sum(c.fee for c in compared),
        sum(c.weavers for c in compared),
        summed(c.ebay for c in compared),
        summed(c.etsy for c in compared),
    )
