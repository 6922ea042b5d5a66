"""Certification records: schemes (data, not code), certificates with their scope, label licences, and the
sanctions that take a weaver out of the scope. Every change is audited; a renewal is a new certificate that
supersedes the old one, which is never edited again."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.catalogue.revision import shown_in_store
from shop.certification.claim import CertificateStatus, ClaimKind
from shop.certification.documents import DocumentKind
from shop.certification.fair_price import WageBasis, WageUnit
from shop.models_base import created_at_field, str_enum
from shop.split_rules.models import SplitRule


class Scheme(SQLModel, table=True):
    """A fair-trade scheme: whose it is, its standard, and the words its claim may use."""

    __tablename__ = "certification_schemes"
    __table_args__ = (sa.CheckConstraint("renewal_grace_days >= 0", name="grace_not_negative"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    owner: str = Field(max_length=120)  # the scheme's owner or its certifier
    standard_name: str = Field(max_length=200)
    standard_version: str = Field(default="", max_length=40)
    claim_kind: ClaimKind = Field(sa_type=str_enum(ClaimKind, "claim_kind"), nullable=False)
    wording_es: str = Field(max_length=300)
    wording_en: str = Field(max_length=300)
    renewal_grace_days: int = Field(default=0)
    needs_licence: bool = Field(default=False)
    created_at: datetime = created_at_field()


class Certificate(SQLModel, table=True):
    __tablename__ = "certificates"
    __table_args__ = (
        sa.CheckConstraint("valid_from <= expires_on", name="valid_before_expiry"),
        sa.CheckConstraint("supersedes_id IS NULL OR supersedes_id <> id", name="not_itself"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: int = Field(foreign_key="certification_schemes.id", ondelete="RESTRICT", index=True)
    certifier: str = Field(max_length=120)
    number: str = Field(max_length=80)  # the certificate or membership id
    risk_category: str = Field(default="", max_length=40)
    status: CertificateStatus = Field(sa_type=str_enum(CertificateStatus, "certificate_status"), nullable=False)
    issued_on: date | None = None
    valid_from: date
    expires_on: date
    next_audit_due: date | None = None
    sites: str = Field(default="", max_length=1000)  # the places the scope covers, one per line
    supersedes_id: int | None = Field(
        default=None, foreign_key="certificates.id", ondelete="RESTRICT", unique=True
    )  # a certificate is renewed once
    created_at: datetime = created_at_field()


class CertificateProduct(SQLModel, table=True):
    __tablename__ = "certificate_products"

    certificate_id: int = Field(foreign_key="certificates.id", primary_key=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="products.id", primary_key=True, ondelete="CASCADE", index=True)


class CertificateCategory(SQLModel, table=True):
    __tablename__ = "certificate_categories"

    certificate_id: int = Field(foreign_key="certificates.id", primary_key=True, ondelete="CASCADE")
    category_id: int = Field(foreign_key="categories.id", primary_key=True, ondelete="CASCADE", index=True)


class CertificateWeaver(SQLModel, table=True):
    __tablename__ = "certificate_weavers"

    certificate_id: int = Field(foreign_key="certificates.id", primary_key=True, ondelete="CASCADE")
    weaver_id: int = Field(foreign_key="weavers.id", primary_key=True, ondelete="RESTRICT", index=True)


class CertificateDocument(SQLModel, table=True):
    """A file kept with a certificate (the certificate itself, a letter, a licence); stored privately."""

    __tablename__ = "certificate_documents"

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificates.id", ondelete="RESTRICT", index=True)
    kind: DocumentKind = Field(sa_type=str_enum(DocumentKind, "document_kind"), nullable=False)
    title: str = Field(max_length=200)
    stored_name: str = Field(max_length=120, unique=True)
    media_type: str = Field(max_length=40)
    size_bytes: int
    created_at: datetime = created_at_field()


class LabelLicence(SQLModel, table=True):
    """The signed licence or labelling agreement some schemes require before the mark may be used."""

    __tablename__ = "label_licences"
    __table_args__ = (sa.CheckConstraint("valid_until IS NULL OR valid_from <= valid_until", name="dates_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificates.id", ondelete="RESTRICT", index=True)
    reference: str = Field(max_length=80)
    signed_on: date
    valid_from: date
    valid_until: date | None = None
    created_at: datetime = created_at_field()


class InternalInspection(SQLModel, table=True):
    """A visit of the internal control system to one weaver, on which group certification relies."""

    __tablename__ = "internal_inspections"

    id: int | None = Field(default=None, primary_key=True)
    weaver_id: int = Field(foreign_key="weavers.id", ondelete="RESTRICT", index=True)
    held_on: date
    inspector: str = Field(max_length=120)
    findings: str = Field(max_length=4000)
    created_at: datetime = created_at_field()


class WeaverSanction(SQLModel, table=True):
    """A sanction from the internal control system: the weaver is out of every scope until it is lifted."""

    __tablename__ = "weaver_sanctions"
    __table_args__ = (sa.CheckConstraint("lifted_on IS NULL OR starts_on <= lifted_on", name="dates_in_order"),)

    id: int | None = Field(default=None, primary_key=True)
    weaver_id: int = Field(foreign_key="weavers.id", ondelete="RESTRICT", index=True)
    inspection_id: int | None = Field(
        default=None, foreign_key="internal_inspections.id", ondelete="RESTRICT", index=True
    )  # the inspection that imposed it
    reason: str = Field(max_length=1000)
    starts_on: date
    lifted_on: date | None = None  # the last day it applied
    created_at: datetime = created_at_field()


class WageBenchmark(SQLModel, table=True):
    """A published wage or income line a fair price is measured against, with where it comes from."""

    __tablename__ = "wage_benchmarks"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160, unique=True)
    amount: int  # centavos per unit
    unit: WageUnit = Field(sa_type=str_enum(WageUnit, "wage_unit"), nullable=False)
    basis: WageBasis = Field(sa_type=str_enum(WageBasis, "wage_basis"), nullable=False)
    source: str = Field(max_length=400)
    period: str = Field(max_length=40)  # what the figure measures: a year, or a month of a monthly series
    valid_from: date
    created_at: datetime = created_at_field()


class FairPriceWorksheet(SQLModel, table=True):
    """A product's fair-price worksheet: its inputs, from which the fair minimum is computed when shown."""

    __tablename__ = "fair_price_worksheets"
    __table_args__ = (
        sa.CheckConstraint(
            "materials >= 0 AND minutes >= 0 AND overhead_bp >= 0 AND margin_bp >= 0", name="not_negative"
        ),
    )

    product_id: int = Field(foreign_key="products.id", primary_key=True, ondelete="CASCADE")
    benchmark_id: int = Field(foreign_key="wage_benchmarks.id", ondelete="RESTRICT", index=True)
    materials: int  # centavos
    minutes: int  # of work, every weaver together
    overhead_bp: int = 0
    margin_bp: int = 0
    created_at: datetime = created_at_field()


