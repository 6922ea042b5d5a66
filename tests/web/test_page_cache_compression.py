"""Public pages are kept compressed in the page cache and sent in the coding each browser asks for, with every
visitor's own form token and cart count written in; the cache's budget counts every byte it holds."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from array import array
from dataclasses import fields

import brotli
import pytest
from fastapi.testclient import TestClient
from hypothesis import example, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from workspace_helpers import csrf_of

from shop.api.http.caching import MARKER
from shop.main import create_app
from shop.web import compression, page_cache
from shop.web.browser import SEED_COOKIE, csrf_valid
from shop.web.page_cache import PageCache

GZIP = {"Accept-Encoding": "gzip"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
IDENTITY = {"Accept-Encoding": "identity"}
SECRET = "test-secret-key-not-for-production"
PRODUCT = "/es/products/huipil-rombos"  # forms (add to cart): placeholders for the form token and the cart


def raw(client: TestClient, method: str, url: str, headers: dict[str, str]):
    """The answer and its body exactly as sent (TestClient would otherwise decode it)."""
    with client.stream(method, url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def seed_of(client: TestClient) -> str:
    return client.cookies[SEED_COOKIE]


def test_a_cached_page_is_gzip_for_each_visitor_with_her_own_token(app, client, shop_data):
    first, body = raw(client, "GET", PRODUCT, GZIP)
    assert first.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in first.headers["vary"].lower()
    assert int(first.headers["content-length"]) == len(body)
    html = gzip.decompress(body).decode()  # checks the CRC-32 and the length too
    assert "__SHOP_" not in html
    assert csrf_valid(SECRET, seed_of(client), csrf_of(html))

    other = TestClient(app)
    second, other_body = raw(other, "GET", PRODUCT, GZIP)
    assert second.headers["x-cache"] == "hit"
    other_html = gzip.decompress(other_body).decode()
    assert csrf_valid(SECRET, seed_of(other), csrf_of(other_html))
    assert not csrf_valid(SECRET, seed_of(client), csrf_of(other_html))
    # The visitor's token is written as stored bytes between compressed parts: it never meets a compressor.
    assert csrf_of(other_html).encode() in other_body
    assert len(body) < len(html) / 2


def test_the_cart_count_is_each_visitors_own(client, app, shop_data):
    page = client.get(PRODUCT).text
    added = client.post(
        "/es/cart/add",
        data={"product_id": shop_data["huipil"].id, "quantity": 1, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    response, body = raw(client, "GET", "/es/products", GZIP)
    assert response.headers["x-cache"] == "miss"
    assert '<span class="count">1</span>' in gzip.decompress(body).decode()
    stranger, stranger_body = raw(TestClient(app), "GET", "/es/products", GZIP)
    assert stranger.headers["x-cache"] == "hit"
    assert 'class="count"></span>' in gzip.decompress(stranger_body).decode()


def test_hits_are_not_compressed_again(client, shop_data, monkeypatch):
    raw(client, "GET", PRODUCT, GZIP)
    raw(client, "GET", "/api/v1/products", BROWSER)
    calls = []
    for name in ("compress", "deflated"):
        real = getattr(page_cache, name)
        monkeypatch.setattr(page_cache, name, lambda *a, real=real, **k: calls.append(a) or real(*a, **k))
    for _ in range(3):
        page, page_body = raw(client, "GET", PRODUCT, GZIP)
        api, api_body = raw(client, "GET", "/api/v1/products", BROWSER)
        assert (page.headers["x-cache"], api.headers["x-cache"]) == ("hit", "hit")
        assert gzip.decompress(page_body) and brotli.decompress(api_body)
    assert calls == []


def test_brotli_for_answers_without_placeholders_gzip_for_pages_with_them(client, shop_data):
    api, api_body = raw(client, "GET", "/api/v1/products", BROWSER)
    assert api.headers["content-encoding"] == "br"
    assert brotli.decompress(api_body) == client.get("/api/v1/products", headers=IDENTITY).content
    sitemap, sitemap_body = raw(client, "GET", "/sitemap.xml", BROWSER)
    assert sitemap.headers["content-encoding"] == "br"
    assert brotli.decompress(sitemap_body).startswith(b"<?xml")
    page, page_body = raw(client, "GET", PRODUCT, BROWSER)
    assert page.headers["content-encoding"] == "gzip"  # brotli pieces cannot be joined
    assert gzip.decompress(page_body).startswith(b"<!doctype html>")
    # Without placeholders but without brotli either: the whole body in gzip.
    api_gz, api_gz_body = raw(client, "GET", "/api/v1/products", GZIP)
    assert api_gz.headers["content-encoding"] == "gzip" and api_gz.headers["x-cache"] == "hit"
    assert gzip.decompress(api_gz_body) == brotli.decompress(api_body)


@pytest.mark.parametrize("accept", ["identity", "", "gzip;q=0, br;q=0", "deflate", "gzip;q=0.5, identity"])
def test_identity_when_the_browser_does_not_take_gzip(client, shop_data, accept):
    for _ in range(2):  # rendered, then from the cache
        response, body = raw(client, "GET", PRODUCT, {"Accept-Encoding": accept})
        assert "content-encoding" not in response.headers
        assert int(response.headers["content-length"]) == len(body)
        assert body.startswith(b"<!doctype html>")
        assert "accept-encoding" in response.headers["vary"].lower()


def test_no_accept_encoding_at_all_is_identity(client, shop_data):
    client.headers.pop("accept-encoding", None)
    for _ in range(2):
        with client.stream("GET", PRODUCT) as response:
            assert "accept-encoding" not in {k.lower() for k in response.request.headers}
            body = b"".join(response.iter_raw())
        assert "content-encoding" not in response.headers
        assert body.startswith(b"<!doctype html>")


def test_each_coding_has_its_own_etag_and_revalidates(client, shop_data):
    plain = client.get(PRODUCT, headers=IDENTITY)
    zipped, _ = raw(client, "GET", PRODUCT, GZIP)
    assert plain.headers["etag"] != zipped.headers["etag"]
    # Weak: the token is masked anew in each answer, so the bytes differ while the page means the same.
    assert zipped.headers["etag"].startswith('W/"')
    again = client.get(PRODUCT, headers={**GZIP, "If-None-Match": zipped.headers["etag"]})
    assert again.status_code == 304
    assert again.headers["etag"] == zipped.headers["etag"]
    assert "accept-encoding" in again.headers["vary"].lower()
    assert again.headers["cache-control"] == "no-cache"
    # An ETag of another coding does not stand for this one.
    assert client.get(PRODUCT, headers={**GZIP, "If-None-Match": plain.headers["etag"]}).status_code == 200
    listed = f'"other", {zipped.headers["etag"].removeprefix("W/")}'  # strong form, in a list: weak comparison
    assert client.get(PRODUCT, headers={**GZIP, "If-None-Match": listed}).status_code == 304
    api, _ = raw(client, "GET", "/api/v1/products", BROWSER)
    assert api.headers["etag"].endswith('-br"') and not api.headers["etag"].startswith("W/")
    assert client.get("/api/v1/products", headers={**BROWSER, "If-None-Match": "*"}).status_code == 304


def test_head_tells_the_length_of_the_compressed_body(client, shop_data):
    for url, headers in ((PRODUCT, GZIP), ("/api/v1/products", BROWSER), ("/es/products", GZIP)):
        for _ in range(2):  # rendered, then from the cache
            head, head_body = raw(client, "HEAD", url, headers)
            get, get_body = raw(client, "GET", url, headers)
            assert head_body == b""
            assert head.headers["content-encoding"] == get.headers["content-encoding"]
            assert head.headers["content-length"] == get.headers["content-length"] == str(len(get_body))


def test_with_the_cache_off_pages_are_still_compressed_once(settings, shop_data):
    settings.page_cache_bytes = 0
    app = create_app(settings)
    with TestClient(app) as client:
        for _ in range(2):
            response, body = raw(client, "GET", PRODUCT, BROWSER)
            assert response.headers["x-cache"] == "miss" and response.headers["content-encoding"] == "gzip"
            assert csrf_valid(SECRET, seed_of(client), csrf_of(gzip.decompress(body).decode()))
            api, api_body = raw(client, "GET", "/api/v1/products", BROWSER)
            assert api.headers["content-encoding"] == "br" and brotli.decompress(api_body).startswith(b"{")
        assert app.state.page_cache.entries == {}
    app.state.engine.dispose()


def test_with_the_cache_off_a_page_is_compressed_only_in_the_coding_asked_for(settings, shop_data, monkeypatch):
    settings.page_cache_bytes = 0
    app = create_app(settings)
    codings = []
    real = page_cache._compressed
    monkeypatch.setattr(page_cache, "_compressed", lambda *a: codings.append(a[2]) or real(*a))
    with TestClient(app) as client:
        plain, _ = raw(client, "GET", "/api/v1/products", IDENTITY)
        api, api_body = raw(client, "GET", "/api/v1/products", BROWSER)
        page, _ = raw(client, "GET", PRODUCT, GZIP)
    assert "content-encoding" not in plain.headers and api.headers["content-encoding"] == "br"
    assert brotli.decompress(api_body).startswith(b"{") and page.headers["content-encoding"] == "gzip"
    assert codings == [("identity",), ("br",), ("gzip",)]  # nothing is kept, so nothing else is made
    app.state.engine.dispose()


# --- every byte counted -------------------------------------------------------------------------------------


def bytes_held(value) -> int:
    """The len() of every bytes object reachable from ``value``, found by walking it (not by asking it)."""
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, array):
        return len(value) * value.itemsize
    if isinstance(value, dict):
        return sum(bytes_held(k) + bytes_held(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(bytes_held(item) for item in value)
    if hasattr(value, "__dataclass_fields__"):
        return sum(bytes_held(getattr(value, field.name)) for field in fields(value))
    assert value is None or isinstance(value, int | float | str), type(value)
    return 0


def test_the_budget_counts_every_byte_the_cache_holds(settings, session, shop_data):
    from factories import make_product

    for n in range(12):
        make_product(session, category=shop_data["bolsas"], slug=f"bolsa-{n}", title_en=f"Bag {n}")
    session.commit()
    settings.page_cache_bytes = 60_000
    app = create_app(settings)
    urls = ["/es/products", "/en/products", "/es/", "/en/", "/es/weavers", "/api/v1/products", "/sitemap.xml"]
    urls += [f"/{lang}/products/bolsa-{n}" for n in range(12) for lang in ("es", "en")]
    with TestClient(app) as client:
        for url in urls:
            assert client.get(url).status_code == 200
        cache = app.state.page_cache
        held = bytes_held(cache.entries)
        assert cache.size == held
        assert 0 < held <= 60_000
        assert 1 < len(cache.entries) < len(urls)  # some were forgotten to keep to the budget
        # No second copy of a page: its plain parts, its compressed forms, its headers and key, nothing else.
        entry = next(e for key, e in cache.entries.items() if b"/products/bolsa-11" in key)
        html = client.get("/es/products/bolsa-11", headers=IDENTITY).content
        assert len(entry.plain) > 1 and sum(map(len, entry.plain)) < len(html) + 200
        assert bytes_held(entry) < len(html) * 1.5
    app.state.engine.dispose()


def test_a_page_over_the_budget_is_not_kept(settings, shop_data):
    settings.page_cache_bytes = 3_000
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/es/products").headers["x-cache"] == "miss"
        assert client.get("/es/products").headers["x-cache"] == "miss"
        assert app.state.page_cache.size == 0 and not app.state.page_cache.entries
    app.state.engine.dispose()


# --- the gzip file made of pieces ---------------------------------------------------------------------------


def test_pieces_compressed_apart_make_one_valid_gzip_file():
    texts = [b"<html>" + b"fixed text " * 300, b"", b"<form>" * 80, b"tail"]
    values = [b"a" * 80, b"", "ñ".encode() * 40000]  # the last spans two stored blocks
    pieces = []
    for n, text in enumerate(texts):
        pieces.append((text, compression.deflated(text)))
        if n < len(values):
            pieces.append((values[n], compression.stored(values[n])))
    made = compression.gzip_member(pieces)
    whole = b"".join(plain for plain, _ in pieces)
    assert gzip.decompress(made) == whole
    assert zlib.decompress(made, wbits=31) == whole  # zlib checks the trailer too
    assert gzip.decompress(compression.gzip_member([])) == b""


@examples(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=3000), st.binary(max_size=200)), max_size=6), st.binary(max_size=3000))
def test_any_texts_and_values_make_a_gzip_file_that_inflates_to_their_join(pairs, last):
    """Fixed texts compressed apart, values stored between them, in any number and size."""
    pieces = []
    for text, value in pairs:
        pieces += [(text, compression.deflated(text)), (value, compression.stored(value))]
    pieces.append((last, compression.deflated(last)))
    assert gzip.decompress(compression.gzip_member(pieces)) == b"".join(plain for plain, _ in pieces)


@examples(max_examples=40, deadline=None)
@given(st.binary(max_size=5000), st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_a_crc_is_carried_over_a_text_by_its_tables(text, start):
    """CRC-32 is affine in where it starts: what the tables give is what a pass over the text gives."""
    tables = compression.crc_tables(text)
    assert zlib.crc32(text, start) == zlib.crc32(text) ^ compression.crc_moved(tables, start)
    assert len(tables) * tables.itemsize == 512


@examples(max_examples=40, deadline=None)
@given(
    st.lists(st.binary(max_size=6000), min_size=2, max_size=4),
    st.lists(st.binary(max_size=300), min_size=3, max_size=3),
)
@example(texts=[b"a", b"b" * 3000, b"c" * 2047, b"d" * 9000], values=[b"7", b"", b"token" * 16])
def test_a_kept_page_in_gzip_inflates_to_the_visitors_page(texts, values):
    """The page cache's own gzip of a page cut at its placeholders, long texts after one carrying CRC tables."""
    marks = [b"__A__", b"__B__", b"__C__"]
    plain = [b"<html>" * 100 + texts[0]]  # long enough to be worth compressing
    for n, text in enumerate(texts[1:]):
        plain += [marks[n], text]
    plain = tuple(plain)
    gzip_parts, _, crcs = page_cache._compressed(plain, b"text/html", ("gzip",))
    entry = page_cache.Entry(1, 200, [], b'"e"', plain, gzip_parts, b"", None, crcs)
    mine = dict(zip(marks, values, strict=True))
    body = page_cache.PageCache._body(entry, "gzip", mine)
    assert gzip.decompress(body) == b"".join(mine[p] if n % 2 else p for n, p in enumerate(plain))
    tables = [c[1] for c in crcs if c is not None and c[1] is not None]
    assert len(tables) == sum(1 for n, t in enumerate(plain) if n and not n % 2 and len(t) >= 2048)
    assert entry.nbytes() == sum(map(len, plain)) + sum(map(len, gzip_parts)) + 3 + 512 * len(tables)


