"""Turning catalogue rows into the words and figures a buyer reads, in her language."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel.lists import format_list

from shop.catalogue.availability import Availability, AvailabilityInfo, deposit_amount
from shop.catalogue.models import Product, Weaver
from shop.i18n import Translator
from shop.marketplaces.rates import DisplayRate
from shop.money import convert_for_display

COOPERATIVE = "J'pas Joloviletik"


def loc(obj, field: str, lang: str) -> str:
    """A bilingual field in the wanted language, falling back to Spanish, the cooperative's own."""
    value = getattr(obj, f"{field}_{lang}", None)
    if value:
        return value
    return getattr(obj, f"{field}_es", None) or getattr(obj, f"{field}_en", None) or ""


def availability_label(t: Translator, info: AvailabilityInfo) -> str:
    if info.state is Availability.one_of_a_kind:
        return t.gettext("One of a kind")
    if info.state is Availability.in_stock:
        return t.ngettext("%(num)d left", "%(num)d left", info.quantity)
    if info.state is Availability.made_to_order:
        return t.ngettext("Made to order in %(num)d day", "Made to order in %(num)d days", info.lead_time_days or 0)
    if info.state is Availability.on_hold:
        return t.gettext("On hold")
    return t.gettext("Sold out")


def deposit_label(t: Translator, product: Product) -> str | None:
    deposit = deposit_amount(product)
    if deposit is None:
        return None
    return t.gettext(
        "%(percent)s%% deposit (%(amount)s) when you order",
        percent=t.number(Decimal(product.deposit_bp) / 100),
        amount=t.money(deposit, product.currency),
    )


@dataclass(frozen=True)
class Approximation:
    text: str
    rate_date: str


def approximations(t: Translator, amount: int, currency: str, rates: list[DisplayRate]):
    """The price in each display currency, labelled as approximate with the date of its own rate."""
    result = []
    for rate in rates:
        if rate.currency == currency:
            continue
        converted = convert_for_display(amount, currency, rate.currency, rate.pesos, whole_units=True)
        result.append(Approximation(t.money(converted, rate.currency), t.date(rate.day)))
    return result


def cm(millimetres: int) -> str:
    whole, rest = divmod(millimetres, 10)
    return f"{whole}" if rest == 0 else f"{whole}.{rest}"


def dimensions(t: Translator, product: Product) -> str | None:
    sides = [v for v in (product.length_mm, product.width_mm, product.height_mm) if v]
    if not sides:
        return None
    figures = " × ".join(t.number(Decimal(cm(v))) for v in sides)
    return f"{figures} cm"


def public_weavers_of(product: Product) -> tuple[list[Weaver], int]:
    """The weavers a buyer may see by name, and how many more chose not to be shown."""
    named = [a.weaver for a in product.attributions if a.weaver.consent_to_publish]
    return named, len(product.attributions) - len(named)


def woven_by(t: Translator, product: Product) -> str:
    named, hidden = public_weavers_of(product)
    if not named:
        return t.gettext("Woven by a member of %(cooperative)s", cooperative=COOPERATIVE)
    names = [w.name for w in named]
    if hidden:
        names.append(
            t.ngettext(
                "another member of %(cooperative)s",
                "%(num)d other members of %(cooperative)s",
                hidden,
                cooperative=COOPERATIVE,
            )
        )
    return t.gettext("Woven by %(names)s", names=format_list(names, locale=t.locale))


def place(weaver: Weaver) -> str:
    """ "Nachij, Zinacantán", but just "San Andrés Larráinzar" where the community names its municipio."""
    if weaver.municipio.casefold() in weaver.community.casefold():
        return weaver.community
    return f"{weaver.community}, {weaver.municipio}"
