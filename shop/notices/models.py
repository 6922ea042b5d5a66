"""A visitor's request to be told by e-mail, kept until it is sent or she takes it back with its token."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum


class NoticeKind(StrEnum):
    similar_piece = "similar_piece"  # a new piece by the same weaver is published
    card_payment = "card_payment"  # card payment starts working


class Notice(SQLModel, table=True):
    __tablename__ = "notices"
    __table_args__ = (
        # One request per address and subject: asking twice changes nothing.
        sa.Index("ix_notices_pending", "kind", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: NoticeKind = Field(sa_type=str_enum(NoticeKind, "notice_kind"), nullable=False)
    email: str = Field(max_length=254, index=True)
    lang: str = Field(max_length=5)
    weaver_id: int | None = Field(default=None, foreign_key="weavers.id", ondelete="CASCADE", index=True)
    country: str | None = Field(default=None, max_length=2)
    token: str = Field(max_length=64, unique=True)
    consented_at: datetime = created_at_field()
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
