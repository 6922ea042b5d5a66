"""Forged forms (issue 10): a valid token is not enough from another site's page (Origin, or Referer without
it); tokens are renewed at sign-in and sign-out; under https the seed and session cookies carry the
``__Host-`` prefix, and every reader and writer agrees on their names."""

import pytest
from factories import make_product, make_user, make_weaver
from fastapi.testclient import TestClient
from workspace_helpers import csrf_of, sign_in

from shop.accounts.models import Role
from shop.i18n import translator
from shop.main import create_app

ES = translator("es")
EXPIRED = ES.gettext("This form has expired. Go back, reload the page and try again.")


@pytest.fixture
def shop(session):
    weaver = make_weaver(session, slug="maria-perez", name="María")
    product = make_product(session, slug="faja", kind="series", stock_on_hand=3, weavers=[(weaver, 10_000)])
    make_user(session, roles=[Role.admin], username="ana", name="Ana")
    session.commit()
    return product


def add_to_cart(client, product, token, **headers):
    return client.post(
        "/es/cart/add",
        data={"product_id": product.id, "quantity": 1, "csrf_token": token},
        headers=headers,
        follow_redirects=False,
    )


def test_a_valid_token_from_another_site_is_refused(client, shop):
    token = csrf_of(client.get("/es/products/faja").text)
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Referer": "https://evil.example/page"},
    ):
        refused = add_to_cart(client, shop, token, **headers)
        assert refused.status_code == 403, headers
        assert EXPIRED in refused.text
    # From the shop's own pages (Origin, or Referer when there is no Origin), or with neither header.
    assert add_to_cart(client, shop, token, Origin="http://testserver").status_code == 303
    assert add_to_cart(client, shop, token, Referer="http://testserver/es/products/faja").status_code == 303
    assert add_to_cart(client, shop, token).status_code == 303
    assert add_to_cart(client, shop, "forged").status_code == 403  # neither header: the token decides


def test_the_workspace_forms_check_the_origin_too(client, shop):
    page = client.get("/taller")
    data = {"login": "ana", "password": "a long password 1", "csrf_token": csrf_of(page.text)}
    evil = client.post("/taller/entrar", data=data, headers={"Origin": "https://evil.example"}, follow_redirects=False)
    assert evil.status_code == 403
    ours = client.post("/taller/entrar", data=data, headers={"Origin": "http://testserver"}, follow_redirects=False)
    assert ours.status_code == 303


def test_the_base_url_and_allowed_hosts_are_our_origins(settings, shop):
    app = create_app(
        settings.model_copy(update={"base_url": "https://tienda.example.org", "allowed_hosts": ["shop.example.org"]})
    )
    try:
        with TestClient(app, base_url="https://shop.example.org") as client:
            token = csrf_of(client.get("/es/products/faja").text)
            for origin in ("https://tienda.example.org", "https://shop.example.org"):
                assert add_to_cart(client, shop, token, Origin=origin).status_code == 303
            assert add_to_cart(client, shop, token, Origin="http://shop.example.org").status_code == 403
    finally:
        app.state.engine.dispose()


def test_a_token_from_before_signing_in_is_refused_after_it(client, shop):
    before = csrf_of(client.get("/taller").text)
    response = client.post(
        "/taller/entrar",
        data={"login": "ana", "password": "a long password 1", "csrf_token": before},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert any(c.startswith("seed=") for c in response.headers.get_list("set-cookie"))  # a new seed
    stale = client.post("/taller/idioma", data={"lang": "tzo", "next": "/taller/inicio", "csrf_token": before})
    assert stale.status_code == 403
    during = csrf_of(client.get("/taller/inicio").text)
    assert during != before
    assert client.post("/taller/salir", data={"csrf_token": during}, follow_redirects=False).status_code == 303
    # Signing out renews it again: the signed-in pages' tokens are worth nothing afterwards.
    assert add_to_cart(client, shop, during).status_code == 403


def test_cached_store_pages_carry_the_renewed_token(client, shop):
    first = client.get("/es/products/faja")
    old = csrf_of(first.text)
    assert sign_in(client).status_code == 303
    again = client.get("/es/products/faja")
    assert again.headers["x-cache"] == "hit"
    new = csrf_of(again.text)
    assert new != old
    assert add_to_cart(client, shop, old).status_code == 403
    assert add_to_cart(client, shop, new).status_code == 303


def test_cookies_take_the_host_prefix_under_https(settings, shop):
    app = create_app(settings.model_copy(update={"base_url": "https://testserver"}))
    try:
        with TestClient(app, base_url="https://testserver") as client:
            first = client.get("/taller")
            seed = first.headers["set-cookie"]
            assert seed.startswith("__Host-seed=") and "Secure" in seed and "Path=/" in seed
            assert "Domain" not in seed
            signed = sign_in(client)
            assert signed.status_code == 303
            cookies = signed.headers.get_list("set-cookie")
            session_cookie = next(c for c in cookies if c.startswith("__Host-ws="))
            assert "Secure" in session_cookie and "Path=/" in session_cookie and "Domain" not in session_cookie
            assert any(c.startswith("__Host-seed=") for c in cookies)  # renewed under the same name
            assert any(c.startswith("__Host-known=") for c in cookies)
            home = client.get("/taller/inicio", follow_redirects=False)
            assert home.status_code == 200 and "Ana" in home.text  # read back under the prefixed name
            out = client.post("/taller/salir", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
            assert out.status_code == 303
            gone = next(c for c in out.headers.get_list("set-cookie") if c.startswith("__Host-ws="))
            assert "Max-Age=0" in gone and "Secure" in gone
            assert client.get("/taller/inicio", follow_redirects=False).status_code == 303
            # A plain-named cookie planted by someone else is not read under https.
            planted = TestClient(app, base_url="https://testserver")
            planted.cookies.set("seed", "planted-seed")
            assert "planted-seed" not in planted.get("/taller").headers.get("set-cookie", "")
    finally:
        app.state.engine.dispose()


def test_plain_names_on_a_developers_http(client, shop):
    assert client.get("/taller").headers["set-cookie"].startswith("seed=")
    cookies = sign_in(client).headers.get_list("set-cookie")
    assert any(c.startswith("ws=") for c in cookies) and not any("__Host-" in c for c in cookies)


# Routes that change something without a browser form: Stripe's signed webhook and the bearer-key JSON API.
NOT_FORMS = ("/api/",)


def test_every_form_route_refuses_a_foreign_origin_even_with_a_valid_token(app, client, shop, session):
    """Read from the route table, so a form route added later escapes nothing: the Origin is checked for the
    whole app, before the form is read or validated."""
    from route_table import concrete, routes

    make_user(session, roles=[r for r in Role if r is not Role.member], username="todas", name="Todas")
    session.commit()
    assert sign_in(client, "todas").status_code == 303
    token = csrf_of(client.get("/taller/inicio").text)
    checked = []
    for method, path, _route in routes(app):
        if method not in ("POST", "PUT", "PATCH", "DELETE") or path.startswith(NOT_FORMS):
            continue
        url = concrete(path.replace("{lang:store_lang}", "es"))
        response = client.request(
            method,
            url,
            data={"csrf_token": token},
            headers={"Origin": "https://evil.example"},
            follow_redirects=False,
        )
        assert response.status_code == 403, (method, path, response.status_code)
        checked.append(path)
    assert len(checked) > 40 and "/taller/entrar" in checked and "/{lang:store_lang}/cart/add" in checked