@pytest.mark.parametrize(
    ("header", "offered", "chosen"),
    [
        (None, ("br", "gzip"), "identity"),
        (b"", ("br", "gzip"), "identity"),
        (b"gzip, deflate, br, zstd", ("br", "gzip"), "br"),
        (b"gzip, deflate, br, zstd", ("gzip",), "gzip"),
        (b"br;q=0.5, gzip", ("br", "gzip"), "gzip"),
        (b"gzip;q=0.5, identity", ("gzip",), "identity"),
        (b"gzip;q=0.5, identity;q=0.4", ("gzip",), "gzip"),
        (b"gzip;q=0", ("gzip",), "identity"),
        (b"*", ("br", "gzip"), "br"),
        (b"*;q=0, identity", ("gzip",), "identity"),
        (b"*;q=0.2, gzip;q=0", ("br", "gzip"), "br"),
        (b"identity;q=0", ("gzip",), "identity"),  # nothing acceptable: identity is still sent
        (b"GZIP", ("gzip",), "gzip"),
        (b"x-gzip", ("gzip",), "gzip"),
        (b"gzip;q=2, br;q=abc", ("br", "gzip"), "identity"),  # malformed q-values are ignored
        (b"br;q=0.001", ("br", "gzip"), "br"),
        (b"deflate, compress", ("br", "gzip"), "identity"),
    ],
)
def test_the_coding_follows_accept_encoding(header, offered, chosen):
    assert compression.choose(header, offered) == chosen


