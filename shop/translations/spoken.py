"""Spoken help: a short recording in Tzotzil for a workspace screen, checked to be audio by its first bytes
(never by its name), kept in the database so every worker can serve it."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

from sqlmodel import Session, select

from shop.errors import N_, NotFound, ValidationFailed
from shop.translations.catalog import bump
from shop.translations.models import SpokenHelp
from shop.translations.strings import workspace_pages

MAX_AUDIO_BYTES = 4 * 1024 * 1024  # a minute of speech is well under 1 MB in any of these formats
MP4_AUDIO_BRANDS = (b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2", b"dash")


class Person(Protocol):
    id: int | None
    name: str


def audio_type(data: bytes) -> str | None:
    """The media type of a recording from its first bytes: Ogg (Opus or Vorbis), MP3, M4A/AAC, WebM, WAV."""
    head = data[:64]
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio/mpeg"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:  # an ADTS frame: raw AAC
        return "audio/aac"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_AUDIO_BRANDS:
        return "audio/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in data[:64]:
        return "audio/webm"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def recordings(session: Session) -> dict:
    """Which screens have a recording, with who recorded it and when (not the sound itself)."""
    columns = (
        SpokenHelp.screen,
        SpokenHelp.content_type,
        SpokenHelp.size,
        SpokenHelp.uploaded_by,
        SpokenHelp.uploaded_at,
    )
    return {row.screen: row for row in session.exec(select(*columns))}


def recording(session: Session, screen: str) -> SpokenHelp:
    row = session.exec(select(SpokenHelp).where(SpokenHelp.screen == screen)).first()
    if row is None:
        raise NotFound(N_("This screen has no spoken help."))
    return row


def _screen(screen: str) -> str:
    if screen not in workspace_pages():
        raise NotFound(N_("The workspace has no such screen."))
    return screen


def record(session: Session, screen: str, data: bytes, *, by: Person, now: datetime) -> SpokenHelp:
    """Keep (or replace) the screen's recording, if it is audio of a kind browsers play."""
    _screen(screen)
    if not data:
        raise ValidationFailed(N_("Choose the recording."), field="file")
    if len(data) > MAX_AUDIO_BYTES:
        raise ValidationFailed(N_("The recording is too large. The limit is %(limit)s."), field="file", limit="4 MB")
    kind = audio_type(data)
    if kind is None:
        raise ValidationFailed(
            N_("This file is not a recording the browser can play. Use Ogg (Opus), MP3, M4A, WebM or WAV."),
            field="file",
        )
    row = session.exec(select(SpokenHelp).where(SpokenHelp.screen == screen)).first()
    if row is None:
        row = SpokenHelp(screen=screen, content=data, content_type=kind, size=len(data), sha256="")
        session.add(row)
    row.content, row.content_type, row.size = data, kind, len(data)
    row.sha256 = hashlib.sha256(data).hexdigest()
    row.uploaded_by_id, row.uploaded_by, row.uploaded_at = by.id, by.name, now
    bump(session)
    return row


def remove(session: Session, screen: str) -> None:
    session.delete(recording(session, _screen(screen)))
    bump(session)
