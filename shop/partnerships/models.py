"""A partnership or grant with its funder or agency, level, kind and status, amount and period, the reports
due to it, and its documents."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.models_base import created_at_field, str_enum


class Level(StrEnum):
    municipal = "municipal"
    state = "state"
    federal = "federal"
    civil_society = "civil_society"


GOVERNMENT = (Level.municipal, Level.state, Level.federal)


class Kind(StrEnum):
    grant = "grant"
    agreement = "agreement"
    in_kind = "in_kind"


class Status(StrEnum):
    proposal = "proposal"
    submitted = "submitted"
    granted = "granted"
    declined = "declined"
    active = "active"
    closed = "closed"


class Partnership(SQLModel, table=True):
    __tablename__ = "partnerships"
    __table_args__ = (
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR starts_on <= ends_on", name="period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner: str = Field(max_length=200)  # the funder or agency: INMUJERES, a state institute…
    title: str = Field(max_length=300)
    level: Level = Field(sa_type=str_enum(Level, "partner_level"), nullable=False)
    kind: Kind = Field(sa_type=str_enum(Kind, "partnership_kind"), nullable=False)
    status: Status = Field(default=Status.proposal, sa_type=str_enum(Status, "partnership_status"), nullable=False)
    amount: int | None = Field(default=None, sa_type=sa.BigInteger)  # minor units of ``currency``
    currency: str = Field(default="MXN", max_length=3)
    starts_on: date | None = None
    ends_on: date | None = None
    signed_on: date | None = None
    spent: int = Field(default=0, sa_type=sa.BigInteger)  # of the amount, reported as spent
    notes: str = Field(default="", max_length=2000)
    created_at: datetime = created_at_field()


class StatusChange(SQLModel, table=True):
    __tablename__ = "partnership_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnerships.id", ondelete="CASCADE", index=True)
    status: Status = Field(sa_type=str_enum(Status, "partnership_status"), nullable=False)
    on: date
    by_name: str = Field(max_length=120)
    created_at: datetime = created_at_field()


class ReportDue(SQLModel, table=True):
    """A report owed to the funder or agency by a day; alerts come 30 and 7 days before it."""

    __tablename__ = "partnership_reports"

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnerships.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    due_on: date = Field(index=True)
    submitted_on: date | None = None
    created_at: datetime = created_at_field()


class PartnershipDocument(SQLModel, table=True):
    """A signed agreement, a proposal, a report: kept outside the public media."""

    __tablename__ = "partnership_documents"

    id: int | None = Field(default=None, primary_key=True)
    partnership_id: int = Field(foreign_key="partnerships.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    stored_name: str = Field(max_length=120, unique=True)
    size_bytes: int
    created_at: datetime = created_at_field()


track(Partnership, StatusChange, ReportDue, PartnershipDocument)
