"""A piece's photos: storing uploaded ones, adding them to the piece, describing them and taking them off."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, File, Request, UploadFile

from shop.catalogue import service as catalogue
from shop.catalogue.images import ImageLimits, save_image
from shop.catalogue.models import Image, Product, ProductImage
from shop.clock import utcnow
from shop.errors import N_, NotFound, ValidationFailed
from shop.http.deps import SessionDep
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.inventory import Keeper, Short, find_editable, redirect_saved
from shop.web.workspace.product_page import form_again
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller", include_in_schema=False, route_class=SignedInFirst)
Photos = Annotated[list[UploadFile], File()]

MAX_PHOTOS = 12


def _upload_size(upload: UploadFile) -> int:
    handle = upload.file
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def save_photos(request: Request, session, uploads: list[UploadFile], problems: Problems) -> list[Image]:
    """Store every uploaded photo; a file that is not a usable photo is reported under ``photos``."""
    settings = request.app.state.settings
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    uploads = [u for u in uploads if u.filename or _upload_size(u)]
    if len(uploads) > MAX_PHOTOS:
        problems.add("photos", N_("Add at most %(count)d photos at a time."), count=MAX_PHOTOS)
        return []
    saved: list[Image] = []
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
            data = upload.file.read(limits.max_bytes + 1)
            saved.append(save_image(session, data, settings.media_dir, limits, field="photos"))
        except ValidationFailed as exc:
            problems.add(
                "photos",
                N_("“%(file)s”: %(problem)s"),
                file=(upload.filename or "?")[:80],
                problem=exc.translated(problems.t.gettext),
            )
            break
    return saved


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


@router.post("/inventario/{slug}/fotos/{link_id}/quitar")
def remove_photo(request: Request, session: SessionDep, who: Keeper, slug: str, link_id: int):
    product = find_editable(session, who, slug)
    session.delete(_photo(session, product, link_id))
    product.updated_at = utcnow()
    return redirect_saved(request, f"/taller/inventario/{slug}", N_("Photo removed."))
