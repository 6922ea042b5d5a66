"""With ``SHOP_STORAGE_URL`` set, every upload is kept in the bucket and served from it, through the same routes
and role checks as from the disk: photos with the same cache headers, private files only to their readers. A
bucket that is down gives a plain 503 and records nothing; a file missing from it gives 404."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from factories import fresh, make_category, make_image, make_product, make_user, make_weaver, photo_bytes
from fastapi.testclient import TestClient
from inventory_screens import piece_form
from inventory_screens import sign_in as member_signed_in
from object_storage import KEY_ID, SECRET, keys_in
from pydantic import SecretStr
from workspace_helpers import csrf_of, person, signed_in
from workspace_helpers import sign_in as password_sign_in

from shop.accounts.models import Role
from shop.catalogue import service
from shop.catalogue.models import HeldUpload, Image, Product, ProductImage
from shop.cooperative.models import MinutesPage
from shop.i18n import translator
from shop.main import create_app

es = translator("es")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def app_on(settings, url: str):
    return create_app(
        settings.model_copy(
            update={"storage_url": url, "storage_access_key_id": KEY_ID, "storage_secret_access_key": SecretStr(SECRET)}
        )
    )


@pytest.fixture
def bucket_app(settings, bucket_url):
    application = app_on(settings, bucket_url)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def down_app(settings, unreachable_bucket_url):
    application = app_on(settings, unreachable_bucket_url)
    yield application
    application.state.engine.dispose()


@pytest.fixture(params=["local", "s3"])
def any_app(request, app):
    """The same shop on the local folders (the default) and on a bucket."""
    return app if request.param == "local" else request.getfixturevalue("bucket_app")


def browser(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def files_on_disk(settings) -> list[str]:
    folders = (settings.media_dir, settings.proofs_dir, settings.certification_dir, settings.records_dir)
    return [str(p) for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()]


def new_piece(client, session, category, weaver, *, photo=None, **changes):
    token = member_signed_in(client, session, name="María Pérez", username="maria", weaver_id=weaver.id)
    return post_piece(client, token, category, photo=photo, **changes)


def post_piece(client, token, category, *, photo=None, **changes):
    return client.post(
        "/taller/inventario/nuevo",
        data={**piece_form(category, **changes), "csrf_token": token},
        files=[("photos", ("bolsa.jpg", photo or photo_bytes(), "image/jpeg"))],
        follow_redirects=False,
    )


@pytest.fixture
def shelf(session):
    category = make_category(session, slug="bolsas", name_es="Bolsas", name_en="Bags")
    weaver = make_weaver(session, name="María Pérez")
    session.commit()
    return category, weaver


def test_a_photo_uploaded_in_the_workspace_is_kept_in_the_bucket_and_served_from_it(
    bucket_app, bucket_url, session, settings, shelf
):
    response = new_piece(browser(bucket_app), session, *shelf)
    assert response.status_code == 303, response.text
    fresh(session)
    image = session.scalar(sa.select(Image).join(ProductImage).join(Product).where(Product.slug == "bolsa-de-lana"))
    held = {key for key in keys_in(bucket_url) if key.startswith("tienda/private/held/")}  # until the clean-up
    assert sorted(set(keys_in(bucket_url)) - held) == sorted(
        [f"tienda/photos/{image.key}-{width}.{fmt}" for width in (160, 320, 480, 640, 720) for fmt in ("avif", "webp")]
        + [f"tienda/private/originals/{image.key}.jpg"]
    )
    assert files_on_disk(settings) == []  # nothing on this machine's disk

    stranger = browser(bucket_app)
    photo = stranger.get(f"/media/{image.key}-640.webp")
    assert photo.status_code == 200 and photo.content[:4] == b"RIFF"
    assert photo.headers["content-type"] == "image/webp"
    assert photo.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert int(photo.headers["content-length"]) == len(photo.content)
    again = stranger.get(f"/media/{image.key}-640.webp", headers={"If-None-Match": photo.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    head = stranger.head(f"/media/{image.key}-640.webp")
    assert head.status_code == 200 and head.headers["content-length"] == photo.headers["content-length"]
    # The originals are private: no address serves them.
    avif = stranger.get(f"/media/{image.key}-640.avif")
    assert avif.status_code == 200 and avif.content[4:12] == b"ftypavif"
    assert avif.headers["content-type"] == "image/avif"
    assert avif.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert stranger.get(f"/media/{image.key}.jpg").status_code == 404
    assert stranger.get(f"/media/..%2Fprivate%2Foriginals%2F{image.key}.jpg").status_code == 404


def test_photos_carry_the_same_headers_from_the_disk_and_from_the_bucket(any_app, session):
    files = any_app.state.files
    private, public, product = (make_image(session, files, color=(c, 20, 30)) for c in (10, 40, 70))
    make_weaver(session, slug="sin-permiso", consent=False).photo_id = private.id
    make_weaver(session, slug="con-permiso", consent=True).photo_id = public.id
    service.add_product_image(session, make_product(session, slug="huipil"), product)
    make_user(session, username="ana", roles=[Role.admin])
    session.commit()
    client = browser(any_app)
    shown = client.get(f"/media/{product.key}-320.webp")
    assert (shown.status_code, shown.headers["cache-control"]) == (200, "public, max-age=31536000, immutable")
    shown = client.get(f"/media/{product.key}-320.avif")
    assert (shown.status_code, shown.headers["cache-control"]) == (200, "public, max-age=31536000, immutable")
    assert shown.headers["content-type"] == "image/avif" and shown.headers["x-content-type-options"] == "nosniff"
    portrait = client.get(f"/media/{public.key}-320.webp")
    assert (portrait.status_code, portrait.headers["cache-control"]) == (200, "public, max-age=86400")
    hidden = client.get(f"/media/{private.key}-320.webp")
    assert (hidden.status_code, hidden.headers["cache-control"]) == (404, "no-store")
    assert client.get("/media/0000-320.webp").status_code == 404
    assert client.post(f"/media/{product.key}-320.webp").status_code in (403, 405)
    assert password_sign_in(client).status_code == 303
    seen = client.get(f"/media/{private.key}-320.webp")
    assert (seen.status_code, seen.headers["cache-control"]) == (200, "private, no-store")


def held_after_a_mistake(app, session, shelf):
    """A member's new-piece form refused for its price: its photo is held. Returns her browser, the page, the row."""
    client = browser(app)
    mistake = new_piece(client, session, *shelf, price="")
    assert mistake.status_code == 422
    fresh(session)
    return client, mistake, session.scalar(sa.select(HeldUpload))


