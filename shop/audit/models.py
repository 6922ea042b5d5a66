"""The audit log's one table: who changed what, when, and the values before and after."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from shop.models_base import created_at_field


class AuditEvent(SQLModel, table=True):
    """Who changed what, when, and the values before and after."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_at", "at"),
        sa.Index("ix_audit_events_actor_id_at", "actor_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = created_at_field()
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    actor_name: str = Field(max_length=120)
    action: str = Field(max_length=20)  # create, update, delete, sign_in, …
    entity: str = Field(max_length=60)
    entity_id: str = Field(default="", max_length=60)
    summary: str = Field(default="", max_length=300)
    before: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
