"""Certification files: taking an upload (a PDF or a photo) from a form, and handing a stored one back to the
council and the admin only. Routes that take files are declared with ``route_class=SignedInFirst``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, UploadFile
from fastapi.responses import FileResponse

from shop.catalogue.images import ImageLimits
from shop.certification.documents import DocumentKind, StoredDocument, check_size, document_file, store_document
from shop.http.auth import Council
from shop.http.deps import SessionDep

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
    return store_document(data, request.app.state.settings.certification_dir, kind, limits, field=field)


def forget(request: Request, stored: StoredDocument | None) -> None:
    """A file stored for a change that was then refused: nothing names it, so it goes."""
    if stored is not None:
        (request.app.state.settings.certification_dir / stored.name).unlink(missing_ok=True)


@router.get("/archivos/{name}")
def show_file(request: Request, session: SessionDep, who: Council, name: StoredName):
    path, media_type = document_file(request.app.state.settings.certification_dir, name)
    return FileResponse(
        path,
        media_type=media_type,
        content_disposition_type="inline",
        filename=name,
        headers={
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
