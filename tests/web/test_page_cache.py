"""Public catalogue pages are cached per worker and refreshed by the catalogue revision."""

import pytest
from factories import make_product
from fastapi.testclient import TestClient

from shop.main import create_app


def test_second_view_is_served_from_the_cache(client, shop_data):
    first = client.get("/en/products")
    second = client.get("/en/products")
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.text == second.text
    assert second.headers["content-security-policy"]
    assert second.headers["cache-control"] == "no-cache"
    assert client.get("/api/v1/products").headers["x-cache"] == "miss"
    assert client.get("/api/v1/products").headers["x-cache"] == "hit"


def test_a_catalogue_change_is_shown_at_once(client, session, shop_data):
    assert "Diamond huipil" in client.get("/en/products").text
    shop_data["huipil"].title_en = "Universe huipil"
    session.commit()
    response = client.get("/en/products")
    assert response.headers["x-cache"] == "miss"
    assert "Universe huipil" in response.text


def test_new_products_invalidate_listing_pages(client, session, shop_data):
    client.get("/en/products")
    make_product(session, category=shop_data["bolsas"], slug="nueva", title_en="Brand new bag")
    session.commit()
    assert "Brand new bag" in client.get("/en/products").text


def test_a_change_through_this_worker_shows_on_its_next_page(settings, session, shop_data):
    settings.page_cache_seconds = 3600  # other workers' changes would take an hour to show
    app = create_app(settings)
    with TestClient(app) as client:
        client.get("/en/products/huipil-rombos")
        shop_data["huipil"].title_en = "Changed elsewhere"
        session.commit()
        assert "Changed elsewhere" not in client.get("/en/products/huipil-rombos").text
        client.post("/api/v1/products")  # any request that may change data, even a refused one
        assert "Changed elsewhere" in client.get("/en/products/huipil-rombos").text
    app.state.engine.dispose()


def test_only_marked_successful_cookie_free_answers_are_cached(client, shop_data):
    for _ in range(2):
        assert client.get("/en/products/nothing").headers.get("x-cache") != "hit"
        assert client.get("/lang/en?next=/es/", follow_redirects=False).headers.get("x-cache") is None
        assert client.get("/healthz").headers.get("x-cache") is None
        assert client.get("/products", follow_redirects=False).headers.get("x-cache") is None
        assert client.get("/en/cart").headers.get("x-cache") is None


def test_etag_revalidation_answers_304(client, shop_data):
    etag = client.get("/es/products").headers["etag"]
    response = client.get("/es/products", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert client.get("/es/products", headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_requests_get_headers_only(client, shop_data):
    client.get("/es/products")
    response = client.head("/es/products")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 1000


def test_the_cache_keeps_to_its_memory_budget(settings, shop_data):
    settings.page_cache_bytes = 20_000
    app = create_app(settings)
    with TestClient(app) as client:
        for url in ("/es/products", "/en/products", "/es/", "/en/", "/es/weavers", "/en/weavers"):
            client.get(url)
        cache = app.state.page_cache
        assert 0 < cache.size <= 20_000
        assert cache.size == sum(len(key) + e.nbytes() for key, e in cache.entries.items())
        assert len(cache.entries) < 6
    app.state.engine.dispose()


@pytest.mark.parametrize("query", ["?page=1", "?sort=price_asc", "?q=huipil"])
def test_query_strings_are_part_of_the_key(client, shop_data, query):
    plain = client.get("/en/products")
    assert client.get("/en/products" + query).headers["x-cache"] == "miss"
    assert plain.headers["x-cache"] == "miss"


def test_a_forged_host_header_never_reaches_a_cached_answer(client, shop_data):
    forged = client.get("/api/v1/products?page_size=2", headers={"Host": "evil.example"})
    assert forged.status_code == 200  # outside production any host is served ...
    assert "evil.example" not in forged.text  # ... but links come from SHOP_BASE_URL
    assert forged.json()["next"] == "http://testserver/api/v1/products?page_size=2&page=2"
    honest = client.get("/api/v1/products?page_size=2")
    assert honest.headers["x-cache"] == "hit" and "evil.example" not in honest.text


def test_production_refuses_unknown_hosts(settings):
    from shop.config import Settings

    production = Settings(**{**settings.model_dump(), "environment": "production", "secret_key": "x" * 40})
    app = create_app(production)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200  # testserver is the host of SHOP_BASE_URL
        assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    app.state.engine.dispose()


@pytest.mark.parametrize("url", ["/es/products", "/healthz", "/api/v1/products", "/sitemap.xml"])
def test_head_answers_like_get_without_a_body(client, shop_data, url):
    for _ in range(2):  # once rendered, once from the cache where cacheable
        response = client.head(url)
        assert response.status_code == 200
        assert response.content == b""
        assert response.headers["content-type"] == client.get(url).headers["content-type"]


def test_placeholders_are_cut_once_and_filled_in_one_join():
    from shop.web.page_cache import _cut

    parts = _cut(b"<a>__X__</a><b>__Y__</b>__X__", [b"__X__", b"__Y__"])
    assert parts[1::2] == (b"__X__", b"__Y__", b"__X__")
    values = {b"__X__": b"1", b"__Y__": b"two"}
    assert b"".join(values[p] if n % 2 else p for n, p in enumerate(parts)) == b"<a>1</a><b>two</b>1"
    assert _cut(b"nothing to fill", [b"__X__"]) == ()


def test_the_day_is_read_with_the_revision_and_turns_within_its_time(settings, shop_data, monkeypatch):
    """A hit does not ask the day; the day is asked when the revision is, and its turn forgets every page."""
    settings.page_cache_seconds = 3600
    app = create_app(settings)
    with TestClient(app) as client:
        cache = app.state.page_cache
        asked = []
        days = iter(range(100))
        today = cache.day
        cache.today = lambda: asked.append(1) or today
        client.get("/en/products")
        for _ in range(5):
            assert client.get("/en/products").headers["x-cache"] == "hit"
        assert len(asked) == 1
        cache.today = lambda: next(days)  # the day turns ...
        assert client.get("/en/products").headers["x-cache"] == "hit"  # ... and is noticed at the next check
        cache.checked_at = float("-inf")  # the check is due
        assert client.get("/en/products").headers["x-cache"] == "miss"
        assert cache.day == 0
    app.state.engine.dispose()
