"""Uploaded photos: keep the original privately, derive upright thumbnails at fixed widths, in AVIF and WebP.

Files are named by a hash of their content, so they never change under a URL and can be cached for a
year. They are written (to ``shop.storage``'s stores: the originals privately, the thumbnails where /media/
serves them) before the row, so a store that fails leaves no row; a file written for a transaction that later
rolls back is merely unreferenced, never wrong.

Each row names the set of thumbnails made for it (``Image.variants``, a key of ``VARIANTS``), so a page links
only files that exist: photos uploaded before a set was added keep their older thumbnails until
``derive_missing`` (the ``shop photos thumbnails`` command) makes the rest from their originals.
"""

from __future__ import annotations

import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shop.catalogue.models import Image, ProductImage, Weaver
from shop.errors import N_, ValidationFailed
from shop.storage import FileMissing, FileStores


@dataclass(frozen=True)
class Variants:
    """A set of thumbnails: each width (none wider than the original) in each format, the best format first."""

    widths: tuple[int, ...]
    formats: tuple[str, ...]


# Every set ever made; a later set holds every file of the earlier ones. A browser takes the smallest file at least
# as wide as the slot's width times the screen's density, so the widths follow the slots phones show (measured
# with Lighthouse's phone, 412 px at 1.75x): a product photo 380 px wide is 665 px there (720, not 960), a card 182
# px is 319 (320), a gallery thumbnail or a cart line 64-72 px is 112-144 (160, not 320). AVIF is a third to half
# lighter than WebP; WebP stays for the browsers that read no AVIF.
VARIANTS = {
    1: Variants(widths=(320, 640, 1280), formats=("webp",)),
    2: Variants(widths=(160, 320, 480, 640, 720, 960, 1280), formats=("avif", "webp")),
}
NEWEST = max(VARIANTS)
THUMBNAIL_WIDTHS = VARIANTS[NEWEST].widths
MIN_WIDTH = 320  # the narrowest photo accepted
ACCEPTED_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
MEDIA_TYPES = {"avif": "image/avif", "webp": "image/webp"}
WEBP_QUALITY = 80
# Seen at its size on a phone, as sharp as WebP at 80 on woven cloth, at a bit over half its weight (the demo's
# photos 720 wide: 50 KB against 87 KB). Speed 8 encodes about as well as the slower speeds; 9 is four times
# faster but its files are an eighth larger, and a photo is encoded once but downloaded by every buyer.
AVIF_QUALITY = 55
AVIF_SPEED = 8
NOT_A_PHOTO = N_("This file is not a photo we can read. Use a JPEG, PNG or WebP image.")


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    max_pixels: int


def original_name(image: Image) -> str:
    """The uploaded file's name in the private ``originals`` store."""
    return f"{image.key}.{image.original_ext}"


def thumbnail_name(key: str, width: int, fmt: str = "webp") -> str:
    """A thumbnail's name in the ``photos`` store, the only one served to the public (at /media/<name>)."""
    return f"{key}-{width}.{fmt}"


def variants_of(image: Image) -> Variants:
    """The thumbnails made for ``image`` (a set this code does not know yet holds at least the newest it does)."""
    return VARIANTS[max((n for n in VARIANTS if n <= (image.variants or 1)), default=1)]


def _widths(variants: Variants, image_width: int) -> list[int]:
    return [w for w in variants.widths if w <= image_width] or [variants.widths[0]]


def thumbnail_widths(image: Image) -> list[int]:
    return _widths(variants_of(image), image.width)


def thumbnail_formats(image: Image) -> tuple[str, ...]:
    """The formats ``image``'s thumbnails exist in, the best first; WebP is always among them."""
    return variants_of(image).formats


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
    base = _pixels(upright)
    write_thumbnails(base, key, files, VARIANTS[NEWEST])
    image = Image(
        key=key, original_ext=ext, width=base.width, height=base.height, size_bytes=len(data), variants=NEWEST
    )
    session.add(image)
    session.flush()
    return image


def _pixels(upright):
    keep_alpha = upright.mode in ("RGBA", "LA") or (upright.mode == "P" and "transparency" in upright.info)
    return upright.convert("RGBA" if keep_alpha else "RGB")


def encode(picture, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "avif":
        picture.save(buffer, "AVIF", quality=AVIF_QUALITY, speed=AVIF_SPEED)
    else:
        picture.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def write_thumbnails(base, key: str, files: FileStores, variants: Variants, *, skip=lambda name: False) -> int:
    """Write ``variants``' thumbnails of the upright pixels ``base`` (those ``skip`` does not name); returns how
    many were written."""
    from PIL import Image as PILImage

    jobs = []
    for width in [w for w in variants.widths if w <= base.width]:
        names = [(fmt, thumbnail_name(key, width, fmt)) for fmt in variants.formats]
        if todo := [(fmt, name) for fmt, name in names if not skip(name)]:
            jobs.append((width, todo))

    def write(job) -> int:
        width, todo = job
        height = max(1, round(base.height * width / base.width))
        # reducing_gap: a phone's 12-megapixel photo is first shrunk by a whole factor, then resampled, as sharp.
        thumb = base if width == base.width else base.resize((width, height), lanczos, reducing_gap=3.0)
        for fmt, name in todo:
            files.photos.put(name, encode(thumb, fmt))
        return len(todo)

    lanczos = PILImage.Resampling.LANCZOS
    # Pillow lets go of the interpreter while it resizes and encodes, so the widths are made side by side: an AVIF
    # encoder alone keeps one core of a small server busy, not two.
    with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
        return sum(pool.map(write, sorted(jobs, reverse=True)))


def images_behind(session: Session, *, after_id: int = 0, limit: int = 50) -> list[Image]:
    """Images whose thumbnails are of an older set than the newest, by id from ``after_id`` on."""
    query = select(Image).where(Image.variants < NEWEST, Image.id > after_id).order_by(Image.id).limit(limit)
    return list(session.scalars(query))


def derive_missing(session: Session, image: Image, files: FileStores) -> int | None:
    """Make the thumbnails of the newest set that ``image`` lacks, from its original, and record the set on its
    row; a file already there is left as it is, so running it again (or after a crash) only finishes the job.
    Returns how many files were written, or None when the original cannot be read (the row is left as it was).
    """
    from PIL import Image as PILImage
    from PIL import ImageOps, UnidentifiedImageError

    if image.variants >= NEWEST:
        return 0
    try:
        data = files.originals.get(original_name(image))
        with PILImage.open(io.BytesIO(data)) as opened:
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except (FileMissing, UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    base = _pixels(upright)
    had = variants_of(image)
    kept = {thumbnail_name(image.key, w, f) for w in _widths(had, image.width) for f in had.formats}
    written = write_thumbnails(
        base, image.key, files, VARIANTS[NEWEST], skip=lambda name: name in kept or files.photos.exists(name)
    )
    image.variants = NEWEST
    session.flush()
    return written


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
