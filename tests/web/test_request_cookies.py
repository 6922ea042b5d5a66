"""Every layer reads a request's cookies the same way: the seed, the cart and the shipping country as Starlette's
``request.cookies`` reads them, and an odd header never stops a page."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from shop.web.browser import chosen_country, request_cookies


def scope_with(*cookie_headers: bytes) -> dict:
    headers = [(b"host", b"shop.example")] + [(b"cookie", value) for value in cookie_headers]
    return {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": headers}


def test_the_usual_cookies():
    scope = scope_with(b"seed=Abc-123_x; cart=eyJ0IjoiYSJ9.sig; ship_to=FR")
    assert request_cookies(scope) == {"seed": "Abc-123_x", "cart": "eyJ0IjoiYSJ9.sig", "ship_to": "FR"}
    assert chosen_country(request_cookies(scope)) == "FR"
    assert scope["shop.cookies"] is request_cookies(scope)  # parsed once per request


@pytest.mark.parametrize(
    "header",
    [b'a="quoted \\"value\\""; b=2', b"broken; =x; b=2", b"\xff\xfe=\xfa; b=2", b";;;", b"", b"b=2; b=3"],
)
def test_odd_headers_read_as_starlette_reads_them(header):
    scope = scope_with(header)
    assert request_cookies(scope) == Request(scope_with(header)).cookies


def test_two_cookie_headers_are_both_read():
    assert request_cookies(scope_with(b"seed=one", b"ship_to=CA")) == {"seed": "one", "ship_to": "CA"}
