"""Time is stored as aware UTC and shown in the cooperative's own time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

LOCAL_ZONE = ZoneInfo("America/Mexico_City")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_ZONE)


def local_today() -> date:
    """The cooperative's date now. It calls ``utcnow`` through this module, so a test that freezes
    ``shop.clock.utcnow`` moves everything that asks this (claims, the page cache's day)."""
    return to_local(utcnow()).date()


class UTCDateTime(TypeDecorator):
    """Always hands back aware UTC, even from SQLite, which keeps no time zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use shop.clock.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
