"""What the shop remembers about a browser without an account: a CSRF seed, the cart, a one-time message.

Each browser gets a random seed in an HttpOnly cookie on its first HTML page. Form tokens are an HMAC of
that seed, so the same cached page works for everybody: the page cache writes each visitor's token (and
cart count) into the placeholders below as it serves the page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shop.api.http.caching import MARKER
from shop.api.http.cookies import host_cookie
from shop.errors import Phrase

SEED_COOKIE = "seed"
CART_COOKIE = "cart"
FLASH_COOKIE = "flash"
SEED_SCOPE_KEY = "shop.seed"
# A new browser's Set-Cookie header for its seed, in a list (absent for a browser that has its seed).
SEED_HEADER_SCOPE_KEY = "shop.seed_header"
CSRF_PLACEHOLDER = b"__SHOP_CSRF__"
CART_PLACEHOLDER = b"__SHOP_CART__"
PLACEHOLDERS = (CSRF_PLACEHOLDER, CART_PLACEHOLDER)
CSRF_BYTES = 20
YEAR = 365 * 24 * 3600


COOKIES_SCOPE_KEY = "shop.cookies"
# The country a visitor chose to see shipping costs for (a two-letter code).
SHIP_TO_COOKIE = "ship_to"


def request_cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies, parsed once per request."""
    cached = scope.get(COOKIES_SCOPE_KEY)
    if cached is not None:
        return cached
    cookies = _parse_cookies(scope)
    scope[COOKIES_SCOPE_KEY] = cookies
    return cookies


def _parse_cookies(scope: Scope) -> dict[str, str]:
    """Parsed as Starlette parses ``request.cookies`` (the same answer everywhere), ten times faster than
    ``SimpleCookie``: it runs for every page, cached ones included."""
    cookies: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies.update(cookie_parser(value.decode("latin-1")))
    return cookies


def new_seed() -> str:
    return secrets.token_urlsafe(24)


def seed_cookie_header(seed: str, *, secure: bool) -> str:
    cookie = f"{host_cookie(SEED_COOKIE, secure)}={seed}; Path=/; Max-Age={YEAR}; HttpOnly; SameSite=Lax"
    return cookie + "; Secure" if secure else cookie


def rotate_seed(response, *, secure: bool) -> None:
    """Give the browser a new seed (at sign-in and sign-out): tokens from pages seen before stop working."""
    response.raw_headers.append((b"set-cookie", seed_cookie_header(new_seed(), secure=secure).encode()))


def _csrf_key(secret: str, seed: str) -> bytes:
    """What a form token proves: this browser's seed, signed by the shop (20 bytes), by BLAKE2b's own keyed mode.

    It was HMAC-SHA256 (``_older_key``), which took a cached page with a form 6 to 8 µs of a loaded worker's time
    in OpenSSL; this takes about 1."""
    return hashlib.blake2b(seed.encode(), key=_blake_key(secret), person=b"shop-csrf", digest_size=CSRF_BYTES).digest()


@lru_cache(maxsize=4)
def _blake_key(secret: str) -> bytes:
    """BLAKE2b takes a key of at most 64 bytes, and the secret may be longer."""
    return hashlib.blake2b(secret.encode(), person=b"shop-key").digest()


def _older_key(secret: str, seed: str) -> bytes:
    """The key tokens had before ``_csrf_key``: a form on a page sent before still works."""
    return hmac.digest(secret.encode(), b"csrf:" + seed.encode(), hashlib.sha256)[:CSRF_BYTES]


def _mask(pad: bytes, key: bytes) -> bytes:
    return (int.from_bytes(pad, "big") ^ int.from_bytes(key, "big")).to_bytes(CSRF_BYTES, "big")


def csrf_token(secret: str, seed: str) -> str:
    """A form token for this browser, masked with a fresh random pad each time it is written on a page.

    The pages are sent compressed, and some reflect what a visitor typed (the search box): were the token
    the same in every answer, an attacker who makes a victim's browser load pages with chosen searches
    could read it from the compressed sizes (BREACH). The mask makes each answer's token different;
    ``csrf_valid`` takes it off again.
    """
    return _masked(_csrf_key(secret, seed))


def _masked(key: bytes) -> str:
    pad = secrets.token_bytes(CSRF_BYTES)
    return (pad + _mask(pad, key)).hex()


def csrf_valid(secret: str, seed: str | None, token: str | None) -> bool:
    """A masked token from ``csrf_token``, or an unmasked one (from a page sent before tokens were masked), signed
    with the key or the older one."""
    if not (seed and token) or len(token) not in (2 * CSRF_BYTES, 4 * CSRF_BYTES):
        return False
    try:
        raw = bytes.fromhex(token)
    except ValueError:  # not hex, or characters beyond ASCII, which anyone can send
        return False
    if len(raw) == 2 * CSRF_BYTES:
        raw = _mask(raw[:CSRF_BYTES], raw[CSRF_BYTES:])
    return hmac.compare_digest(_csrf_key(secret, seed), raw) or hmac.compare_digest(_older_key(secret, seed), raw)


