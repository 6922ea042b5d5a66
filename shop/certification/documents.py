"""Certification documents (certificates, audit reports, evidence for a closed non-conformity, licences).

They may name people and show signatures, so they are kept in a private store (``shop.storage``), never the
public media, and only the council and the admin can open them. A PDF is accepted by its signature and its end
marker, and never opened here, so nothing in it is expanded on the server; a photo is checked exactly as product
photos are (its pixel count is read from the header before anything is decoded) and re-encoded without its
metadata, since phones write where a photo was taken into it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from shop.catalogue.images import NOT_A_PHOTO, ImageLimits, private_jpeg
from shop.errors import N_, NotFound, ValidationFailed
from shop.storage import FileMissing, FileStore, checked_name

PDF_SIGNATURE = b"%PDF-"
PDF_END = b"%%EOF"
PDF_TAIL = 2048  # the end marker sits within this many bytes of the end, after any trailing junk
LONGEST_SIDE = 2400
JPEG_QUALITY = 85
MEDIA_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg"}
NO_DOCUMENT = N_("There is no such document.")


class DocumentKind(StrEnum):
    certificate = "certificate"
    report = "report"
    evidence = "evidence"
    licence = "licence"
    other = "other"


@dataclass(frozen=True)
class StoredDocument:
    name: str  # inside the documents' store; never the uploader's own file name
    media_type: str
    size_bytes: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _is_pdf(data: bytes) -> bool:
    return data.startswith(PDF_SIGNATURE) and PDF_END in data[-PDF_TAIL:]


def check_size(size: int, limits: ImageLimits, *, field: str) -> None:
    """Refuse by the declared size alone, before a large file is read into memory."""
    if size > limits.max_bytes:
        raise ValidationFailed(
            N_("This file is too large (%(size)s). The limit is %(limit)s."),
            field=field,
            size=_megabytes(size),
            limit=_megabytes(limits.max_bytes),
        )


def store_document(
    data: bytes, store: FileStore, kind: DocumentKind, limits: ImageLimits, *, field: str
) -> StoredDocument:
    """Check an upload is a PDF or a photo we accept, store it under a fresh name, and say what was stored."""
    if not data:
        raise ValidationFailed(N_("The file is empty. Choose a PDF or a photo."), field=field)
    check_size(len(data), limits, field=field)
    if data.startswith(PDF_SIGNATURE):
        if not _is_pdf(data):
            raise ValidationFailed(N_("This PDF is incomplete or damaged. Save it again and upload it."), field=field)
        stored, ext = data, "pdf"
    else:
        try:
            stored = private_jpeg(data, limits, field=field, longest_side=LONGEST_SIDE, quality=JPEG_QUALITY)
        except ValidationFailed as exc:
            if exc.message == NOT_A_PHOTO:
                raise ValidationFailed(
                    N_("This file is neither a PDF nor a photo we can read. Use a PDF, JPEG, PNG or WebP file."),
                    field=field,
                ) from None
            raise
        ext = "jpg"
    name = f"{kind.value}-{secrets.token_hex(12)}.{ext}"
    store.put(name, stored)
    return StoredDocument(name=name, media_type=MEDIA_TYPES[ext], size_bytes=len(stored))


def document_name(name: str | None) -> tuple[str, str]:
    """The stored document's name and media type, refusing any name that could not be one of ours."""
    ext = (name or "").rpartition(".")[2]
    try:
        if ext not in MEDIA_TYPES:
            raise FileMissing(name)
        return checked_name(name), MEDIA_TYPES[ext]
    except FileMissing:
        raise NotFound(NO_DOCUMENT) from None
