"""What the council's certification screens read: every certificate with the status to show today and whether
its mark is in use, and one certificate with everything filed with it. Loaded in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from shop.catalogue.models import Category, Product, Weaver
from shop.certification.certificates import DECIDED, shown_status
from shop.certification.claim import CertificateStatus
from shop.certification.findings import SERIOUS
from shop.certification.models import (
    Certificate,
    CertificateCategory,
    CertificateDocument,
    CertificateProduct,
    CertificateWeaver,
    CertificationAudit,
    LabelLicence,
    NonConformity,
    Scheme,
    WeaverSanction,
)
from shop.certification.service import certified_facts
from shop.errors import N_, NotFound


@dataclass(frozen=True)
class CertificateRow:
    certificate: Certificate
    scheme: Scheme
    status: CertificateStatus  # as shown today: expired and superseded follow from dates and renewals
    marks: bool  # its mark may be used today on the pieces in its scope
    renewed_by: Certificate | None


def _renewals(session: Session) -> dict[int, Certificate]:
    renewal = aliased(Certificate)
    return {r.supersedes_id: r for r in session.scalars(sa.select(renewal).where(renewal.supersedes_id.is_not(None)))}


def _taken_over_from(renewal: Certificate | None) -> date | None:
    return renewal.valid_from if renewal is not None and renewal.status in DECIDED else None


def marking_today(session: Session, day: date) -> set[int]:
    """The certificates whose mark may be used on ``day``: the claim function's own rule, not a second one."""
    return {facts.id for facts in certified_facts(session) if facts.marks_on(day)}


def certificate_rows(session: Session, day: date) -> list[CertificateRow]:
    """Every certificate, the ones in force first, then the newest."""
    renewals = _renewals(session)
    marking = marking_today(session, day)
    rows = []
    for certificate, scheme in session.execute(
        sa.select(Certificate, Scheme)
        .join(Scheme, Scheme.id == Certificate.scheme_id)
        .order_by(Certificate.valid_from.desc(), Certificate.id.desc())
    ):
        renewal = renewals.get(certificate.id)
        status = shown_status(certificate, day, taken_over_from=_taken_over_from(renewal))
        rows.append(CertificateRow(certificate, scheme, status, certificate.id in marking, renewal))
    return sorted(rows, key=lambda row: not row.marks)


@dataclass(frozen=True)
class ScopeWeaver:
    weaver: Weaver
    sanctioned: bool  # out of the scope today by an internal inspection's sanction


@dataclass(frozen=True)
class CertificateFile:
    row: CertificateRow
    renews: Certificate | None
    categories: list[Category]
    products: list[Product]
    weavers: list[ScopeWeaver]
    documents: list[CertificateDocument]
    licences: list[LabelLicence]
    audits: list[CertificationAudit]
    open_findings: dict[int, int]  # audit id: its open non-conformities
    overdue_findings: dict[int, int]  # audit id: its open major or critical ones past their deadline


def certificate_file(session: Session, certificate_id: int, day: date) -> CertificateFile:
    certificate = session.get(Certificate, certificate_id)
    if certificate is None:
        raise NotFound(N_("There is no such certificate."))
    scheme = session.get(Scheme, certificate.scheme_id)
    renewal = _renewals(session).get(certificate.id)
    status = shown_status(certificate, day, taken_over_from=_taken_over_from(renewal))
    row = CertificateRow(certificate, scheme, status, certificate.id in marking_today(session, day), renewal)
    sanctioned = set(
        session.scalars(
            sa.select(WeaverSanction.weaver_id).where(
                WeaverSanction.starts_on <= day,
                sa.or_(WeaverSanction.lifted_on.is_(None), WeaverSanction.lifted_on >= day),
            )
        )
    )
    weavers = session.scalars(
        sa.select(Weaver)
        .join(CertificateWeaver, CertificateWeaver.weaver_id == Weaver.id)
        .where(CertificateWeaver.certificate_id == certificate.id)
        .order_by(Weaver.name)
    ).all()
    audits = session.scalars(
        sa.select(CertificationAudit)
        .where(CertificationAudit.certificate_id == certificate.id)
        .order_by(CertificationAudit.held_on.desc(), CertificationAudit.id.desc())
    ).all()
    open_findings = dict(
        session.execute(
            sa.select(NonConformity.audit_id, sa.func.count())
            .where(NonConformity.audit_id.in_([a.id for a in audits]), NonConformity.closed_on.is_(None))
            .group_by(NonConformity.audit_id)
        ).all()
    )
    overdue_findings = dict(
        session.execute(
            sa.select(NonConformity.audit_id, sa.func.count())
            .where(
                NonConformity.audit_id.in_([a.id for a in audits]),
                NonConformity.closed_on.is_(None),
                NonConformity.severity.in_(SERIOUS),
                NonConformity.deadline < day,
            )
            .group_by(NonConformity.audit_id)
        ).all()
    )
    return CertificateFile(
        row=row,
        renews=session.get(Certificate, certificate.supersedes_id) if certificate.supersedes_id else None,
        categories=session.scalars(
            sa.select(Category)
            .join(CertificateCategory, CertificateCategory.category_id == Category.id)
            .where(CertificateCategory.certificate_id == certificate.id)
            .order_by(Category.name_es)
        ).all(),
        products=session.scalars(
            sa.select(Product)
            .join(CertificateProduct, CertificateProduct.product_id == Product.id)
            .where(CertificateProduct.certificate_id == certificate.id)
            .order_by(Product.title_es)
        ).all(),
        weavers=[ScopeWeaver(weaver, weaver.id in sanctioned) for weaver in weavers],
        documents=session.scalars(
            sa.select(CertificateDocument)
            .where(CertificateDocument.certificate_id == certificate.id)
            .order_by(CertificateDocument.id)
        ).all(),
        licences=session.scalars(
            sa.select(LabelLicence)
            .where(LabelLicence.certificate_id == certificate.id)
            .order_by(LabelLicence.valid_from)
        ).all(),
        audits=audits,
        open_findings=open_findings,
        overdue_findings=overdue_findings,
    )
