"""Answers the page cache does not keep (workspace pages, static files, exports) are compressed as they are
sent, never twice, never photos, tiny bodies, partial answers or events; the form token is masked (BREACH)."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import zlib

import brotli
import pytest
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from workspace_helpers import csrf_of

from shop.api.http.caching import MARKER
from shop.web.browser import csrf_token, csrf_valid
from shop.web.compression import Compression

GZIP = {"Accept-Encoding": "gzip"}
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}
SECRET = "test-secret-key-not-for-production"


def raw(client: TestClient, method: str, url: str, headers: dict[str, str]):
    """The answer and its body exactly as sent (TestClient would otherwise decode it)."""
    with client.stream(method, url, headers=headers) as response:
        return response, b"".join(response.iter_raw())


def test_a_workspace_page_is_compressed_with_its_token_masked(client):
    response, body = raw(client, "GET", "/taller", BROWSER)
    assert response.headers["content-encoding"] == "br"
    assert "accept-encoding" in response.headers["vary"].lower()
    assert int(response.headers["content-length"]) == len(body)
    assert "x-cache" not in response.headers  # not the page cache's doing
    html = brotli.decompress(body).decode()
    seed = client.cookies["seed"]
    assert csrf_valid(SECRET, seed, csrf_of(html))
    again = gzip.decompress(raw(client, "GET", "/taller", GZIP)[1]).decode()
    assert csrf_of(again) != csrf_of(html) and csrf_valid(SECRET, seed, csrf_of(again))


def test_a_static_stylesheet_is_compressed_with_a_weak_etag_that_still_revalidates(client):
    html = client.get("/es/").text
    css_url = html.split('rel="stylesheet" href="')[1].split('"')[0]
    plain = client.get(css_url, headers={"Accept-Encoding": "identity"})
    response, body = raw(client, "GET", css_url, GZIP)
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == plain.content
    assert response.headers["etag"] == "W/" + plain.headers["etag"]
    assert "content-length" not in response.headers or int(response.headers["content-length"]) == len(body)
    again = client.get(css_url, headers={**GZIP, "If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    head, head_body = raw(client, "HEAD", css_url, GZIP)
    assert head.status_code == 200 and head_body == b"" and head.headers["content-encoding"] == "gzip"
    # A range of the file is a range of its plain bytes: never compressed.
    part, part_body = raw(client, "GET", css_url, {**GZIP, "Range": "bytes=0-99"})
    assert part.status_code == 206 and "content-encoding" not in part.headers and len(part_body) == 100


def test_photos_and_tiny_bodies_are_sent_as_they_are(client, shop_data):
    html = client.get("/es/products/huipil-rombos").text
    photo = html.split('src="/media/')[1].split('"')[0]
    response, body = raw(client, "GET", "/media/" + photo, BROWSER)
    assert response.status_code == 200 and response.headers["content-type"] == "image/webp"
    assert "content-encoding" not in response.headers and body.startswith(b"RIFF")
    tiny, tiny_body = raw(client, "GET", "/healthz", BROWSER)
    assert "content-encoding" not in tiny.headers and tiny_body.startswith(b"{")


def test_a_cached_page_is_not_compressed_twice(client, shop_data):
    for _ in range(2):
        response, body = raw(client, "GET", "/es/products", GZIP)
        assert response.headers["content-encoding"] == "gzip"
        assert gzip.decompress(body).startswith(b"<!doctype html>")


# --- the middleware alone, around small apps -----------------------------------------------------------------

TEXT = "Tejido a mano en telar de cintura. " * 100


async def chunks():
    for n in range(3):
        yield f"part {n}: {TEXT}\n".encode()


def small_app(**extra_headers) -> Starlette:
    def page(request):
        return PlainTextResponse(TEXT, headers=extra_headers)

    def stream(request):
        return StreamingResponse(chunks(), media_type="text/csv")

    def events(request):
        return StreamingResponse(chunks(), media_type="text/event-stream")

    def encoded(request):
        return Response(gzip.compress(TEXT.encode()), media_type="text/plain", headers={"Content-Encoding": "gzip"})

    routes = [Route("/", page), Route("/stream", stream), Route("/events", events), Route("/encoded", encoded)]
    app = Starlette(routes=routes)
    return Compression(app, skip_header=MARKER)


def test_a_stream_is_compressed_piece_by_piece():
    client = TestClient(small_app())
    with client.stream("GET", "/stream", headers=GZIP) as response:
        assert response.headers["content-encoding"] == "gzip" and "content-length" not in response.headers
        inflate = zlib.decompressobj(wbits=31)
        pieces = [inflate.decompress(chunk) for chunk in response.iter_raw()]
    # Each part is flushed: the first message alone already inflates to the first part.
    assert pieces[0] == f"part 0: {TEXT}\n".encode()
    assert b"".join(pieces) == b"".join(f"part {n}: {TEXT}\n".encode() for n in range(3))
    assert inflate.eof
    with client.stream("GET", "/stream", headers=BROWSER) as response:
        assert response.headers["content-encoding"] == "br"
        assert brotli.decompress(b"".join(response.iter_raw())).startswith(b"part 0: ")


def test_events_already_encoded_and_no_transform_answers_are_left_alone():
    client = TestClient(small_app())
    with client.stream("GET", "/events", headers=BROWSER) as response:
        assert "content-encoding" not in response.headers
        assert b"".join(response.iter_raw()).startswith(b"part 0: ")
    encoded, body = raw(client, "GET", "/encoded", BROWSER)
    assert encoded.headers["content-encoding"] == "gzip" and gzip.decompress(body) == TEXT.encode()
    untouched = TestClient(small_app(**{"Cache-Control": "no-transform"}))
    response, body = raw(untouched, "GET", "/", BROWSER)
    assert "content-encoding" not in response.headers and body == TEXT.encode()


def test_pages_marked_for_the_page_cache_are_left_to_it():
    client = TestClient(small_app(**{MARKER.decode(): "public"}))
    response, body = raw(client, "GET", "/", BROWSER)
    assert "content-encoding" not in response.headers and body == TEXT.encode()


@pytest.mark.parametrize(("accept", "coding"), [("gzip", "gzip"), ("br;q=1, gzip;q=0.9", "br"), ("identity", None)])
def test_the_coding_follows_the_browser(accept, coding):
    response, body = raw(TestClient(small_app()), "GET", "/", {"Accept-Encoding": accept})
    assert response.headers.get("content-encoding") == coding
    assert response.headers["vary"] == "Accept-Encoding"
    assert int(response.headers["content-length"]) == len(body)
    decoded = {"gzip": gzip.decompress, "br": brotli.decompress, None: bytes}[coding](body)
    assert decoded == TEXT.encode()


# --- the masked form token -----------------------------------------------------------------------------------


def test_form_tokens_are_masked_anew_and_unmasked_to_check():
    tokens = {csrf_token(SECRET, "seed-a") for _ in range(5)}
    assert len(tokens) == 5 and all(len(t) == 80 for t in tokens)
    assert all(csrf_valid(SECRET, "seed-a", t) for t in tokens)
    assert not any(csrf_valid(SECRET, "seed-b", t) for t in tokens)
    masked = tokens.pop()
    pad, hidden = bytes.fromhex(masked[:40]), bytes.fromhex(masked[40:])
    unmasked = bytes(a ^ b for a, b in zip(pad, hidden, strict=True)).hex()
    assert csrf_valid(SECRET, "seed-a", unmasked)  # a page sent before tokens were masked still works
    for bad in ("", "zz" * 40, "é" * 80, masked[:-2], masked + "00", "0" * 80, None):
        assert not csrf_valid(SECRET, "seed-a", bad)
    assert not csrf_valid(SECRET, None, masked)


def test_form_tokens_are_the_shops_mac_of_the_seed_and_older_ones_still_pass():
    """BLAKE2b keyed with the shop's secret; tokens signed by the HMAC-SHA256 of before (on pages sent before the
    change) still pass, and neither passes for another seed or another secret."""
    other_secret = "another-secret-of-sufficient-length"
    for secret, seed in [(SECRET, "seed-a"), (SECRET, "seed-b"), (other_secret, "seed-a")]:
        key = hashlib.blake2b(secret.encode(), person=b"shop-key").digest()
        ours = hashlib.blake2b(seed.encode(), key=key, person=b"shop-csrf", digest_size=20).digest()
        older = hmac.digest(secret.encode(), b"csrf:" + seed.encode(), hashlib.sha256)[:20]
        token = csrf_token(secret, seed)
        pad, hidden = bytes.fromhex(token[:40]), bytes.fromhex(token[40:])
        assert bytes(a ^ b for a, b in zip(pad, hidden, strict=True)) == ours
        assert csrf_valid(secret, seed, token) and csrf_valid(secret, seed, older.hex())
        assert not csrf_valid(secret, seed + "x", older.hex()) and not csrf_valid(secret, seed + "x", token)
    assert not csrf_valid(other_secret, "seed-a", csrf_token(SECRET, "seed-a"))
    older = hmac.digest(SECRET.encode(), b"csrf:seed-a", hashlib.sha256)[:20]
    assert not csrf_valid(other_secret, "seed-a", older.hex())
