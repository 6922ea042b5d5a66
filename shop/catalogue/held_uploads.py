"""Photos held for a form that came back with a mistake, so the weaver never has to choose them again.

A photo chosen on the new-piece form is checked like any product photo, then kept in the private ``held`` store
(never served to the public; ``shop.storage``) with a row naming who chose it and when. The form carries only its
unguessable token; saving the piece turns each held photo into a product photo. Whatever is not used within a
day is thrown away by ``clean_up`` (run on every new upload, and by the jobs command).
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.images import ACCEPTED_FORMATS, MIN_WIDTH, ImageLimits, read_photo, save_image
from shop.catalogue.models import HeldUpload, Image
from shop.errors import N_, ValidationFailed
from shop.storage import FileMissing, FileStores

KEPT_FOR = timedelta(days=1)
PREVIEW_WIDTH = 320


def original_of(held: HeldUpload) -> str:
    """The photo as chosen, in the ``held`` store."""
    return f"{held.token}.{held.original_ext}"


def preview_of(held: HeldUpload) -> str:
    """Its small picture for the form, in the ``held`` store."""
    return f"{held.token}.webp"


def hold(
    session: Session,
    data: bytes,
    *,
    file_name: str,
    user_id: int,
    files: FileStores,
    limits: ImageLimits,
    now: datetime,
) -> HeldUpload:
    """Check the photo as a product photo is checked, keep it privately and return its row."""
    from PIL import Image as PILImage

    fmt, upright = read_photo(data, limits, field="photos")
    if upright.width < MIN_WIDTH:
        raise ValidationFailed(
            N_("This photo is too small. Use one at least %(width)d pixels wide."), field="photos", width=MIN_WIDTH
        )
    held = HeldUpload(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        original_ext=ACCEPTED_FORMATS[fmt],
        file_name=file_name[:200],
        size_bytes=len(data),
        created_at=now,
    )
    files.held.put(original_of(held), data)
    preview = upright.convert("RGB")
    preview.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH * 2), PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    preview.save(buffer, "WEBP", quality=75)
    files.held.put(preview_of(held), buffer.getvalue())
    session.add(held)
    session.flush()
    return held


def held_by(session: Session, tokens: Iterable[str], *, user_id: int, now: datetime) -> list[HeldUpload]:
    """Her own held photos among ``tokens``, still within their day, in the order given (unknown ones left out)."""
    wanted = [t for t in dict.fromkeys(t.strip() for t in tokens) if t and len(t) <= 64]
    if not wanted:
        return []
    found = {
        h.token: h
        for h in session.scalars(
            sa.select(HeldUpload).where(
                HeldUpload.token.in_(wanted), HeldUpload.user_id == user_id, HeldUpload.created_at > now - KEPT_FOR
            )
        )
    }
    return [found[t] for t in wanted if t in found]


def one_held(session: Session, token: str, *, user_id: int, now: datetime) -> HeldUpload | None:
    found = held_by(session, [token], user_id=user_id, now=now)
    return found[0] if found else None


def drop(session: Session, held: HeldUpload) -> None:
    """She does not want this one after all; its files go with the next clean-up."""
    session.delete(held)
    session.flush()


def take(session: Session, held: HeldUpload, *, files: FileStores, limits: ImageLimits) -> Image:
    """Turn a held photo into a stored image (its files go with the next clean-up, once the row is gone)."""
    try:
        data = files.held.get(original_of(held))
    except FileMissing:
        raise ValidationFailed(
            N_("A photo you chose earlier is no longer kept. Choose it again."), field="photos"
        ) from None
    image = save_image(session, data, files, limits, field="photos")
    session.delete(held)
    session.flush()
    return image


def clean_up(session: Session, *, files: FileStores, now: datetime) -> int:
    """Throw away held photos older than a day, and files no row names any more (taken or dropped ones, after
    their transaction, or left by a transaction that rolled back). Returns how many rows went."""
    old = session.scalars(sa.select(HeldUpload).where(HeldUpload.created_at <= now - KEPT_FOR)).all()
    for held in old:
        session.delete(held)
    session.flush()
    kept = set(session.scalars(sa.select(HeldUpload.token)))
    gone = {h.token for h in old}
    cutoff = now - timedelta(minutes=10)  # a file just written may belong to a row not committed
    for name, written in list(files.held.names()):
        token = name.rsplit(".", 1)[0]
        if token in kept:
            continue
        if written < cutoff or token in gone:
            files.held.delete(name)
    return len(old)
