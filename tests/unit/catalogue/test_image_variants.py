"""Photos stored before AVIF and the 160-960 widths existed get them from their originals, once, and their row
says so only when every file is written (the pages link nothing that is not there)."""

import io

import pytest
from factories import make_product, photo_bytes
from PIL import Image as PILImage
from typer.testing import CliRunner

from shop.catalogue import service
from shop.catalogue.images import (
    NEWEST,
    VARIANTS,
    derive_missing,
    images_behind,
    original_name,
    thumbnail_formats,
    thumbnail_name,
    thumbnail_widths,
    write_thumbnails,
)
from shop.catalogue.models import Image
from shop.cli import app as cli
from shop.config import get_settings


def stored_before(session, files, width: int = 1600, height: int = 2000, color=(140, 28, 51)) -> Image:
    """A photo as the shop stored it before: its original, WebP at 320, 640 and 1280, and a row of the first set."""
    data = photo_bytes(width, height, color=color)
    image = Image(key=f"old{color[0]:03d}{width}", original_ext="jpg", width=width, height=height, size_bytes=len(data))
    files.originals.put(original_name(image), data)
    with PILImage.open(io.BytesIO(data)) as opened:
        write_thumbnails(opened.convert("RGB"), image.key, files, VARIANTS[1])
    session.add(image)
    session.flush()
    return image


def names(files) -> set[str]:
    return {name for name, _ in files.photos.names()}


def test_an_old_photo_offers_only_the_files_it_has(session, files):
    image = stored_before(session, files)
    assert image.variants == 1
    assert thumbnail_widths(image) == [320, 640, 1280]
    assert thumbnail_formats(image) == ("webp",)
    assert names(files) == {thumbnail_name(image.key, w) for w in (320, 640, 1280)}


def test_missing_variants_are_made_from_the_original_and_the_old_files_are_left_alone(session, files):
    image = stored_before(session, files)
    before = {name: files.photos.get(name) for name in names(files)}

    written = derive_missing(session, image, files)

    new = {thumbnail_name(image.key, w, f) for w in VARIANTS[NEWEST].widths for f in ("avif", "webp")}
    assert names(files) == new
    assert written == len(new) - len(before) == 11  # AVIF at 7 widths, WebP at 160, 480, 720 and 960
    assert all(files.photos.get(name) == data for name, data in before.items())
    assert image.variants == NEWEST
    assert thumbnail_widths(image) == [160, 320, 480, 640, 720, 960, 1280]
    with PILImage.open(io.BytesIO(files.photos.get(thumbnail_name(image.key, 720, "avif")))) as avif:
        assert (avif.format, avif.size) == ("AVIF", (720, 900))


def test_deriving_again_writes_nothing_and_an_interrupted_run_only_finishes(session, files):
    image = stored_before(session, files)
    # A run that stopped after some files: they are kept as they are, the rest are made.
    files.photos.put(thumbnail_name(image.key, 960, "avif"), b"written by the run that stopped")
    assert derive_missing(session, image, files) == 10
    assert files.photos.get(thumbnail_name(image.key, 960, "avif")) == b"written by the run that stopped"
    assert derive_missing(session, image, files) == 0
    assert images_behind(session) == []


def test_a_photo_without_its_original_keeps_what_it_had(session, files):
    image = stored_before(session, files)
    files.originals.delete(original_name(image))
    assert derive_missing(session, image, files) is None
    assert image.variants == 1
    assert images_behind(session) == [image]


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("SHOP_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SHOP_MEDIA_DIR", str(settings.media_dir))
    monkeypatch.setenv("SHOP_SECRET_KEY", "cli-test")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_command_brings_every_old_photo_up_to_date_and_can_run_again(cli_env, session, app, client):
    files = app.state.files
    shown = stored_before(session, files, color=(10, 20, 30))
    small = stored_before(session, files, width=700, height=500, color=(40, 50, 60))
    lost = stored_before(session, files, color=(70, 80, 90))
    files.originals.delete(original_name(lost))
    product = make_product(session, slug="huipil-antiguo")
    service.add_product_image(session, product, shown, alt_en="Old huipil")
    session.commit()
    # The page links the old WebP files only, each of which is there.
    page = client.get("/en/products/huipil-antiguo").text
    assert ".avif" not in page and f"/media/{shown.key}-640.webp" in page

    result = CliRunner().invoke(cli, ["photos", "thumbnails"])
    assert result.exit_code == 0, result.output
    assert "Photos brought up to date: 2 (17 files written)." in result.output  # 11, and 6 for the 700-wide one
    assert f"Photos whose original cannot be read, which keep the thumbnails they had: 1 ({lost.key})." in result.output
    session.expire_all()
    assert [image.variants for image in (shown, small, lost)] == [NEWEST, NEWEST, 1]
    # The catalogue changed, so the page (and its cached cards) now offer AVIF.
    assert f"/media/{shown.key}-720.avif 720w" in client.get("/en/products/huipil-antiguo").text

    again = CliRunner().invoke(cli, ["photos", "thumbnails"])
    assert again.exit_code == 0, again.output
    assert "Photos brought up to date: 0 (0 files written)." in again.output
