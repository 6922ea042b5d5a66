"""Which ways of paying work for a buyer's country, and the bank details she is shown for a transfer.

- A card, on Stripe's page, works from every country whenever Stripe is set up; OXXO cash vouchers only in Mexico.
- A bank transfer works from Mexico with the national details (``Settings.bank_transfer_details``), and from
  anywhere else only once the admin or the treasurer has set the international details (SWIFT), stored in
  ``InternationalTransferDetails``.
The checkout page, its form's check and the JSON API all ask here, so what is offered is what is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session
from stdnum import bic, iban
from stdnum.exceptions import ValidationError as NumberInvalid

from shop.errors import N_, ValidationFailed
from shop.orders.models import PaymentMethod
from shop.payments.models import InternationalTransferDetails

HOME = "MX"
# What each field is called for the buyer (in her language) and on the workspace screen.
LABELS = {
    "beneficiary": N_("Beneficiary"),
    "bank_name": N_("Bank"),
    "bank_address": N_("Bank address"),
    "swift_bic": N_("SWIFT/BIC"),
    "account": N_("IBAN or account number"),
}


@dataclass(frozen=True)
class TransferDetails:
    beneficiary: str = ""
    bank_name: str = ""
    bank_address: str = ""
    swift_bic: str = ""
    account: str = ""

    @property
    def complete(self) -> bool:
        return all(getattr(self, name) for name in LABELS)

    def text(self, gettext: Callable[[str], str]) -> str:
        """The details as lines of "label: value", for the order page and the e-mails."""
        return "\n".join(f"{gettext(label)}: {getattr(self, name)}" for name, label in LABELS.items())


def stripe_method_types(country: str) -> list[str]:
    """What Stripe's page offers: cards everywhere, OXXO vouchers (cash at a Mexican shop) only in Mexico."""
    return ["card", "oxxo"] if country.upper() == HOME else ["card"]


def international_details(session: Session) -> TransferDetails:
    row = session.scalar(sa.select(InternationalTransferDetails).order_by(InternationalTransferDetails.id).limit(1))
    if row is None:
        return TransferDetails()
    return TransferDetails(**{name: getattr(row, name) for name in LABELS})


def methods_for(session: Session, country: str, *, stripe: bool) -> list[PaymentMethod]:
    """The ways of paying that work for an order sent to ``country``, the card first. May be empty.

    A Mexican buyer may always choose a transfer (or paying in person), as before, even before the national
    details are set: the treasurer can still tell her how to pay.
    """
    found = [PaymentMethod.stripe] if stripe else []
    if country.upper() == HOME or international_details(session).complete:
        found.append(PaymentMethod.offline)
    return found


def check_method(session: Session, country: str, method: PaymentMethod, *, stripe: bool) -> None:
    """Refuse, before anything is written, a way of paying that does not work for ``country``."""
    if method not in methods_for(session, country, stripe=stripe):
        raise ValidationFailed(
            N_("This way of paying is not available for orders sent to that country. Choose one of those shown."),
            field="method",
        )


def transfer_details_for(session: Session, country: str, *, national: str, gettext: Callable[[str], str]) -> str:
    """The bank details a buyer in ``country`` is shown: the national ones for Mexico; the international ones,
    only when complete, for everyone else; otherwise nothing."""
    if country.upper() == HOME:
        return national
    details = international_details(session)
    return details.text(gettext) if details.complete else ""


def _clean(value: str) -> str:
    return " ".join((value or "").split())


def save_international_details(session: Session, values: dict[str, str], *, now: datetime) -> TransferDetails:
    """Set (or, with every field empty, remove) the international details. Either all five are given or none.

    Raises ValidationFailed naming every wrong field; nothing is written then.
    """
    cleaned = {name: _clean(values.get(name, "")) for name in LABELS}
    cleaned["swift_bic"] = cleaned["swift_bic"].replace(" ", "").upper()
    problems: list[ValidationFailed] = []
    limits = {c.name: c.type.length for c in InternationalTransferDetails.__table__.columns if c.name in LABELS}
    if any(cleaned.values()):
        for name in LABELS:
            if not cleaned[name]:
                problems.append(ValidationFailed(N_("Fill in this field too, or empty them all."), field=name))
            elif len(cleaned[name]) > limits[name]:
                problems.append(ValidationFailed(N_("Write at most %(max)d characters."), field=name, max=limits[name]))
        if cleaned["swift_bic"] and "swift_bic" not in {p.field for p in problems}:
            try:
                cleaned["swift_bic"] = bic.validate(cleaned["swift_bic"])
            except NumberInvalid:
                problems.append(
                    ValidationFailed(
                        N_("A SWIFT/BIC code has 8 or 11 letters and digits, e.g. BNMXMXMM."), field="swift_bic"
                    )
                )
        account = cleaned["account"].replace(" ", "").upper()
        if account[:2].isalpha() and "account" not in {p.field for p in problems}:
            try:
                cleaned["account"] = iban.format(iban.validate(account))
            except NumberInvalid:
                problems.append(ValidationFailed(N_("This IBAN is not valid: check its digits."), field="account"))
        elif account and not account.replace("-", "").isdigit():
            problems.append(
                ValidationFailed(
                    N_("An account number has only digits (an IBAN starts with two letters)."), field="account"
                )
            )
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    row = session.scalar(sa.select(InternationalTransferDetails).order_by(InternationalTransferDetails.id).limit(1))
    if row is None:
        row = InternationalTransferDetails()
        session.add(row)
    for name, value in cleaned.items():
        setattr(row, name, value)
    row.updated_at = now
    session.flush()
    return TransferDetails(**cleaned)
