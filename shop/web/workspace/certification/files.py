"""Certification files: taking an upload (a PDF or a photo) from a form, and handing a stored one back to the
council and the admin only. Routes that take files are declared with ``route_class=SignedInFirst``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, UploadFile

from shop.api.http.auth import Council
from shop.api.http.deps import SessionDep
from shop.catalogue.images import ImageLimits
from shop.certification.documents import (
    NO_DOCUMENT,
    DocumentKind,
    StoredDocument,
    check_size,
    document_name,
    store_document,
)
from shop.errors import NotFound
from shop.web.files import stored_file

router = APIRouter(prefix="/taller/certificacion", include_in_schema=False)
StoredName = Annotated[str, Path(max_length=120)]


def _limits(request: Request) -> ImageLimits:
    settings = request.app.state.settings
    return ImageLimits(max_bytes=settings.max_document_bytes, max_pixels=settings.max_image_pixels)


def chosen(upload: UploadFile | None) -> bool:
    """A file input left empty still sends a part with no name and no bytes."""
    return upload is not None and bool(upload.filename or upload.size)


def store_upload(request: Request, upload: UploadFile, kind: DocumentKind, *, field: str) -> StoredDocument:
    """Check and store an uploaded file (ValidationFailed under ``field``); a huge one is refused unread."""
    limits = _limits(request)
    check_size(upload.size or 0, limits, field=field)
    data = upload.file.read(limits.max_bytes + 1)
    return store_document(data, request.app.state.files.certification, kind, limits, field=field)


def forget(request: Request, stored: StoredDocument | None) -> None:
    """A file stored for a change that was then refused: nothing names it, so it goes."""
    if stored is not None:
        request.app.state.files.certification.forget(stored.name)


@router.get("/archivos/{name}")
def show_file(request: Request, session: SessionDep, who: Council, name: StoredName):
    return private_document(request.app.state.files.certification, name, filename=name)


def private_document(store, name: str | None, *, filename: str | None = None):
    """A stored document, shown in the browser but never cached, and sandboxed (a PDF runs no script)."""
    checked, media_type = document_name(name)
    return stored_file(
        store,
        checked,
        media_type=media_type,
        missing=NotFound(NO_DOCUMENT),
        filename=filename,
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
