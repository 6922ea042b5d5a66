"""An assembly's minutes: the text, and the scanned pages of the signed paper. The pages show members' names,
signatures and thumbprints, so they are kept outside the public media and served only to the council and the
admin; each is checked like a product photo and stored as a JPEG without the phone's metadata."""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.images import ImageLimits, private_jpeg, write_atomically
from shop.cooperative.models import Assembly, MinutesPage
from shop.errors import N_, NotFound, ValidationFailed

MAX_MINUTES_CHARS = 20_000


def write_minutes(session: Session, assembly_id: int, text: str) -> Assembly:
    assembly = session.get(Assembly, assembly_id, with_for_update=True)
    if assembly is None:
        raise NotFound(N_("There is no such assembly."))
    if len(text) > MAX_MINUTES_CHARS:
        raise ValidationFailed(N_("The minutes are too long to keep as text."), field="minutes")
    assembly.minutes = text.strip()
    session.flush()
    return assembly


def add_page(session: Session, assembly_id: int, data: bytes, folder: Path, limits: ImageLimits) -> MinutesPage:
    """Store a scanned page as the assembly's next page. A file stored for a change that is then refused is
    merely unreferenced, never wrong."""
    if session.get(Assembly, assembly_id, with_for_update=True) is None:
        raise NotFound(N_("There is no such assembly."))
    picture = private_jpeg(data, limits, field="page")
    name = f"minutes-{int(assembly_id)}-{secrets.token_hex(10)}.jpg"
    write_atomically(folder / name, picture)
    number = (
        session.scalar(sa.select(sa.func.max(MinutesPage.page)).where(MinutesPage.assembly_id == assembly_id)) or 0
    ) + 1
    page = MinutesPage(assembly_id=assembly_id, page=number, stored_name=name, size_bytes=len(picture))
    session.add(page)
    session.flush()
    return page


def page_file(folder: Path, name: str | None) -> Path:
    """The stored page, refusing any name that would leave the folder."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".jpg"):
        raise NotFound(N_("There is no such page."))
    path = folder / name
    if not path.is_file():
        raise NotFound(N_("There is no such page."))
    return path
