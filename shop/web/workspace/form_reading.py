"""Reading what was typed into a piece's forms: whole and decimal numbers, and each mistake next to its field."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import Path, Request

from shop.errors import N_, DomainError, ValidationFailed
from shop.i18n import translator

# A row's id in a path: never a number beyond the database's integers.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]

# Where the schema's field names appear on the form.
FORM_FIELD = {
    "slug": "address",
    "price_amount": "price",
    "length_mm": "length_cm",
    "width_mm": "width_cm",
    "height_mm": "height_cm",
    "deposit_bp": "deposit_percent",
}


def pesos_field(amount: int) -> str:
    """Centavos as a plain number for a form field, e.g. 51000 → "510.00"."""
    return str(Decimal(amount).scaleb(-2).quantize(Decimal("0.01")))


class Problems:
    """Messages by form field, in the person's language; the first one for a field wins."""

    def __init__(self, request: Request):
        self.t = translator(getattr(request.state, "lang", None) or "es")
        self.items: dict[str, str] = {}

    def add(self, name: str, message: str, **params) -> None:
        if name not in self.items:
            self.items[name] = self.t.gettext(message, **params)

    def add_error(self, exc: DomainError, name: str | None = None) -> None:
        nested = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
        for problem in nested:
            where = name or FORM_FIELD.get(problem.field or "", problem.field or "form")
            if where not in self.items:
                self.items[where] = problem.translated(self.t.gettext)

    def __contains__(self, name: str) -> bool:
        return name in self.items

    def __bool__(self) -> bool:
        return bool(self.items)


def read_whole(text: str, name: str, problems: Problems) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        problems.add(name, N_("Enter a whole number, such as 3."))
        return None
    return int(text)


def _scaled(
    text: str, name: str, problems: Problems, *, places: int, message: str, maximum: int, zero: bool = False
) -> int | None:
    """A decimal the person typed ("72.5") as an integer count of 10**-places (mm, basis points)."""
    text = (text or "").strip()
    if not text:
        return None
    if "," in text:
        # "72,5" or "1,200"? A comma could be either, so ask rather than guess.
        problems.add(name, N_("Use a point for decimals, such as 72.5, and no commas."))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (value == 0 and not zero):
        problems.add(name, message)
        return None
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        problems.add(name, N_("Use at most %(digits)d decimal places."), digits=places)
        return None
    if value > maximum:
        problems.add(name, N_("Must be at most %(le)s."), le=maximum)
        return None
    return int(scaled)


def read_centimetres(text: str, name: str, problems: Problems) -> int | None:
    return _scaled(text, name, problems, places=1, message=N_("Enter centimetres, such as 72 or 72.5."), maximum=10_000)


def read_percent(text: str, name: str, problems: Problems, *, zero: bool = False) -> int | None:
    message = N_("Enter a percentage, such as 50 or 33.33.")
    return _scaled(text, name, problems, places=2, message=message, maximum=100, zero=zero)


FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # beyond these, a date is surely mistyped


def read_day(text: str, name: str, problems: Problems, *, required: bool = True) -> date | None:
    """A ``YYYY-MM-DD`` date from a date field; an empty optional one is None."""
    text = (text or "").strip()
    if not text:
        if required:
            problems.add(name, N_("Choose the date."))
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.add(name, N_("Write the date as YYYY-MM-DD, for example 2026-11-27."))
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        problems.add(name, N_("This date is too far in the past or in the future."))
        return None
    return day
