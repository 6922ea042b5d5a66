"""A piece's photos: storing uploaded ones, adding them to the piece, describing them and taking them off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import sqlalchemy as sa
from fastapi import APIRouter, File, Request, UploadFile

from shop.api.http.deps import SessionDep
from shop.catalogue import held_uploads
from shop.catalogue import service as catalogue
from shop.catalogue.images import ImageLimits, save_image
from shop.catalogue.models import Image, Product, ProductImage
from shop.clock import utcnow
from shop.errors import N_, NotFound, ValidationFailed
from shop.web.files import stored_file
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.inventory import Keeper, Short, find_editable, redirect_saved
from shop.web.workspace.product_page import form_again
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller", include_in_schema=False, route_class=SignedInFirst)
Photos = Annotated[list[UploadFile], File()]

MAX_PHOTOS = 12
T = TypeVar("T")


def _upload_size(upload: UploadFile) -> int:
    handle = upload.file
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def photo_limits(request: Request) -> ImageLimits:
    settings = request.app.state.settings
    return ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)


def _each_photo(
    request: Request, uploads: list[UploadFile], problems: Problems, store: Callable[[bytes, str], T]
) -> list[T]:
    """``store`` every uploaded photo (its bytes and file name); a file that is not a usable photo is reported
    under ``photos`` and stops the rest."""
    limits = photo_limits(request)
    uploads = [u for u in uploads if u.filename or _upload_size(u)]
    if len(uploads) > MAX_PHOTOS:
        problems.add("photos", N_("Add at most %(count)d photos at a time."), count=MAX_PHOTOS)
        return []
    saved: list[T] = []
    for upload in uploads:
        size = _upload_size(upload)
        try:
            if size > limits.max_bytes:
                # Refused from its size alone: a huge file is never read into memory.
                raise ValidationFailed(
                    N_("This photo is too large (%(size)s). The limit is %(limit)s."),
                    field="photos",
                    size=_megabytes(size),
                    limit=_megabytes(limits.max_bytes),
                )
            saved.append(store(upload.file.read(limits.max_bytes + 1), upload.filename or ""))
        except ValidationFailed as exc:
            problems.add(
                "photos",
                N_("“%(file)s”: %(problem)s"),
                file=(upload.filename or "?")[:80],
                problem=exc.translated(problems.t.gettext),
            )
            break
    return saved


def save_photos(request: Request, session, uploads: list[UploadFile], problems: Problems) -> list[Image]:
    """Store every uploaded photo; a file that is not a usable photo is reported under ``photos``."""
    files, limits = request.app.state.files, photo_limits(request)
    return _each_photo(
        request, uploads, problems, lambda data, _name: save_image(session, data, files, limits, field="photos")
    )


def hold_photos(request: Request, session, uploads: list[UploadFile], problems: Problems, *, user_id: int) -> list:
    """Keep every uploaded photo privately for the form (``shop.catalogue.held_uploads``); what was held
    more than a day ago is thrown away first."""
    files, limits, now = request.app.state.files, photo_limits(request), utcnow()
    if any(u.filename for u in uploads):
        held_uploads.clean_up(session, files=files, now=now)
    return _each_photo(
        request,
        uploads,
        problems,
        lambda data, name: held_uploads.hold(
            session, data, file_name=name, user_id=user_id, files=files, limits=limits, now=now
        ),
    )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def link_photos(session, product: Product, images: list[Image], alt_es: str, alt_en: str) -> int:
    linked = set(session.scalars(sa.select(ProductImage.image_id).where(ProductImage.product_id == product.id)))
    added = 0
    for image in images:
        if image.id in linked:
            continue
        linked.add(image.id)
        catalogue.add_product_image(
            session, product, image, alt_es=alt_es or product.title_es, alt_en=alt_en or product.title_en
        )
        added += 1
    return added


@router.post("/inventario/{slug}/fotos")
def add_photos(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    photos: Photos = (),
    alt_es: Short = "",
    alt_en: Short = "",
):
    product = find_editable(session, who, slug, lock=True)
    problems = Problems(request)
    images = save_photos(request, session, list(photos), problems)
    if not images and not problems:
        problems.add("photos", N_("Choose a photo first, or take one with the camera."))
    if problems:
        return form_again(
            request,
            session,
            who,
            slug,
            photo_errors=problems.items,
            photos_lost=bool(photos),
        )
    added = link_photos(session, product, images, alt_es.strip(), alt_en.strip())
    return redirect_saved(
        request,
        f"/taller/inventario/{slug}",
        N_("Photos added: %(count)d. Look at them below."),
        count=added,
    )


def _photo(session, product: Product, link_id: int) -> ProductImage:
    link = session.get(ProductImage, link_id)
    if link is None or link.product_id != product.id:
        raise NotFound(N_("We could not find that photo."))
    return link


@router.post("/inventario/{slug}/fotos/{link_id}")
def describe_photo(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    link_id: int,
    alt_es: Short = "",
    alt_en: Short = "",
):
    product = find_editable(session, who, slug)
    link = _photo(session, product, link_id)
    link.alt_es = alt_es.strip()[:300] or product.title_es
    link.alt_en = alt_en.strip()[:300] or product.title_en
    product.updated_at = utcnow()
    return redirect_saved(request, f"/taller/inventario/{slug}", N_("Photo description saved."))


@router.get("/inventario/{slug}/fotos/{link_id}/quitar")
def confirm_remove_photo(request: Request, session: SessionDep, who: Keeper, slug: str, link_id: int):
    """A photo taken off cannot come back without choosing it again: she sees it big and says yes first."""
    product = find_editable(session, who, slug)
    link = _photo(session, product, link_id)
    return ws_render(
        request,
        "workspace/photo_remove.html",
        {"product": product, "link": link, "image": session.get(Image, link.image_id)},
    )


@router.post("/inventario/{slug}/fotos/{link_id}/quitar")
def remove_photo(request: Request, session: SessionDep, who: Keeper, slug: str, link_id: int):
    product = find_editable(session, who, slug)
    session.delete(_photo(session, product, link_id))
    product.updated_at = utcnow()
    return redirect_saved(request, f"/taller/inventario/{slug}", N_("Photo removed."))


@router.get("/fotos-en-espera/{token}")
def held_preview(request: Request, session: SessionDep, who: Keeper, token: str):
    """The small picture of a photo held for her form: only to the member who chose it, never cached."""
    held = held_uploads.one_held(session, token, user_id=who.user.id, now=utcnow())
    missing = NotFound(N_("We could not find that photo."))
    if held is None:
        raise missing
    return stored_file(
        request.app.state.files.held,
        held_uploads.preview_of(held),
        media_type="image/webp",
        missing=missing,
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
