"""Whether a product may carry a fair-trade claim on a day: one pure function over plain facts, so the store,
the JSON-LD, OpenGraph, the JSON API and the order snapshot all ask the same question and get the same answer.

It reads no database and no clock. The caller loads the facts (``shop.certification`` services) and says which
local day it is; a claim is therefore exactly as true as the records behind it, and changes at the boundary day
even when no row changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class ClaimKind(StrEnum):
    """What a scheme vouches for: the product (a certified product) or the organisation that makes it (WFTO)."""

    product = "product"
    organisation = "organisation"


class CertificateStatus(StrEnum):
    applicant = "applicant"
    provisional = "provisional"
    certified = "certified"
    suspended = "suspended"
    withdrawn = "withdrawn"
    expired = "expired"
    superseded = "superseded"


@dataclass(frozen=True)
class Period:
    """Days from ``starts`` to ``ends``, both included; no end means it still runs."""

    starts: date
    ends: date | None = None

    def covers(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


@dataclass(frozen=True)
class SchemeTerms:
    """What the claim function needs of a scheme (schemes are data, kept in the database)."""

    name: str
    kind: ClaimKind
    wording_es: str
    wording_en: str
    renewal_grace_days: int = 0
    needs_licence: bool = False  # the mark only under a signed licence or labelling agreement


@dataclass(frozen=True)
class CertificateFacts:
    number: str  # the certificate or membership id the certifier gave
    scheme: SchemeTerms
    status: CertificateStatus
    valid_from: date
    expires_on: date  # the last day it is valid
    products: frozenset[int] = frozenset()
    categories: frozenset[int] = frozenset()
    weavers: frozenset[int] = frozenset()
    licences: tuple[Period, ...] = ()
    superseded_from: date | None = None  # the first day of a renewal the certifier decided on
    id: int | None = None  # the record's, for screens that show which certificate stands

    def stands_on(self, day: date) -> bool:
        """Certified on ``day``, or past its expiry by no more than the scheme's renewal grace; never once a
        decided renewal has taken over, so a renewal suspended or narrowed cannot be bypassed by the grace."""
        last = self.expires_on + timedelta(days=max(self.scheme.renewal_grace_days, 0))
        if self.superseded_from is not None and day >= self.superseded_from:
            return False
        return self.status is CertificateStatus.certified and self.valid_from <= day <= last

    def licensed_on(self, day: date) -> bool:
        return not self.scheme.needs_licence or any(licence.covers(day) for licence in self.licences)

    def marks_on(self, day: date) -> bool:
        """Whether the mark may be used under this certificate on ``day`` (for the pieces in its scope)."""
        return self.stands_on(day) and self.licensed_on(day)


@dataclass(frozen=True)
class ProductFacts:
    id: int
    category_id: int | None
    weavers: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Claim:
    """A claim that holds: the scheme, the certificate it rests on, and the words the scheme allows."""

    scheme: str
    kind: ClaimKind
    certificate: str
    wording_es: str
    wording_en: str

    def wording(self, language: str) -> str:
        return self.wording_es if language == "es" else self.wording_en

    def snapshot(self) -> dict[str, str]:
        """The claim as an order line keeps it, in plain JSON."""
        return {
            "scheme": self.scheme,
            "kind": self.kind.value,
            "certificate": self.certificate,
            "wording_es": self.wording_es,
            "wording_en": self.wording_en,
        }


def in_scope(certificate: CertificateFacts, product: ProductFacts) -> bool:
    """The product is named, or its category is; and every weaver it is attributed to is named."""
    listed = product.id in certificate.products or (
        product.category_id is not None and product.category_id in certificate.categories
    )
    return listed and product.weavers <= certificate.weavers


def sanctioned(weaver_id: int, day: date, sanctions: Mapping[int, Iterable[Period]]) -> bool:
    """A weaver under a sanction from the internal inspection leaves the scope until it is lifted."""
    return any(period.covers(day) for period in sanctions.get(weaver_id, ()))


def claims_for(
    product: ProductFacts,
    day: date,
    certificates: Iterable[CertificateFacts],
    sanctions: Mapping[int, Iterable[Period]] | None = None,
) -> tuple[Claim, ...]:
    """Every claim the product may carry on ``day`` (the cooperative's local date), one per scheme, by name.

    A claim holds only when a certificate of its scheme is certified that day (or within the scheme's renewal
    grace), its label licence is valid where the scheme needs one, the product is in its scope directly or
    through its category, and every weaver of the product is in its scope and not sanctioned.
    """
    sanctions = sanctions or {}
    if any(sanctioned(weaver, day, sanctions) for weaver in product.weavers):
        return ()
    found: dict[str, Claim] = {}
    for certificate in certificates:
        scheme = certificate.scheme
        if scheme.name in found or not certificate.stands_on(day):
            continue
        if certificate.licensed_on(day) and in_scope(certificate, product):
            found[scheme.name] = Claim(
                scheme.name, scheme.kind, certificate.number, scheme.wording_es, scheme.wording_en
            )
    return tuple(found[name] for name in sorted(found))