class Signer:
    """Signed, tamper-proof cookie values (the cart's token and count, one-time messages, known browsers)."""

    def __init__(self, secret: str):
        self.cart = URLSafeSerializer(secret, salt="cart")
        self.flash = URLSafeSerializer(secret, salt="flash")
        self.known = URLSafeTimedSerializer(secret, salt="known-browser")

    def read_known(self, value: str | None, max_age: int) -> list[int]:
        """The people who signed in with their password on this browser (ids), if the cookie is ours."""
        if not value or len(value) > 500:
            return []
        try:
            data = self.known.loads(value, max_age=max_age)
        except BadSignature:
            return []
        return [i for i in data if isinstance(i, int)] if isinstance(data, list) else []

    def write_known(self, ids: list[int]) -> str:
        return self.known.dumps(ids)

    def read_cart(self, value: str | None) -> tuple[str | None, int]:
        if not value:
            return None, 0
        try:
            data = self.cart.loads(value)
        except BadSignature:
            return None, 0
        if not isinstance(data, dict):
            return None, 0
        token, count = data.get("t"), data.get("n", 0)
        return (token if isinstance(token, str) else None), (count if isinstance(count, int) and count >= 0 else 0)

    def write_cart(self, token: str, count: int) -> str:
        return self.cart.dumps({"t": token, "n": count})

    def read_flash(self, value: str | None) -> dict | None:
        if not value:
            return None
        try:
            data = self.flash.loads(value)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def shown_flash(self, value: str | None, gettext) -> dict | None:
        """The flash with its phrases translated, ready for ``_(flash.m, **flash.p)``."""
        data = self.read_flash(value)
        if data is None:
            return None
        params = dict(data.get("p") or {})
        for name in data.get("t") or ():
            if isinstance(params.get(name), str):
                params[name] = gettext(params[name])
        return {**data, "p": params}

    def write_flash(self, message: str, kind: str = "ok", **params) -> str:
        """A phrase among the parameters (a status name) is remembered as one, to be translated when shown."""
        phrases = sorted(name for name, value in params.items() if isinstance(value, Phrase))
        return self.flash.dumps({"m": message, "k": kind, "p": params, "t": phrases})


def personal_values(
    scope: Scope, present: tuple[bytes, ...], secret: str, signer: Signer
) -> tuple[dict[bytes, bytes], bytes]:
    """What the page cache writes into a shared page for this visitor (for the ``present`` placeholders
    only), and what that stands for: her unmasked token and her cart's count, on which the page's ETag for
    her depends (not on the token's mask)."""
    values: dict[bytes, bytes] = {}
    meaning: list[bytes] = []
    if CSRF_PLACEHOLDER in present:
        seed = scope.get(SEED_SCOPE_KEY, "")
        key = _csrf_key(secret, seed) if seed else b""
        values[CSRF_PLACEHOLDER] = _masked(key).encode() if seed else b""
        meaning.append(key)
    if CART_PLACEHOLDER in present:
        cart = request_cookies(scope).get(CART_COOKIE)
        _, count = signer.read_cart(cart) if cart else (None, 0)
        values[CART_PLACEHOLDER] = str(count).encode() if count else b""
        meaning.append(values[CART_PLACEHOLDER])
    return values, b"|".join(meaning)


def chosen_country(cookies: dict[str, str]) -> str | None:
    """The visitor's remembered shipping country, if it is a well-formed code."""
    value = cookies.get(SHIP_TO_COOKIE, "")
    return value if len(value) == 2 and value.isascii() and value.isalpha() and value.isupper() else None


def cache_variant(scope: Scope) -> bytes:
    """What, besides the address, picks the cached copy of a public page for this visitor: her shipping
    country, so that pages showing a shipping cost are kept once per country chosen, never shared across."""
    return (chosen_country(request_cookies(scope)) or "").encode()


class BrowserSeed:
    """Gives each browser its seed. A new browser's cookie goes on its first HTML answer: on the pages the page cache
    sends, by the page cache (``seed_cookies``), with no wrapped ``send`` on a hit, which cost a hit 5 µs of a
    loaded worker's time; on every other answer, by ``SeedCookie``."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure
        self.cookie = host_cookie(SEED_COOKIE, secure)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seed = request_cookies(scope).get(self.cookie)
            if not seed or len(seed) > 64:
                seed = new_seed()
                scope[SEED_HEADER_SCOPE_KEY] = [(b"set-cookie", seed_cookie_header(seed, secure=self.secure).encode())]
            scope[SEED_SCOPE_KEY] = seed
        await self.app(scope, receive, send)


def seed_cookies(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers a new browser's first HTML answer carries (none for a browser that has its seed)."""
    return scope.get(SEED_HEADER_SCOPE_KEY, [])


class SeedCookie:
    """Puts a new browser's seed cookie on its HTML answers, but for those the page cache sends itself: the ones a
    route marks public (``MARKER``), which the cache keeps and sends with ``seed_cookies``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cookie = scope.get(SEED_HEADER_SCOPE_KEY) if scope["type"] == "http" else None
        if not cookie:
            await self.app(scope, receive, send)
            return

        async def send_with_seed(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                html = any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers)
                if html and not any(k.lower() == MARKER for k, _ in headers):
                    message = {**message, "headers": [*headers, *cookie]}
            await send(message)

        await self.app(scope, receive, send_with_seed)