class AuditKind(StrEnum):
    initial = "initial"
    surveillance = "surveillance"
    renewal = "renewal"
    unannounced = "unannounced"  # a confirmation or unannounced audit
    monitoring = "monitoring"
    peer_visit = "peer_visit"
    self_assessment = "self_assessment"
    internal_inspection = "internal_inspection"


class CertificationAudit(SQLModel, table=True):
    """An audit, visit or assessment of a certificate, with what it found; its report is kept privately."""

    __tablename__ = "certification_audits"

    id: int | None = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificates.id", ondelete="RESTRICT", index=True)
    kind: AuditKind = Field(sa_type=str_enum(AuditKind, "audit_kind"), nullable=False)
    held_on: date
    auditors: str = Field(max_length=300)
    sites: str = Field(default="", max_length=1000)
    result: str = Field(default="", max_length=300)
    strong_points: str = Field(default="", max_length=4000)
    to_improve: str = Field(default="", max_length=4000)
    report_path: str = Field(default="", max_length=300)
    created_at: datetime = created_at_field()


class CriterionType(StrEnum):
    core = "core"
    major = "major"
    development = "development"


class Severity(StrEnum):
    observation = "observation"
    minor = "minor"
    major = "major"
    critical = "critical"


class NonConformity(SQLModel, table=True):
    """What an audit found against a criterion. It closes only with evidence and a word on whether the action
    worked; reopening clears the closed date."""

    __tablename__ = "non_conformities"
    __table_args__ = (
        sa.CheckConstraint(
            "closed_on IS NULL OR (evidence_path <> '' AND effectiveness <> '')", name="closed_with_evidence"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="certification_audits.id", ondelete="RESTRICT", index=True)
    criterion: str = Field(max_length=200)
    criterion_type: CriterionType = Field(sa_type=str_enum(CriterionType, "criterion_type"), nullable=False)
    severity: Severity = Field(sa_type=str_enum(Severity, "nc_severity"), nullable=False)
    description: str = Field(max_length=2000)
    root_cause: str = Field(default="", max_length=2000)
    deadline: date
    closed_on: date | None = None
    evidence_path: str = Field(default="", max_length=300)
    effectiveness: str = Field(default="", max_length=1000)
    created_at: datetime = created_at_field()


class ActionKind(StrEnum):
    immediate = "immediate"
    corrective = "corrective"
    preventive = "preventive"


class CorrectiveAction(SQLModel, table=True):
    __tablename__ = "corrective_actions"

    id: int | None = Field(default=None, primary_key=True)
    non_conformity_id: int = Field(foreign_key="non_conformities.id", ondelete="CASCADE", index=True)
    kind: ActionKind = Field(sa_type=str_enum(ActionKind, "action_kind"), nullable=False)
    description: str = Field(max_length=1000)
    owner: str = Field(max_length=120)
    deadline: date
    done_on: date | None = None
    created_at: datetime = created_at_field()


class PlanState(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    dropped = "dropped"


class ImprovementItem(SQLModel, table=True):
    """One item of a self-assessment's improvement plan (WFTO), with its due date and where it stands."""

    __tablename__ = "improvement_items"

    id: int | None = Field(default=None, primary_key=True)
    audit_id: int = Field(foreign_key="certification_audits.id", ondelete="CASCADE", index=True)
    description: str = Field(max_length=1000)
    due_on: date
    state: PlanState = Field(default=PlanState.planned, sa_type=str_enum(PlanState, "plan_state"), nullable=False)
    created_at: datetime = created_at_field()


# What the store shows (the mark, its wording, the public fair-trade page) changes with these rows.
shown_in_store(
    Scheme,
    Certificate,
    CertificateProduct,
    CertificateCategory,
    CertificateWeaver,
    LabelLicence,
    WeaverSanction,
    WageBenchmark,
    NonConformity,
    SplitRule,  # the public fair-trade page tells the weavers' share
)
track(
    Scheme,
    Certificate,
    CertificateProduct,
    CertificateCategory,
    CertificateWeaver,
    CertificateDocument,
    LabelLicence,
    WeaverSanction,
    WageBenchmark,
    FairPriceWorksheet,
    CertificationAudit,
    NonConformity,
    CorrectiveAction,
    InternalInspection,
    ImprovementItem,
)
