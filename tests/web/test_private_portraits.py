"""A weaver's portrait is public only with her consent; otherwise only the cooperative's people see it."""

from __future__ import annotations

import pytest
from factories import make_image, make_product, make_user, make_weaver
from workspace_helpers import sign_in

from shop.accounts.models import Role
from shop.accounts.sessions import enroll_device
from shop.api.http.auth import DEVICE_COOKIE
from shop.catalogue import service
from shop.clock import utcnow


@pytest.fixture
def photos(session, media_dir):
    private = make_image(session, media_dir, color=(10, 20, 30))
    public = make_image(session, media_dir, color=(40, 50, 60))
    product = make_image(session, media_dir, color=(70, 80, 90))
    make_weaver(session, slug="sin-permiso", consent=False).photo_id = private.id
    make_weaver(session, slug="con-permiso", consent=True).photo_id = public.id
    service.add_product_image(session, make_product(session, slug="huipil"), product)
    admin = make_user(session, roles=[Role.admin])
    session.commit()
    return {"private": private, "public": public, "product": product, "admin": admin}


def thumb(image) -> str:
    return f"/media/{image.key}-320.webp"


def test_a_portrait_without_consent_is_not_found_by_strangers(client, photos):
    for method in (client.get, client.head):
        response = method(thumb(photos["private"]))
        assert response.status_code == 404
        assert "public" not in response.headers.get("cache-control", "")
        assert response.headers["cache-control"] == "no-store"


def test_a_portrait_without_consent_is_shown_in_the_workspace_and_never_stored(client, photos):
    assert sign_in(client).status_code == 303
    response = client.get(thumb(photos["private"]))
    assert response.status_code == 200 and response.headers["content-type"] == "image/webp"
    assert response.headers["cache-control"] == "private, no-store"
    client.cookies.clear()
    assert client.get(thumb(photos["private"])).status_code == 404


def test_the_enrolled_computer_shows_it_on_its_sign_in_tiles(client, session, photos):
    _, raw = enroll_device(session, "Computadora de la cooperativa", photos["admin"], utcnow())
    session.commit()
    client.cookies.set(DEVICE_COOKIE, raw)
    response = client.get(thumb(photos["private"]))
    assert response.status_code == 200 and response.headers["cache-control"] == "private, no-store"


def test_consented_portraits_and_product_photos_stay_public_and_cacheable(client, photos):
    portrait = client.get(thumb(photos["public"]))
    assert portrait.status_code == 200 and portrait.headers["cache-control"] == "public, max-age=86400"
    product = client.get(thumb(photos["product"]))
    assert product.status_code == 200 and product.headers["cache-control"].startswith("public, max-age=31536000")


def test_a_portrait_that_is_also_a_products_photo_is_public(client, session, photos):
    service.add_product_image(session, make_product(session, slug="rebozo"), photos["private"])
    session.commit()
    response = client.get(thumb(photos["private"]))
    assert response.status_code == 200 and response.headers["cache-control"].startswith("public")
