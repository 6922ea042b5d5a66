"""Recording certificates and moving them through the certifier's decisions: one transition function with its
legal moves, as orders and payments have. Expired and superseded are never set by hand: they follow from the
dates and from a renewal, which is a new certificate; the old row is not edited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Category, Product, Weaver
from shop.certification.claim import CertificateStatus
from shop.certification.models import Certificate, CertificateCategory, CertificateProduct, CertificateWeaver, Scheme
from shop.errors import N_, Conflict, InvalidState, NotFound, Phrase, ValidationFailed

S = CertificateStatus
MOVES: dict[CertificateStatus, frozenset[CertificateStatus]] = {
    S.applicant: frozenset({S.provisional, S.certified, S.withdrawn}),
    S.provisional: frozenset({S.certified, S.suspended, S.withdrawn}),
    S.certified: frozenset({S.suspended, S.withdrawn}),
    S.suspended: frozenset({S.certified, S.withdrawn}),
    S.withdrawn: frozenset(),
}
# A renewal the certifier has decided on takes over from its first day, whatever became of it since; only a
# pending application (or one the cooperative withdrew) leaves the old certificate its renewal grace.
DECIDED = (S.provisional, S.certified, S.suspended)
RECORDED_AS = (S.applicant, S.provisional, S.certified)
STATUS_NAMES = {
    S.applicant: N_("applicant"),
    S.provisional: N_("provisional"),
    S.certified: N_("certified"),
    S.suspended: N_("suspended"),
    S.withdrawn: N_("withdrawn"),
    S.expired: N_("expired"),
    S.superseded: N_("superseded"),
}


def move(certificate: Certificate, to: CertificateStatus) -> None:
    """The certifier's decision, if it is a legal move from where the certificate is."""
    if to not in MOVES.get(certificate.status, frozenset()):
        raise InvalidState(
            N_("Certificate %(number)s is %(current)s, so it cannot become %(wanted)s."),
            number=certificate.number,
            current=Phrase(STATUS_NAMES[certificate.status]),
            wanted=Phrase(STATUS_NAMES[to]),
        )
    certificate.status = to


def shown_status(certificate: Certificate, day: date, *, taken_over_from: date | None = None) -> CertificateStatus:
    """The status to show on ``day``: superseded from the first day of a renewal the certifier decided on,
    expired after the last valid day, otherwise the certifier's decision."""
    if taken_over_from is not None and day >= taken_over_from:
        return S.superseded
    if certificate.status in (S.certified, S.provisional) and day > certificate.expires_on:
        return S.expired
    return certificate.status


@dataclass(frozen=True)
class CertificateDraft:
    scheme_id: int
    certifier: str
    number: str
    valid_from: date
    expires_on: date
    status: CertificateStatus = S.applicant
    risk_category: str = ""
    issued_on: date | None = None
    next_audit_due: date | None = None
    sites: str = ""
    product_ids: frozenset[int] = field(default_factory=frozenset)
    category_ids: frozenset[int] = field(default_factory=frozenset)
    weaver_ids: frozenset[int] = field(default_factory=frozenset)


def _problems(draft: CertificateDraft) -> list[ValidationFailed]:
    problems = []
    if not draft.certifier.strip():
        problems.append(ValidationFailed(N_("Write who certifies."), field="certifier"))
    if not draft.number.strip():
        problems.append(ValidationFailed(N_("Write the certificate or membership number."), field="number"))
    if draft.expires_on < draft.valid_from:
        problems.append(ValidationFailed(N_("The expiry date is before the start of validity."), field="expires_on"))
    if draft.status not in RECORDED_AS:
        problems.append(
            ValidationFailed(N_("A new certificate is an applicant, provisional or certified."), field="status")
        )
    if not draft.product_ids and not draft.category_ids:
        problems.append(ValidationFailed(N_("Choose the categories or pieces it covers."), field="scope"))
    return problems


def record(session: Session, draft: CertificateDraft, *, renews: int | None = None) -> Certificate:
    """A new certificate with its scope; with ``renews``, the renewal of that one (of the same scheme, renewed
    once), which stays as it was."""
    problems = _problems(draft)
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    if session.get(Scheme, draft.scheme_id) is None:
        raise ValidationFailed(N_("Choose the scheme."), field="scheme_id")
    for model, ids in ((Product, draft.product_ids), (Category, draft.category_ids), (Weaver, draft.weaver_ids)):
        if ids and len(set(session.scalars(sa.select(model.id).where(model.id.in_(ids))))) != len(ids):
            raise ValidationFailed(N_("Something chosen is no longer there. Choose again."), field="scope")
    if renews is not None:
        old = session.get(Certificate, renews, with_for_update=True)
        if old is None:
            raise NotFound(N_("There is no such certificate."))
        if old.scheme_id != draft.scheme_id:
            raise ValidationFailed(N_("A renewal is of the same scheme as the certificate it renews."), field="scheme")
        if session.scalar(sa.select(Certificate.id).where(Certificate.supersedes_id == old.id)) is not None:
            raise Conflict(N_("Certificate %(number)s has already been renewed."), number=old.number)
    certificate = Certificate(
        scheme_id=draft.scheme_id,
        certifier=draft.certifier.strip(),
        number=draft.number.strip(),
        risk_category=draft.risk_category.strip(),
        status=draft.status,
        issued_on=draft.issued_on,
        valid_from=draft.valid_from,
        expires_on=draft.expires_on,
        next_audit_due=draft.next_audit_due,
        sites=draft.sites.strip(),
        supersedes_id=renews,
    )
    session.add(certificate)
    session.flush()
    session.add_all(CertificateProduct(certificate_id=certificate.id, product_id=pid) for pid in draft.product_ids)
    session.add_all(CertificateCategory(certificate_id=certificate.id, category_id=cid) for cid in draft.category_ids)
    session.add_all(CertificateWeaver(certificate_id=certificate.id, weaver_id=wid) for wid in draft.weaver_ids)
    session.flush()
    return certificate


def set_next_audit(certificate: Certificate, due: date | None) -> None:
    """The certifier announces the next audit after each one; the only date of a certificate that moves."""
    if due is not None and due < certificate.valid_from:
        raise ValidationFailed(N_("The next audit cannot be before the certificate begins."), field="next_audit_due")
    certificate.next_audit_due = due
