"""Uploaded photos: keep the original privately, derive upright WebP thumbnails at fixed widths.

Files are named by a hash of their content, so they never change under a URL and can be cached for a
year. They are written (to ``shop.storage``'s stores: the originals privately, the thumbnails where /media/
serves them) before the row, so a store that fails leaves no row; a file written for a transaction that later
rolls back is merely unreferenced, never wrong.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shop.catalogue.models import Image, ProductImage, Weaver
from shop.errors import N_, ValidationFailed
from shop.storage import FileStores

THUMBNAIL_WIDTHS = (320, 640, 1280)
MIN_WIDTH = THUMBNAIL_WIDTHS[0]
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
WEBP_QUALITY = 80
NOT_A_PHOTO = N_("This file is not a photo we can read. Use a JPEG, PNG or WebP image.")


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int


def original_name(image: Image) -> str:
    """The uploaded file's name in the private ``originals`` store."""
    return f"{image.key}.{image.original_ext}"


def thumbnail_name(key: str, width: int) -> str:
    """A thumbnail's name in the ``photos`` store, the only one served to the public (at /media/<name>)."""
    return f"{key}-{width}.webp"


def thumbnail_widths(image: Image) -> list[int]:
    return [w for w in THUMBNAIL_WIDTHS if w <= image.width] or [THUMBNAIL_WIDTHS[0]]


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_photo(data: bytes, limits: ImageLimits, *, field: str = "photo"):
    """Check an upload is a photo we accept, and return its format and its pixels turned upright.

    Only the header is read before the pixel count is checked, so a decompression bomb never expands.
    """
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    if not data:
        raise ValidationFailed(N_("The file is empty. Choose a photo to upload."), field=field)
    if len(data) > limits.max_bytes:
        raise ValidationFailed(
            N_("This photo is too large (%(size)s). The limit is %(limit)s."),
            field=field,
            size=_human_size(len(data)),
            limit=_human_size(limits.max_bytes),
        )
    not_an_image = ValidationFailed(NOT_A_PHOTO, field=field)
    try:
        with PILImage.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if probe.width * probe.height > limits.max_pixels:
                raise PILImage.DecompressionBombError("too many pixels")
            probe.verify()
        if fmt not in ACCEPTED_FORMATS:
            raise not_an_image
        with PILImage.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise ValidationFailed(
            N_("This photo has too many pixels. Use one under %(megapixels)d megapixels."),
            field=field,
            megapixels=limits.max_pixels // 1_000_000,
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise not_an_image from None
    return fmt, upright


def private_jpeg(data: bytes, limits: ImageLimits, *, field: str, longest_side: int = 2400, quality: int = 85) -> bytes:
    """A photo kept privately (a signed receipt, a certificate, a page of minutes): checked like a product photo,
    turned upright, no larger than ``longest_side``, re-encoded as JPEG without its metadata (phones write where
    a photo was taken into it)."""
    from PIL import Image as PILImage

    _, upright = read_photo(data, limits, field=field)
    picture = upright.convert("RGB")
    picture.thumbnail((longest_side, longest_side), PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def save_image(session: Session, data: bytes, files: FileStores, limits: ImageLimits, *, field: str = "photo") -> Image:
    """Check an upload, store it and its thumbnails, and return its row (an identical upload reuses it)."""
    from PIL import Image as PILImage

    key = hashlib.sha256(data).hexdigest()[:40]
    existing = session.scalar(select(Image).where(Image.key == key)) if data else None
    if existing is not None:
        return existing
    fmt, upright = read_photo(data, limits, field=field)

    if upright.width < MIN_WIDTH:
        raise ValidationFailed(
            N_("This photo is too small. Use one at least %(width)d pixels wide."),
            field=field,
            width=MIN_WIDTH,
        )

    ext = ACCEPTED_FORMATS[fmt]
    files.originals.put(f"{key}.{ext}", data)
    keep_alpha = upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info)
    base = upright.convert("RGBA" if keep_alpha else "RGB")
    for width in [w for w in THUMBNAIL_WIDTHS if w <= base.width]:
        height = max(1, round(base.height * width / base.width))
        thumb = base if width == base.width else base.resize((width, height), PILImage.Resampling.LANCZOS)
        buffer = io.BytesIO()
        thumb.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
        files.photos.put(thumbnail_name(key, width), buffer.getvalue())

    image = Image(key=key, original_ext=ext, width=base.width, height=base.height, size_bytes=len(data))
    session.add(image)
    session.flush()
    return image


class Audience(StrEnum):
    """Who may see an image's thumbnails."""

    everyone = "everyone"  # a product's photo (or an image no row names any more)
    portrait = "portrait"  # the portrait of a weaver who consented to be shown: public, until she withdraws it
    workspace = "workspace"  # the portrait of a weaver who has not consented: only the cooperative's people


def audience(session: Session, key: str) -> Audience:
    """Who may see the image named ``key``; a photo that is also a product's is public like the product's."""
    # One statement, since every photo request asks: the consents of the weavers whose portrait it is, unless
    # it is also a product's photo (then nothing comes back, as for an unknown key or a photo of no weaver).
    consents = session.scalars(
        select(Weaver.consent_to_publish)
        .join(Image, Image.id == Weaver.photo_id)
        .where(Image.key == key, ~exists().where(ProductImage.image_id == Image.id))
    ).all()
    if not consents:
        return Audience.everyone
    return Audience.portrait if any(consents) else Audience.workspace
