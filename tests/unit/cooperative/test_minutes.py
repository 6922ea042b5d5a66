"""The minutes: text within its limit, and scanned pages checked like product photos, numbered in order,
stored privately without their metadata; a name outside the folder is never served."""

from __future__ import annotations

import io
from datetime import date

import pytest
from factories import photo_bytes
from PIL import Image as PILImage

from shop.catalogue.images import ImageLimits
from shop.cooperative.minutes import add_page, page_name, write_minutes
from shop.cooperative.models import Assembly, AssemblyKind, Caller
from shop.errors import NotFound, ValidationFailed
from shop.storage import FileMissing, LocalStore

LIMITS = ImageLimits(max_bytes=2_000_000, max_pixels=4_000_000)


@pytest.fixture
def assembly(session) -> Assembly:
    held = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=date(2026, 3, 14),
        place="Nachij",
        notice_posted_on=date(2026, 3, 1),
        notice_posted_at="Tablero",
        agenda="Informe",
    )
    session.add(held)
    session.commit()
    return held


def test_pages_are_numbered_and_kept_without_metadata(session, assembly, tmp_path):
    exif = PILImage.Exif()
    exif[0x010F] = "Telefono"
    store = LocalStore(tmp_path)
    first = add_page(session, assembly.id, photo_bytes(900, 1200, exif=exif.tobytes()), store, LIMITS)
    second = add_page(session, assembly.id, photo_bytes(900, 1200), store, LIMITS)
    assert (first.page, second.page) == (1, 2)
    with PILImage.open(io.BytesIO(store.get(page_name(first.stored_name)))) as kept:
        assert kept.format == "JPEG" and not kept.getexif()


def test_what_is_not_a_photo_or_too_large_is_refused(session, assembly, tmp_path):
    store = LocalStore(tmp_path / "records")
    with pytest.raises(ValidationFailed):
        add_page(session, assembly.id, b"%PDF-1.7 not a photo", store, LIMITS)
    with pytest.raises(ValidationFailed):  # a decompression bomb: too many pixels, read from the header
        add_page(session, assembly.id, photo_bytes(3000, 3000, fmt="PNG"), store, LIMITS)
    assert list(store.names()) == []
    for name in ("../x.jpg", "a.png", ""):
        with pytest.raises(NotFound):
            page_name(name)
    with pytest.raises(FileMissing):
        store.get(page_name("missing.jpg"))


def test_minutes_text_is_kept_within_its_limit(session, assembly):
    write_minutes(session, assembly.id, "  Se abrió la sesión a las 10:00.  ")
    assert assembly.minutes == "Se abrió la sesión a las 10:00."
    with pytest.raises(ValidationFailed):
        write_minutes(session, assembly.id, "x" * 20_001)
