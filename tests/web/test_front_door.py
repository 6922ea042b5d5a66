"""The layers a cached page needs stand in front of FastAPI's own: a hit never reaches FastAPI, the host check
still stands in front of everything, and whatever is not a hit goes through FastAPI's full stack as before."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.middleware import trustedhost

from shop.main import create_app
from shop.web.front_door import KNOWN_HOSTS, Shop


@pytest.fixture
def shop(settings, shop_data):
    settings.allowed_hosts = ["shop.example", "*.jpas.example", "www.jpas.test"]
    app = create_app(settings)
    with TestClient(app, base_url="http://shop.example", raise_server_exceptions=False) as client:
        yield app, client
    app.state.engine.dispose()


def behind_calls(app, monkeypatch) -> list[str]:
    """The paths that went on into FastAPI's stack."""
    calls: list[str] = []
    original = Shop.behind

    async def counted(self, scope, receive, send):
        calls.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(Shop, "behind", counted)
    app.state.page_cache.app.app = app.behind  # behind the cache's SeedCookie, as create_app builds it
    return calls


def test_a_hit_is_answered_in_front_of_fastapi(shop, monkeypatch):
    app, client = shop
    calls = behind_calls(app, monkeypatch)
    first = client.get("/en/products")
    second = client.get("/en/products")
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert calls == ["/en/products"]
    assert second.text == first.text
    # What the layers behind add is kept with the page: security headers, compression's Vary, a new seed.
    assert second.headers["content-security-policy"] and second.headers["x-frame-options"] == "DENY"
    assert second.headers["vary"] == "Accept-Encoding"
    client.cookies.clear()  # a new visitor gets her seed with a hit too
    third = client.get("/en/products")
    assert third.headers["x-cache"] == "hit" and "seed=" in third.headers["set-cookie"]
    assert calls == ["/en/products"]


def test_everything_else_goes_through_fastapi(shop, monkeypatch):
    app, client = shop
    calls = behind_calls(app, monkeypatch)
    client.get("/en/cart")
    client.get("/en/cart")
    assert client.get("/taller").status_code in (200, 303)
    assert calls == ["/en/cart", "/en/cart", "/taller"]


def test_a_page_error_still_gets_the_shops_error_page(shop, monkeypatch):
    app, client = shop

    @app.get("/boom")
    def boom():
        raise RuntimeError("broken")

    response = client.get("/boom", headers={"accept-language": "es"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()


@pytest.mark.parametrize("host", ["evil.example", "shop.example.evil.example", "jpas.example", "[::1]", "a b"])
def test_a_host_not_ours_is_refused_even_for_a_cached_page(shop, host):
    app, client = shop
    assert client.get("/en/products").status_code == 200
    assert client.get("/en/products").headers["x-cache"] == "hit"
    refused = client.get("/en/products", headers={"host": host})
    assert (refused.status_code, refused.text) == (400, "Invalid host header")
    assert host.encode() not in app.front.known


@pytest.mark.parametrize("host", ["shop.example", "SHOP.example:8443", "shop.example:80", "tienda.jpas.example"])
def test_our_hosts_are_served_and_remembered(shop, host):
    app, client = shop
    for _ in range(2):
        assert client.get("/en/products", headers={"host": host}).status_code == 200
    assert host.encode() in app.front.known


def test_the_www_redirect_is_kept(shop):
    _, client = shop
    response = client.get("/en/products", headers={"host": "jpas.test"}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "http://www.jpas.test/en/products"


def test_a_stranger_cannot_grow_the_remembered_hosts(shop, monkeypatch):
    app, client = shop
    parsed: list[str] = []
    original = trustedhost.parse_host_header
    monkeypatch.setattr(trustedhost, "parse_host_header", lambda value: parsed.append(value) or original(value))
    for port in range(1, 3 * KNOWN_HOSTS):
        assert client.get("/en/products", headers={"host": f"shop.example:{port}"}).status_code == 200
    assert len(app.front.known) == KNOWN_HOSTS
    # Once full, a new value is checked every time (by Starlette's own check), never let through unchecked.
    assert client.get("/en/products", headers={"host": "evil.example:1"}).status_code == 400
    parsed.clear()
    client.get("/en/products", headers={"host": "shop.example:1"})
    assert parsed == []  # a remembered one is not parsed again


def test_any_host_is_served_when_any_is_allowed(settings, shop_data):
    settings.allowed_hosts = ["*"]
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/en/products", headers={"host": "anything.example"}).status_code == 200
        assert app.front.known == set()
    app.state.engine.dispose()


def test_a_new_browser_gets_its_seed_on_every_first_page_and_kept_pages_stay_kept(shop):
    app, client = shop
    seeds = []
    for expected in ("miss", "hit"):
        client.cookies.clear()
        page = client.get("/en/products")
        assert page.headers["x-cache"] == expected
        assert page.headers.get_list("set-cookie") == [page.headers["set-cookie"]]  # one, the seed's
        seeds.append(client.cookies["seed"])
    assert seeds[0] != seeds[1]
    assert any(key.startswith(b"/en/products?") for key in app.state.page_cache.entries)
    # A page the cache does not keep (the cart) gets it from the layer behind the cache, once too.
    client.cookies.clear()
    cart = client.get("/en/cart")
    assert "x-cache" not in cart.headers and cart.headers["set-cookie"].startswith("seed=")
    client.cookies.clear()
    assert "set-cookie" not in client.get("/api/v1/products").headers  # not a page: no seed
    # A browser that has its seed is not given another, on a hit or anywhere else.
    client.get("/en/cart")
    for path in ("/en/products", "/en/cart", "/en/weavers", "/en/weavers"):
        assert "set-cookie" not in client.get(path).headers
