"""The day's exchange rates, entered by hand from Banco de México's FIX: parsed exactly (never through a float),
one a day and currency, never for a day still to come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.errors import N_, Conflict, ValidationFailed
from shop.marketplaces.fees import MICRO
from shop.marketplaces.models import ExchangeRate

CURRENCIES = ("USD", "EUR")  # the marketplaces' schedules' currencies and the store's approximate prices


@dataclass(frozen=True)
class DisplayRate:
    """Pesos for one unit of ``currency``, as of ``day``."""

    currency: str
    pesos: Decimal
    day: date


def parse_rate(text: str) -> int:
    """ "17.2345" pesos a unit as millionths (17_234_500); refused unless exact to six places and sensible."""
    cleaned = (text or "").strip().replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationFailed(
            N_("Write the pesos for one unit of the currency, such as 17.2345."), field="rate"
        ) from None
    if not value.is_finite() or value.as_tuple().exponent < -6:
        raise ValidationFailed(
            N_("Write the pesos for one unit of the currency with at most six decimals."), field="rate"
        )
    if not Decimal("0.01") <= value <= Decimal("1000"):
        raise ValidationFailed(N_("A rate of %(rate)s pesos cannot be right."), field="rate", rate=cleaned[:20])
    return int(value * MICRO)


def record(session: Session, *, day: date, currency: str, rate: str, source: str, today: date) -> ExchangeRate:
    if currency not in CURRENCIES:
        raise ValidationFailed(N_("Choose the currency."), field="currency")
    if day > today:
        raise ValidationFailed(N_("A rate is entered once its day has come."), field="day")
    micro = parse_rate(rate)
    taken = sa.select(ExchangeRate.id).where(ExchangeRate.day == day, ExchangeRate.currency == currency)
    if session.scalar(taken) is not None:
        raise Conflict(N_("The rate of %(day)s is already recorded."), field="day", day=day.isoformat())
    found = ExchangeRate(day=day, currency=currency, mxn_micro=micro, source=source.strip()[:200])
    session.add(found)
    session.flush()
    return found


def latest(session: Session, limit: int = 30) -> list[ExchangeRate]:
    return list(session.scalars(sa.select(ExchangeRate).order_by(ExchangeRate.day.desc()).limit(limit)))


def display_rates(session: Session, fallback: dict[str, Decimal], fallback_day: date) -> list[DisplayRate]:
    """The newest rate entered for each currency with its day; the configured rate where none was entered yet."""
    newest = (
        sa.select(ExchangeRate.currency, sa.func.max(ExchangeRate.day).label("day"))
        .where(ExchangeRate.currency.in_(CURRENCIES))
        .group_by(ExchangeRate.currency)
        .subquery()
    )
    rows = session.execute(
        sa.select(ExchangeRate.currency, ExchangeRate.mxn_micro, ExchangeRate.day).join(
            newest, sa.and_(ExchangeRate.currency == newest.c.currency, ExchangeRate.day == newest.c.day)
        )
    ).all()
    entered = {currency: DisplayRate(currency, Decimal(micro) / MICRO, day) for currency, micro, day in rows}
    found = []
    for currency in CURRENCIES:
        if currency in entered:
            found.append(entered[currency])
        elif currency in fallback:
            found.append(DisplayRate(currency, fallback[currency], fallback_day))
    return found
