"""An assembly's minutes: the text, and the scanned pages of the signed paper. The pages show members' names,
signatures and thumbprints, so they are kept in the private ``minutes`` store and served only to the council and
the admin; each is checked like a product photo and stored as a JPEG without the phone's metadata."""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.images import ImageLimits, private_jpeg
from shop.cooperative.models import Assembly, MinutesPage
from shop.errors import N_, NotFound, ValidationFailed
from shop.storage import FileMissing, FileStore, checked_name

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


def add_page(session: Session, assembly_id: int, data: bytes, store: FileStore, limits: ImageLimits) -> MinutesPage:
    """Store a scanned page as the assembly's next page. A file stored for a change that is then refused is
    merely unreferenced, never wrong."""
    if session.get(Assembly, assembly_id, with_for_update=True) is None:
        raise NotFound(N_("There is no such assembly."))
    picture = private_jpeg(data, limits, field="page")
    name = f"minutes-{int(assembly_id)}-{secrets.token_hex(10)}.jpg"
    store.put(name, picture)
    number = (
        session.scalar(sa.select(sa.func.max(MinutesPage.page)).where(MinutesPage.assembly_id == assembly_id)) or 0
    ) + 1
    page = MinutesPage(assembly_id=assembly_id, page=number, stored_name=name, size_bytes=len(picture))
    session.add(page)
    session.flush()
    return page


NO_PAGE = N_("There is no such page.")


def page_name(name: str | None) -> str:
    """The stored page's name, refusing any that could not be one of ours."""
    try:
        if not (name or "").endswith(".jpg"):
            raise FileMissing(name)
        return checked_name(name)
    except FileMissing:
        raise NotFound(NO_PAGE) from None
