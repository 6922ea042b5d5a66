"""For each sale: what its channel really cost (the processor's fee and its tax as the ledger booked them from
the processor's own balance transaction, never computed), what eBay and Etsy would have taken for it, and what
reached the weavers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.clock import LOCAL_ZONE, to_local
from shop.ledger.models import Account, Entry, LedgerTransaction, TransactionKind
from shop.marketplaces.fees import Extra, Sale, rate_on, schedule_on, would_take
from shop.marketplaces.models import Marketplace
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
    for number, channel, paid, total, at, fee, weavers, pieces in rows:
        day = to_local(at).date()
        charged = paid or total
        if day not in asked:  # each day's schedules and rate are read once
            asked[day] = lookups(session, day)
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


def lookups(session: Session, day: date) -> dict[Marketplace, tuple]:
    """Each marketplace's schedule in force on ``day`` and the rate of its currency then."""
    found = {}
    for marketplace in Marketplace:
        schedule = schedule_on(session, marketplace, day)
        found[marketplace] = (schedule, rate_on(session, schedule.currency, day) if schedule else None)
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
