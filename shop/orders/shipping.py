"""Shipping rates: a zone per destination country, a price per parcel weight band, kept in the database."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.errors import N_, ValidationFailed
from shop.orders.models import ShippingZone


@dataclass(frozen=True)
class ShippingQuote:
    zone: str
    zone_name_es: str
    zone_name_en: str
    amount: int
    currency: str
    weight_g: int
    min_days: int = 0  # business days from dispatch to the door
    max_days: int = 0


# Where a visitor most likely lives, from the store's language, until she says otherwise.
LIKELY_COUNTRY = {"es": "MX", "en": "US"}


def likely_country(lang: str, chosen: str | None = None) -> str:
    return (chosen or LIKELY_COUNTRY.get(lang, "MX")).upper()


def zone_for(session: Session, country: str) -> ShippingZone:
    zones = session.scalars(
        sa.select(ShippingZone).order_by(ShippingZone.position).options(selectinload(ShippingZone.rates))
    ).all()
    country = country.upper()
    for zone in zones:
        if country in {c.strip() for c in zone.countries.split(",") if c.strip()}:
            return zone
    for zone in zones:
        if not zone.countries.strip():
            return zone
    raise ValidationFailed(N_("We cannot ship to this country yet."), field="country")


def quote(session: Session, country: str, weight_g: int) -> ShippingQuote:
    """The rate of the lightest band that takes the parcel."""
    zone = zone_for(session, country)
    for rate in zone.rates:  # ordered by max_weight_g
        if weight_g <= rate.max_weight_g:
            return ShippingQuote(
                zone.code,
                zone.name_es,
                zone.name_en,
                rate.amount,
                rate.currency,
                weight_g,
                zone.min_days,
                zone.max_days,
            )
    raise ValidationFailed(
        N_("This order is too heavy for one parcel. Write to us and we will arrange the shipping."), field="country"
    )
