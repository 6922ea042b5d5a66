"""Money is an integer count of minor units plus an ISO 4217 code; never a float.

Decimal appears only at the edges: parsing what a person typed and formatting for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal, get_currency_precision, get_currency_symbol

from shop.errors import N_, ValidationFailed

BASIS_POINTS = 10_000
# No price, payment or payout the cooperative handles comes near this; anything above is a typo.
MAX_AMOUNT = 10**12


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if len(self.currency) != 3:
            raise ValueError("currency must be a 3-letter code")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def as_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_digits(self.currency))


def parse_amount(text: str, currency: str, *, field: str | None = None) -> int:
    """Turn what a person typed ("1,850.50", "1850") into minor units, refusing anything inexact."""
    cleaned = (text or "").strip().replace(",", "").replace("$", "").replace(" ", "")
    if len(cleaned) > 30:
        raise ValidationFailed(N_("The amount is too large."), field=field)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationFailed(N_("Enter an amount such as 1850 or 1850.50."), field=field) from None
    if not value.is_finite():
        raise ValidationFailed(N_("Enter an amount such as 1850 or 1850.50."), field=field)
    if value.adjusted() > 15:  # "1e999999" is a finite Decimal that no scaling or int() should meet
        raise ValidationFailed(N_("The amount is too large."), field=field)
    digits = minor_digits(currency)
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValidationFailed(N_("Use at most %(digits)d decimal places."), field=field, digits=digits)
    if value < 0:
        raise ValidationFailed(N_("The amount cannot be negative."), field=field)
    if minor > MAX_AMOUNT:
        raise ValidationFailed(N_("The amount is too large."), field=field)
    return int(minor)


def format_money(amount: int, currency: str, locale: str, *, trim_cents: bool = True) -> str:
    """Format minor units so a buyer anywhere cannot mistake pesos for dollars.

    A bare "$" gets the ISO code after it ("$1,850 MXN"), a symbol that is already a code reads as
    "102 USD", and a distinctive symbol stands alone ("MX$1,850"). Whole amounts drop ".00" if asked.
    """
    digits = minor_digits(currency)
    value = Decimal(abs(amount)).scaleb(-digits)
    pattern = "#,##0" if trim_cents and amount % (10**digits) == 0 else "#,##0." + "0" * digits
    number = format_decimal(value, format=pattern, locale=locale)
    sign = "−" if amount < 0 else ""
    symbol = get_currency_symbol(currency, locale)
    if symbol.isalpha():
        return f"{sign}{number} {currency}"
    if symbol == "$":
        return f"{sign}${number} {currency}"
    return f"{sign}{symbol}{number}"


def convert_for_display(amount: int, currency: str, target: str, rate: Decimal, *, whole_units: bool = False) -> int:
    """Approximate ``amount`` in ``target`` minor units, ``rate`` being units of ``currency`` per ``target``.

    Display only: nothing is ever charged in the converted amount, so rounding half-up here is harmless.
    """
    major = Decimal(amount).scaleb(-minor_digits(currency)) / rate
    if whole_units:
        major = major.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    minor = major.scaleb(minor_digits(target)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(minor)


def split_basis_points(amount: int, share_bp: int) -> int:
    """The share of ``amount`` for ``share_bp`` basis points, rounded down; callers book the remainder."""
    if not 0 <= share_bp <= BASIS_POINTS:
        raise ValueError("share must be between 0 and 10000 basis points")
    return amount * share_bp // BASIS_POINTS


def basis_points_percent(share_bp: int) -> str:
    """Basis points as the percentage people write, without a float: 8000 → "80", 3333 → "33.33", 50 → "0.5"."""
    text = f"{Decimal(share_bp).scaleb(-2):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class Pesos(int):
    """Centavos that print as money ("$1,500 MXN"), for amounts inside error messages raised by services, which
    do not know the reader's locale (Mexican Spanish and English write pesos the same way)."""

    def __str__(self) -> str:
        return format_money(int(self), "MXN", "es_MX")
