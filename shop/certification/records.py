"""What the council files with a certificate: its documents, its label licences and its audits. Each is a new
row (the certificate itself is never edited for them), so the audit log shows who filed what and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from shop.certification.documents import DocumentKind, StoredDocument
from shop.certification.models import AuditKind, Certificate, CertificateDocument, CertificationAudit, LabelLicence
from shop.errors import N_, NotFound, ValidationFailed


def _certificate(session: Session, certificate_id: int) -> Certificate:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(N_("There is no such certificate."))
    return certificate


def _refuse(problems: list[ValidationFailed]) -> None:
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)


def attach_document(
    session: Session, certificate_id: int, stored: StoredDocument, *, kind: DocumentKind, title: str
) -> CertificateDocument:
    _certificate(session, certificate_id)
    if not title.strip():
        raise ValidationFailed(N_("Write what the document is."), field="title")
    document = CertificateDocument(
        certificate_id=certificate_id,
        kind=kind,
        title=title.strip(),
        stored_name=stored.name,
        media_type=stored.media_type,
        size_bytes=stored.size_bytes,
    )
    session.add(document)
    session.flush()
    return document


def add_licence(
    session: Session,
    certificate_id: int,
    *,
    reference: str,
    signed_on: date,
    valid_from: date,
    valid_until: date | None,
) -> LabelLicence:
    """The signed licence or labelling agreement under which the scheme's mark may be used."""
    _certificate(session, certificate_id)
    problems = []
    if not reference.strip():
        problems.append(ValidationFailed(N_("Write the licence or contract reference."), field="reference"))
    if valid_until is not None and valid_until < valid_from:
        problems.append(ValidationFailed(N_("The licence ends before it begins."), field="valid_until"))
    _refuse(problems)
    licence = LabelLicence(
        certificate_id=certificate_id,
        reference=reference.strip(),
        signed_on=signed_on,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    session.add(licence)
    session.flush()
    return licence


@dataclass(frozen=True)
class AuditDraft:
    kind: AuditKind
    held_on: date
    auditors: str
    sites: str = ""
    result: str = ""
    strong_points: str = ""
    to_improve: str = ""


def record_audit(
    session: Session, certificate_id: int, draft: AuditDraft, *, report_name: str = ""
) -> CertificationAudit:
    """An audit, visit or assessment, with its report file when there is one (stored already)."""
    _certificate(session, certificate_id)
    _refuse([ValidationFailed(N_("Write who audited."), field="auditors")] if not draft.auditors.strip() else [])
    audit = CertificationAudit(
        certificate_id=certificate_id,
        kind=draft.kind,
        held_on=draft.held_on,
        auditors=draft.auditors.strip(),
        sites=draft.sites.strip(),
        result=draft.result.strip(),
        strong_points=draft.strong_points.strip(),
        to_improve=draft.to_improve.strip(),
        report_path=report_name,
    )
    session.add(audit)
    session.flush()
    return audit