# --- buyers arriving together ---------------------------------------------------------------------------------


def gathered(cache: PageCache, count: int, path: str = "/page") -> list[list[dict]]:
    """``count`` requests for ``path`` at once; what each was sent."""

    async def one() -> list[dict]:
        sent: list[dict] = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": []}
        await cache(scope, receive, send)
        return sent

    async def all_of_them() -> list[list[dict]]:
        return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(count))), timeout=10)

    return asyncio.run(all_of_them())


def slow_app(calls: list[int], *, public: bool, together: int = 1, cookie: bool = False):
    """A page that takes until ``together`` requests are inside it (so they overlap) to answer."""

    async def app(scope, receive, send) -> None:
        calls.append(1)
        if len(calls) >= together:
            app.ready.set()
        await app.ready.wait()
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        headers += [(MARKER, b"public")] if public else []
        headers += [(b"set-cookie", b"a=b")] if cookie else []
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"<p>page</p>" * 100})

    app.ready = asyncio.Event()
    return app


def test_buyers_arriving_together_cost_one_render():
    calls: list[int] = []
    cache = PageCache(slow_app(calls, public=True), read_revision=lambda: 1)
    answers = gathered(cache, 8)
    assert len(calls) == 1
    assert [dict(a[0]["headers"])[b"x-cache"] for a in answers].count(b"hit") == 7
    assert all(a[1]["body"] == b"<p>page</p>" * 100 for a in answers)


@pytest.mark.parametrize(
    ("public", "cookie", "budget"),
    [(False, False, 10**6), (True, True, 10**6), (True, False, 0), (True, False, 1000)],
    ids=["not public", "sets a cookie", "cache off", "larger than the budget"],
)
def test_answers_that_are_not_kept_never_wait_for_one_another(public, cookie, budget):
    calls: list[int] = []
    cache = PageCache(slow_app(calls, public=public, cookie=cookie), read_revision=lambda: 1, max_bytes=budget)
    gathered(cache, 1)  # the cache learns that this address's answer is not kept
    assert cache.entries == {}
    calls.clear()
    cache.app = slow_app(calls, public=public, cookie=cookie, together=4)
    # Each request must be inside the page before any answers: had they queued, this would never end.
    answers = gathered(cache, 4)
    assert len(calls) == 4 and all(a[1]["body"] == b"<p>page</p>" * 100 for a in answers)
