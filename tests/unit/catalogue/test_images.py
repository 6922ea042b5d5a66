import io

import pytest
from factories import LIMITS, make_product, message_of, photo_bytes
from PIL import Image as PILImage
from sqlalchemy import func, select

from shop.catalogue import service
from shop.catalogue.images import (
    NEWEST,
    VARIANTS,
    ImageLimits,
    original_name,
    save_image,
    thumbnail_name,
    thumbnail_widths,
)
from shop.catalogue.models import Image
from shop.errors import ValidationFailed


def test_original_is_kept_and_avif_and_webp_thumbnails_are_made_at_every_width(session, files):
    data = photo_bytes(1600, 2000)
    image = save_image(session, data, files, LIMITS)
    assert files.originals.get(original_name(image)) == data
    assert image.variants == NEWEST
    assert thumbnail_widths(image) == [160, 320, 480, 640, 720, 960, 1280]
    for width in (160, 320, 480, 640, 720, 960, 1280):
        for fmt, pillow_format in (("avif", "AVIF"), ("webp", "WEBP")):
            with PILImage.open(io.BytesIO(files.photos.get(thumbnail_name(image.key, width, fmt)))) as thumb:
                assert thumb.format == pillow_format
                assert thumb.size == (width, width * 2000 // 1600)
    assert (image.width, image.height) == (1600, 2000)
    assert sorted(name for name, _ in files.photos.names()) == sorted(
        thumbnail_name(image.key, w, f) for w in VARIANTS[NEWEST].widths for f in ("avif", "webp")
    )


def test_avif_is_lighter_than_webp(session, files):
    # Flat colour compresses to nothing in either format: a photo with detail, as a woven piece has.
    noise = PILImage.effect_noise((1280, 1600), 60).convert("RGB")
    raw = io.BytesIO()
    noise.save(raw, "JPEG", quality=92)
    image = save_image(session, raw.getvalue(), files, LIMITS)
    for width in (320, 720, 1280):
        avif = files.photos.get(thumbnail_name(image.key, width, "avif"))
        assert len(avif) < len(files.photos.get(thumbnail_name(image.key, width, "webp")))


def test_no_thumbnail_is_wider_than_the_original(session, files):
    image = save_image(session, photo_bytes(700, 500), files, LIMITS)
    assert thumbnail_widths(image) == [160, 320, 480, 640]
    for fmt in ("avif", "webp"):
        assert files.photos.exists(thumbnail_name(image.key, 640, fmt))
        assert not files.photos.exists(thumbnail_name(image.key, 720, fmt))
        assert not files.photos.exists(thumbnail_name(image.key, 1280, fmt))


def test_exif_orientation_is_applied(session, files):
    # A phone photo stored landscape (1000x800) with "rotate 90°" in EXIF is portrait when shown.
    exif = PILImage.Exif()
    exif[0x0112] = 6
    raw = io.BytesIO()
    PILImage.new("RGB", (1000, 800), (10, 20, 30)).save(raw, "JPEG", exif=exif)
    image = save_image(session, raw.getvalue(), files, LIMITS)
    assert (image.width, image.height) == (800, 1000)
    with PILImage.open(io.BytesIO(files.photos.get(thumbnail_name(image.key, 640)))) as thumb:
        assert thumb.size == (640, 800)


def test_png_with_transparency_is_accepted(session, files):
    raw = io.BytesIO()
    PILImage.new("RGBA", (400, 400), (0, 0, 0, 0)).save(raw, "PNG")
    image = save_image(session, raw.getvalue(), files, LIMITS)
    assert image.original_ext == "png"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"%PDF-1.4 not a photo", "not a photo we can read"),
        (b"", "empty"),
        (photo_bytes(200, 300), "too small"),
        (photo_bytes(400, 400, fmt="GIF"), "not a photo we can read"),
        (photo_bytes(800, 1000)[:200], "not a photo we can read"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(session, files, data, fragment):
    with pytest.raises(ValidationFailed) as caught:
        save_image(session, data, files, LIMITS)
    assert fragment in message_of(caught.value)
    assert session.scalar(select(func.count()).select_from(Image)) == 0


def test_files_over_the_size_limit_are_refused(session, files):
    small_limit = ImageLimits(max_bytes=10_000, max_pixels=LIMITS.max_pixels)
    with pytest.raises(ValidationFailed) as caught:
        save_image(session, photo_bytes(1200, 1200, quality=100), files, small_limit)
    assert "too large" in message_of(caught.value)
    assert list(files.originals.names()) == []


def test_decompression_bombs_are_refused_before_decoding(session, files):
    few_pixels = ImageLimits(max_bytes=LIMITS.max_bytes, max_pixels=1_000_000)
    with pytest.raises(ValidationFailed) as caught:
        save_image(session, photo_bytes(1200, 1000), files, few_pixels)
    assert "too many pixels" in message_of(caught.value)


def test_the_same_upload_is_stored_once(session, files):
    data = photo_bytes(900, 900)
    assert save_image(session, data, files, LIMITS).id == save_image(session, data, files, LIMITS).id


def test_images_are_ordered_on_the_product(session, files):
    product = make_product(session)
    first = save_image(session, photo_bytes(color=(1, 2, 3)), files, LIMITS)
    second = save_image(session, photo_bytes(color=(3, 2, 1)), files, LIMITS)
    assert service.add_product_image(session, product, first, alt_es="Frente", alt_en="Front").position == 0
    assert service.add_product_image(session, product, second).position == 1
