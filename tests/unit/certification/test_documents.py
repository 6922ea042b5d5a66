"""Certification documents: PDFs by their signature and end marker (never opened), photos checked like product
photos and re-encoded without their metadata; stored under fresh names in a private folder."""

from __future__ import annotations

import io

import pytest
from factories import photo_bytes
from PIL import Image as PILImage

from shop.catalogue.images import ImageLimits
from shop.certification.documents import DocumentKind, document_name, store_document
from shop.errors import NotFound, ValidationFailed
from shop.storage import FileMissing, LocalStore

LIMITS = ImageLimits(max_bytes=200_000, max_pixels=4_000_000)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def refused(data: bytes, tmp_path, limits=LIMITS) -> str:
    with pytest.raises(ValidationFailed) as problem:
        store_document(data, LocalStore(tmp_path), DocumentKind.report, limits, field="report")
    assert problem.value.field == "report"
    assert list(tmp_path.iterdir()) == []
    return problem.value.message


def test_a_pdf_is_kept_as_sent_under_a_fresh_name(tmp_path):
    stored = store_document(PDF, LocalStore(tmp_path), DocumentKind.certificate, LIMITS, field="file")
    assert stored.name.startswith("certificate-") and stored.name.endswith(".pdf")
    assert (stored.media_type, stored.size_bytes) == ("application/pdf", len(PDF))
    assert (tmp_path / stored.name).read_bytes() == PDF
    again = store_document(PDF, LocalStore(tmp_path), DocumentKind.certificate, LIMITS, field="file")
    assert again.name != stored.name
    assert document_name(stored.name) == (stored.name, "application/pdf")


def test_a_photo_is_re_encoded_upright_without_its_metadata(tmp_path):
    exif = PILImage.Exif()
    exif[0x010F] = "Telefono"  # the camera's maker, as phones write it with the place
    data = photo_bytes(640, 480, fmt="JPEG", exif=exif.tobytes())
    stored = store_document(data, LocalStore(tmp_path), DocumentKind.evidence, LIMITS, field="evidence")
    assert stored.media_type == "image/jpeg"
    with PILImage.open(io.BytesIO((tmp_path / stored.name).read_bytes())) as kept:
        assert kept.size == (640, 480)
        assert not kept.getexif()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty. Choose a PDF or a photo."),
        (PDF[:-7], "This PDF is incomplete or damaged. Save it again and upload it."),
        (b"<html><script>alert(1)</script>", "This file is neither a PDF nor a photo"),
        (b"\x00" * 200_001, "This file is too large"),
    ],
)
def test_what_is_not_a_whole_pdf_or_photo_is_refused_and_nothing_is_kept(tmp_path, data, message):
    assert refused(data, tmp_path).startswith(message)


def test_a_decompression_bomb_is_refused_before_it_expands(tmp_path):
    bomb = photo_bytes(3000, 3000, fmt="PNG")  # 9 megapixels, a few kilobytes
    assert "too many pixels" in refused(bomb, tmp_path)


@pytest.mark.parametrize("name", ["", None, "../secret_key.pdf", "a/b.pdf", ".hidden.pdf", "x.html"])
def test_a_name_outside_the_folder_or_unknown_is_not_found(name):
    with pytest.raises(NotFound):
        document_name(name)


def test_a_document_no_longer_stored_is_missing(tmp_path):
    name, _ = document_name("gone.pdf")
    with pytest.raises(FileMissing):
        LocalStore(tmp_path).get(name)
