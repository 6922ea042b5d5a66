"""Tzotzil texts for the workspace's strings, the counter that tells every worker to compile them again, and
the spoken help recorded for each workspace screen."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum

MAX_TEXT = 2000


class TextState(StrEnum):
    waiting = "waiting"  # written by one speaker, waiting for a second one to review it
    reviewed = "reviewed"  # a second speaker (or a sourced word list) agreed: the workspace shows it


class TzotzilText(SQLModel, table=True):
    """The Tzotzil for one workspace string (its English message id). Only reviewed texts are shown."""

    __tablename__ = "tzotzil_texts"

    id: int | None = Field(default=None, primary_key=True)
    msgid: str = Field(max_length=MAX_TEXT, unique=True)
    text: str = Field(max_length=MAX_TEXT)
    text_plural: str | None = Field(default=None, max_length=MAX_TEXT)
    state: TextState = Field(
        default=TextState.waiting, sa_type=str_enum(TextState, "tzotzil_text_state"), nullable=False, index=True
    )
    # Where a word from a published list comes from (e.g. "W 11-43"); empty for a speaker's own text.
    source: str = Field(default="", max_length=200)
    written_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    written_by: str = Field(default="", max_length=120)
    written_at: datetime = created_at_field()
    reviewed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    reviewed_by: str = Field(default="", max_length=120)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TranslationRevision(SQLModel, table=True):
    """One row, bumped with every change to the texts or the recordings, so each worker notices cheaply."""

    __tablename__ = "translation_revision"

    id: int = Field(default=1, primary_key=True)
    revision: int = Field(default=0)
    changed_at: datetime = created_at_field()


class SpokenHelp(SQLModel, table=True):
    """A short recording, in Tzotzil, that explains one workspace screen."""

    __tablename__ = "spoken_help"

    id: int | None = Field(default=None, primary_key=True)
    screen: str = Field(max_length=120, unique=True)
    content: bytes = Field(sa_type=sa.LargeBinary)
    content_type: str = Field(max_length=40)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    uploaded_by: str = Field(default="", max_length=120)
    uploaded_at: datetime = created_at_field()


track(TzotzilText)
track(SpokenHelp, skipped={"content"})
