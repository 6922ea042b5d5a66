"""What a buyer gives at checkout, checked the way a post office would check it."""

from __future__ import annotations

import contextlib
import re
from functools import cache
from typing import Annotated

from babel import Locale
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shop.errors import N_, DomainError, ValidationFailed

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
# Codes Babel lists as territories that are not countries a parcel can go to.
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}
POSTAL_CODES = {
    "MX": (re.compile(r"^\d{5}$"), N_("A Mexican postal code has 5 digits, e.g. 29200.")),
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), N_("A US ZIP code has 5 digits, e.g. 94103 or 94103-1234.")),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"), N_("A Canadian postal code looks like K1A 0B1.")),
}
OTHER_POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{1,10}$")
NEEDS_REGION = {"MX", "US", "CA"}
NOTES_MAX = 500  # OrderLine.notes
PHONE = re.compile(r"^\+?[0-9 ().-]{7,25}$")


@cache
def countries(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every country, Mexico, the US and Canada first, then by name in ``lang``."""
    names = Locale.parse("es" if lang == "tzo" else lang).territories
    codes = [c for c in names if len(c) == 2 and c.isalpha() and c.isupper() and c not in NOT_COUNTRIES]
    first = ["MX", "US", "CA"]
    rest = sorted((c for c in codes if c not in first), key=lambda c: names[c])
    return [(c, names[c]) for c in first + rest]


class BuyerDetails(BaseModel):
    """Contact and shipping address. Lengths are checked here; the rest by ``problems``."""

    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = ""
    name: Text = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    address_line1: Text = ""
    address_line2: Text = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""
    country: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=2)] = "MX"

    def problems(self) -> list[DomainError]:
        """Every problem at once, each naming its field, so the form can mark them all."""
        found: list[DomainError] = []

        def need(field: str, message: str) -> None:
            if not getattr(self, field):
                found.append(ValidationFailed(message, field=field))

        need("name", N_("Write the name of the person who receives the parcel."))
        need("address_line1", N_("Write the street and number."))
        need("city", N_("Write the city or town."))
        if not self.email:
            found.append(ValidationFailed(N_("Write your email: we send the order's link there."), field="email"))
        else:
            try:
                validate_email(self.email, check_deliverability=False)
            except EmailNotValidError:
                found.append(ValidationFailed(N_("Enter an email address like ana@example.com."), field="email"))
        if not self.phone:
            found.append(ValidationFailed(N_("Write a phone number for the courier."), field="phone"))
        elif not PHONE.match(self.phone) or sum(ch.isdigit() for ch in self.phone) < 7:
            found.append(ValidationFailed(N_("Enter a phone number with at least 7 digits."), field="phone"))
        if self.country not in dict(countries("en")):
            found.append(ValidationFailed(N_("Choose a country from the list."), field="country"))
            return found
        if self.country in NEEDS_REGION and not self.region:
            found.append(ValidationFailed(N_("Write the state or province."), field="region"))
        code = self.postal_code.upper()
        if self.country in POSTAL_CODES:
            pattern, message = POSTAL_CODES[self.country]
            if not pattern.match(code):
                found.append(ValidationFailed(message, field="postal_code"))
        elif code and not OTHER_POSTAL_CODE.match(code):
            found.append(
                ValidationFailed(N_("This postal code has characters that are not allowed."), field="postal_code")
            )
        return found

    def normalized(self) -> BuyerDetails:
        code = self.postal_code.upper()
        if self.country == "CA" and len(code) == 6:
            code = f"{code[:3]} {code[3:]}"
        email = self.email
        with contextlib.suppress(EmailNotValidError):
            email = validate_email(self.email, check_deliverability=False).normalized
        return self.model_copy(update={"postal_code": code, "email": email})

    def address_lines(self, country_name: str) -> list[str]:
        place = " ".join(part for part in (self.postal_code, self.city) if part)
        if self.region:
            place = f"{place}, {self.region}"
        return [line for line in (self.name, self.address_line1, self.address_line2, place, country_name) if line]


class OrderItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int
    quantity: Annotated[int, Field(ge=1, le=50)] = 1
    # A made-to-order piece's size, colours…, for the weaver (ignored for other pieces).
    notes: Annotated[str, StringConstraints(strip_whitespace=True, max_length=NOTES_MAX)] = ""