def test_a_photo_held_for_the_form_waits_in_the_bucket_and_goes_to_the_piece(bucket_app, bucket_url, session, shelf):
    client, mistake, held = held_after_a_mistake(bucket_app, session, shelf)
    assert f"tienda/private/held/{held.token}.webp" in keys_in(bucket_url)
    preview = client.get(f"/taller/fotos-en-espera/{held.token}")
    assert preview.status_code == 200 and preview.headers["cache-control"] == "private, no-store"
    assert browser(bucket_app).get(f"/taller/fotos-en-espera/{held.token}", follow_redirects=False).status_code == 303
    saved = client.post(
        "/taller/inventario/nuevo",
        data={**piece_form(shelf[0]), "csrf_token": csrf_of(mistake.text), "held": held.token},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    fresh(session)
    image = session.scalar(sa.select(Image))
    assert f"tienda/private/originals/{image.key}.jpg" in keys_in(bucket_url)


@pytest.fixture
def assembly(coop):
    return coop.founding


def upload_page(client, assembly):
    page = f"/taller/cooperativa/asambleas/{assembly.id}"
    return client.post(
        f"{page}/paginas",
        data={"csrf_token": csrf_of(client.get(page).text)},
        files={"page": ("acta.jpg", photo_bytes(1200, 1600), "image/jpeg")},
        follow_redirects=False,
    )


def test_scanned_minutes_are_kept_privately_in_the_bucket_and_shown_only_to_their_readers(
    bucket_app, bucket_url, session, settings, assembly
):
    person(session, "carmen", Role.council)
    person(session, "lucia", Role.partner_staff)
    council = signed_in(bucket_app, "carmen")
    assert upload_page(council, assembly).status_code == 303
    fresh(session)
    stored = session.scalar(sa.select(MinutesPage))
    assert keys_in(bucket_url) == [f"tienda/private/minutes/{stored.stored_name}"]
    assert files_on_disk(settings) == []
    address = f"/taller/cooperativa/asambleas/{assembly.id}/paginas/{stored.id}"
    picture = council.get(address)
    assert picture.status_code == 200 and picture.content[:2] == b"\xff\xd8"
    assert picture.headers["cache-control"] == "no-store" and picture.headers["content-type"] == "image/jpeg"
    assert signed_in(bucket_app, "lucia").get(address).status_code == 403
    assert browser(bucket_app).get(address, follow_redirects=False).headers["location"] == "/taller"

    # Gone from the bucket (deleted by hand, a lost restore): a plain 404, never a 500.
    bucket_app.state.files.minutes.delete(stored.stored_name)
    missing = council.get(address)
    assert missing.status_code == 404 and es.gettext("There is no such page.") in missing.text


def test_certification_documents_stream_from_the_bucket_sandboxed(bucket_app, session):
    bucket_app.state.files.certification.put("report-0123456789abcdef01234567.pdf", PDF)
    person(session, "carmen", Role.council)
    person(session, "lucia", Role.partner_staff)
    council = signed_in(bucket_app, "carmen")
    shown = council.get("/taller/certificacion/archivos/report-0123456789abcdef01234567.pdf")
    assert shown.status_code == 200 and shown.content == PDF
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"] == 'inline; filename="report-0123456789abcdef01234567.pdf"'
    assert shown.headers["content-security-policy"] == "sandbox"
    assert shown.headers["cache-control"] == "private, no-store"
    assert council.get("/taller/certificacion/archivos/report-ffffffffffffffffffffffff.pdf").status_code == 404
    partner = signed_in(bucket_app, "lucia")
    assert partner.get("/taller/certificacion/archivos/report-0123456789abcdef01234567.pdf").status_code == 403


def test_a_bucket_that_is_down_gives_a_plain_503_and_records_nothing(down_app, session, shelf, assembly):
    person(session, "carmen", Role.council)
    council = signed_in(down_app, "carmen")
    refused = upload_page(council, assembly)
    assert refused.status_code == 503
    assert (
        es.gettext(
            "The stored files cannot be reached just now, so nothing was saved. Please try again in a few minutes."
        )
        in refused.text
    )
    assert refused.headers["retry-after"] == "60"
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(MinutesPage)) == 0

    piece = new_piece(browser(down_app), session, *shelf)
    assert piece.status_code == 503
    fresh(session)
    for model in (Product, Image, HeldUpload):
        assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0

    photo = browser(down_app).get("/media/0123456789abcdef0123456789abcdef01234567-320.webp")
    assert photo.status_code == 503 and photo.headers["cache-control"] == "no-store"
    assert es.gettext("The stored files cannot be reached just now. Please try again in a few minutes.") in photo.text
    assert "Inténtalo otra vez en unos minutos." in photo.text
    api = browser(down_app).get("/api/v1/products")
    assert api.status_code == 200  # what needs no file still works


def test_held_photos_older_than_a_day_leave_the_bucket_on_the_next_upload(bucket_app, bucket_url, session, shelf):
    from datetime import timedelta

    from shop.catalogue.held_uploads import KEPT_FOR
    from shop.clock import utcnow

    client, first, old = held_after_a_mistake(bucket_app, session, shelf)
    old.created_at = utcnow() - KEPT_FOR - timedelta(minutes=1)
    session.commit()
    again = post_piece(client, csrf_of(first.text), shelf[0], photo=photo_bytes(color=(1, 2, 3)), price="")
    assert again.status_code == 422
    held = [key for key in keys_in(bucket_url) if "/held/" in key]
    assert len(held) == 2 and not any(old.token in key for key in held)
