"""The outbox: every e-mail is a row first, so none is lost when the mail server is down."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"  # gave up after many attempts; kept, and shown to staff


class OutboxEmail(SQLModel, table=True):
    __tablename__ = "outbox_emails"
    __table_args__ = (sa.Index("ix_outbox_emails_status_next_attempt_at", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=60)
    to: str = Field(max_length=254)
    language: str = Field(default="es", max_length=5)
    # What the template needs, in plain JSON (amounts as integers); rendered when sent.
    context: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: OutboxStatus = Field(
        default=OutboxStatus.pending, sa_type=str_enum(OutboxStatus, "outbox_status"), nullable=False
    )
    attempts: int = 0
    next_attempt_at: datetime = created_at_field()
    last_error: str = Field(default="", max_length=1000)
    # Guards against sending twice: a sender claims a row until this time.
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    created_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
