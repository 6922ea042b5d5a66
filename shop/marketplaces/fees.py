"""What a marketplace would have taken for a sale, computed from its fee schedule in force on the sale's day
and the day's exchange rate. Integers throughout; rounded once, half up, to centavos."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.marketplaces.models import ExchangeRate, FeeSchedule, Marketplace

BASIS_POINTS = 10_000
MICRO = 1_000_000


@dataclass(frozen=True)
class Sale:
    total: int  # MXN centavos, shipping included
    lines: int  # listings sold
    day: date


@dataclass(frozen=True)
class Extra:
    """Rates the cooperative sets until confirmed: eBay's international fee for a seller in Mexico, Etsy's
    payment processing."""

    ebay_international_bp: int = 0
    etsy_processing_bp: int = 0


def _round(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def schedule_on(session: Session, marketplace: Marketplace, day: date) -> FeeSchedule | None:
    return session.scalars(
        sa.select(FeeSchedule)
        .where(FeeSchedule.marketplace == marketplace, FeeSchedule.valid_from <= day)
        .order_by(FeeSchedule.valid_from.desc())
    ).first()


def rate_on(session: Session, currency: str, day: date) -> int | None:
    """Pesos a unit (in millionths) on ``day``, or on the latest earlier day with a rate (weekends, holidays)."""
    return session.scalar(
        sa.select(ExchangeRate.mxn_micro)
        .where(ExchangeRate.currency == currency, ExchangeRate.day <= day)
        .order_by(ExchangeRate.day.desc())
        .limit(1)
    )


def would_take(schedule: FeeSchedule, sale: Sale, mxn_micro: int, extra: Extra) -> int:
    """MXN centavos the marketplace's schedule takes from ``sale``; fixed fees converted at ``mxn_micro``."""
    percent_part = sale.total * schedule.rate_bp
    if schedule.marketplace is Marketplace.ebay:
        percent_part += sale.total * extra.ebay_international_bp
    if schedule.marketplace is Marketplace.etsy:
        percent_part += sale.total * extra.etsy_processing_bp
    order_fee = schedule.order_fee
    if schedule.threshold is not None and schedule.order_fee_at_or_below is not None:
        total_in_currency = sale.total * MICRO  # compared in the schedule's currency: total / rate
        if total_in_currency <= schedule.threshold * mxn_micro:
            order_fee = schedule.order_fee_at_or_below
    fixed_minor = order_fee + schedule.listing_fee * sale.lines  # in the schedule's currency's cents
    # centavos = basis-point part / 10,000 + fixed cents × pesos-a-unit (millionths) / 1,000,000
    return _round(percent_part * MICRO + fixed_minor * mxn_micro * BASIS_POINTS, BASIS_POINTS * MICRO)


def would_have_cost(session: Session, sale: Sale, extra: Extra) -> dict[Marketplace, int | None]:
    """For each marketplace, what it would have taken, or None without a schedule or a rate for that day."""
    found = {}
    for marketplace in Marketplace:
        schedule = schedule_on(session, marketplace, sale.day)
        rate = rate_on(session, schedule.currency, sale.day) if schedule else None
        found[marketplace] = would_take(schedule, sale, rate, extra) if schedule and rate else None
    return found
