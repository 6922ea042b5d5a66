"""Compressed answers: gzip, or brotli where it pays, chosen from the browser's Accept-Encoding.

Buyers browse on phones over slow connections, and a listing's 19 KB of HTML is 3 KB compressed. The page
cache compresses the public pages it keeps once, when it keeps them (``shop.web.page_cache``); the
``Compression`` middleware below compresses every other answer as it is sent: workspace pages, the cart,
static CSS and scripts, exports. Neither touches photos (already compressed), bodies under ``MINIMUM_SIZE``
(the headers would outweigh the gain), answers already encoded, partial answers or ``no-transform`` ones.

BREACH: a compressed page's length leaks whether text an attacker makes the page reflect (a search query)
repeats a secret on the same page. The secret on our pages is the form token (CSRF). Two defences:
- every page carries the token masked with a fresh random pad (``shop.web.browser.csrf_token``), so no two
  answers contain the same token bytes and there is nothing stable for the attacker's guesses to match;
- the page cache never puts a visitor's token through a compressor at all: each fixed part of a page is
  compressed on its own, and the token is written between them as a stored (uncompressed) deflate block
  (``stored``), so the compressed length does not depend on it.
Other private text (buyers' addresses on a member's order screens) is not masked: those pages need her
session cookie, which is SameSite=Lax, so another site cannot fetch them through its scripts, frames or
images, only by opening whole pages in her browser, one guess per page, in plain sight. That rest is accepted.
"""

from __future__ import annotations

import re
import struct
import zlib
from array import array
from collections.abc import Iterable
from functools import lru_cache

import anyio.to_thread
import brotli
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MINIMUM_SIZE = 500
GZIP_LEVEL = 6
# 5 compresses as well as 6 here (the sitemap, the API's JSON) with a third less memory (its state stays in
# the worker's heap); 11 would save another 10% at 20 to 250 times the time (250 ms for the sitemap).
BROTLI_QUALITY = 5
# Bodies this large are compressed on a worker thread, so that they do not hold up other requests.
THREAD_MINIMUM_SIZE = 128 * 1024
IDENTITY = "identity"
GZIP = "gzip"
BROTLI = "br"
ALL = (BROTLI, GZIP)
# gzip member header: no file name, no time (so the same page always gives the same bytes), OS unknown.
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
# The last deflate block: empty, fixed Huffman codes, marked final.
FINAL_BLOCK = b"\x03\x00"
_QVALUE = re.compile(r"(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")
# Types worth compressing; images, audio, fonts, archives and PDFs are compressed already.
_TEXT_TYPES = (b"text/", b"application/json", b"application/javascript", b"application/xml", b"image/svg+xml")
_TEXT_SUFFIXES = (b"+json", b"+xml")


@lru_cache(maxsize=256)
def choose(accept_encoding: bytes | None, offered: tuple[str, ...] = ALL) -> str:
    """The coding to answer with (RFC 9110 §12.5.3): the highest q-value among ``offered`` and identity,
    ties going to the earlier of ``offered`` (smaller), then identity. No header at all means identity,
    as browsers always send one. If even identity is refused, identity is still what is sent.

    Cached per header value: browsers send a handful of distinct ones.
    """
    if accept_encoding is None:
        return IDENTITY
    weights: dict[str, int] = {}
    for item in accept_encoding.decode("latin-1").split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight: int | None = 1000
        for param in params.split(";") if params else ():
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                value = value.strip()
                # In thousandths, so that 0.001 is still acceptable and no float is compared.
                weight = round(float(value) * 1000) if _QVALUE.fullmatch(value) else None
        if weight is None:  # a malformed q-value: the item is ignored
            continue
        name = GZIP if name == "x-gzip" else name
        weights[name] = max(weight, weights.get(name, 0))
    star = weights.get("*")

    def weight_of(coding: str) -> int:
        if coding in weights:
            return weights[coding]
        if star is not None:
            return star
        return 1 if coding == IDENTITY else 0  # identity is acceptable unless refused, below any listed coding

    best, best_weight = IDENTITY, 0
    for coding in (*offered, IDENTITY):
        weight = weight_of(coding)
        if weight > best_weight:
            best, best_weight = coding, weight
    return best


def request_header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def compressible(content_type: bytes) -> bool:
    media = content_type.partition(b";")[0].strip().lower()
    if media == b"text/event-stream":  # events must reach the browser as they happen
        return False
    return media.startswith(_TEXT_TYPES) or media.endswith(_TEXT_SUFFIXES)


def with_vary(vary: bytes | None) -> bytes:
    """A Vary header value naming Accept-Encoding, kept with what the route already varies on."""
    if not vary:
        return b"Accept-Encoding"
    if b"accept-encoding" in vary.lower() or vary.strip() == b"*":
        return vary
    return vary + b", Accept-Encoding"


def weak(etag: bytes) -> bytes:
    """The compressed bytes differ from the identity ones: a weak validator says they mean the same."""
    return etag if etag.startswith(b"W/") else b"W/" + etag


def deflated(data: bytes) -> bytes:
    """``data`` as raw deflate from a fresh compressor, ending byte-aligned but not final (a sync flush).

    Nothing in it refers back to data before it, so such pieces (and ``stored`` ones) can be strung
    together in any order into one deflate stream: the page cache compresses each fixed part of a page once.
    """
    if not data:
        return b""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def stored(data: bytes) -> bytes:
    """``data`` as stored (uncompressed) deflate blocks: how a visitor's own values go between deflated
    pieces. Nothing to compute, and a secret among them never meets a compressor (BREACH)."""
    if len(data) <= 0xFFFF:  # a form token, a cart's count: one block, or none for nothing
        return b"\x00" + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data if data else b""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks.append(b"\x00" + struct.pack("<HH", len(chunk), len(chunk) ^ 0xFFFF) + chunk)
    return b"".join(blocks)


def gzip_member(pieces: Iterable[tuple[bytes, bytes]]) -> bytes:
    """A gzip file from (plain, deflated) pieces in order: header, the deflate pieces, a final empty block,
    then the CRC-32 and length of all the plain bytes."""
    crc, size, out = 0, 0, [GZIP_HEADER]
    for plain, compressed in pieces:
        crc = zlib.crc32(plain, crc)
        size += len(plain)
        out.append(compressed)
    out.append(FINAL_BLOCK)
    out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
    return b"".join(out)


def crc_tables(data: bytes) -> array:
    """What a pass of ``zlib.crc32`` over ``data`` does to the CRC it starts from, as eight tables of 16 (512
    bytes). CRC-32 is affine in its starting value: ``crc32(data, s) == crc32(data) ^ crc_moved(tables, s)``.
    A cached page sent in gzip needs the CRC of its whole body, the visitor's values included; with these, each
    fixed part after a value costs eight lookups instead of a pass over its bytes (3 µs for 16 KB)."""
    alone = zlib.crc32(data)
    columns = [zlib.crc32(data, 1 << bit) ^ alone for bit in range(32)]
    tables = array("I", bytes(4 * 128))
    for nibble in range(8):
        at = 16 * nibble
        for value in range(1, 16):
            lowest = (value & -value).bit_length() - 1
            tables[at + value] = tables[at + (value & (value - 1))] ^ columns[4 * nibble + lowest]
    return tables


def crc_moved(tables: array, crc: int) -> int:
    """The linear part of a pass over the data ``tables`` were made from, applied to ``crc``."""
    return (
        tables[crc & 15]
        ^ tables[16 | (crc >> 4 & 15)]
        ^ tables[32 | (crc >> 8 & 15)]
        ^ tables[48 | (crc >> 12 & 15)]
        ^ tables[64 | (crc >> 16 & 15)]
        ^ tables[80 | (crc >> 20 & 15)]
        ^ tables[96 | (crc >> 24 & 15)]
        ^ tables[112 | (crc >> 28)]
    )


def compress(body: bytes, coding: str) -> bytes:
    if coding == BROTLI:
        return brotli.compress(body, quality=BROTLI_QUALITY)
    return gzip_member([(body, deflated(body))])


async def compress_off_loop(body: bytes, coding: str) -> bytes:
    if len(body) >= THREAD_MINIMUM_SIZE:
        return await anyio.to_thread.run_sync(compress, body, coding)
    return compress(body, coding)


class _Stream:
    """A body sent in several messages, compressed as it goes; each message is flushed so that a slow
    export still reaches the browser piece by piece."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        if coding == BROTLI:
            self.brotli = brotli.Compressor(quality=BROTLI_QUALITY)
        else:
            self.gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def feed(self, chunk: bytes, last: bool) -> bytes:
        if self.coding == BROTLI:
            out = self.brotli.process(chunk)
            return out + (self.brotli.finish() if last else self.brotli.flush())
        out = self.gzip.compress(chunk)
        return out + self.gzip.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class Compression:
    """Compresses the answers the page cache does not keep (it compresses its own, once).

    Sits inside the page cache, so that a cache hit never passes through it. Pure ASGI.
    """

    def __init__(self, app: ASGIApp, *, skip_header: bytes, minimum_size: int = MINIMUM_SIZE) -> None:
        self.app = app
        self.skip_header = skip_header  # answers carrying it are compressed further out (the page cache's mark)
        self.minimum_size = minimum_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        coding = choose(request_header(scope, b"accept-encoding"))
        head = scope["method"] == "HEAD"
        start: Message | None = None
        stream: _Stream | None = None
        passing = False

        async def send_compressed(message: Message) -> None:
            nonlocal start, stream, passing
            kind = message["type"]
            if kind == "http.response.start":
                headers = message.get("headers", [])
                given = {k.lower(): v for k, v in headers}
                declared = given.get(b"content-length")
                if (
                    message["status"] < 200
                    or message["status"] in (204, 206, 304)
                    or self.skip_header in given
                    or b"content-encoding" in given
                    or b"content-range" in given
                    or b"no-transform" in given.get(b"cache-control", b"").lower()
                    or not compressible(given.get(b"content-type", b""))
                    or (declared is not None and declared.isdigit() and int(declared) < self.minimum_size)
                ):
                    passing = True
                    await send(message)
                    return
                if coding == IDENTITY or head:
                    # The answer could have been compressed for another browser: shared caches must know.
                    passing = True
                    await send({**message, "headers": self._headers(headers, coding if head else IDENTITY)})
                    return
                start = message
                return
            if passing or start is None or kind != "http.response.body":
                if start is not None and stream is None:  # pathsend and the like: sent as they are
                    await send(start)
                    start = None
                await send(message)
                return
            body = message.get("body", b"")
            more = message.get("more_body", False)
            if stream is not None:
                await send({**message, "body": stream.feed(body, last=not more)})
                return
            if not more:
                if len(body) < self.minimum_size:
                    await send(start)
                    await send(message)
                else:
                    compressed = await compress_off_loop(body, coding)
                    await send({**start, "headers": self._headers(start["headers"], coding, len(compressed))})
                    await send({**message, "body": compressed})
                start = None
                return
            stream = _Stream(coding)
            await send({**start, "headers": self._headers(start["headers"], coding)})
            await send({**message, "body": stream.feed(body, last=False)})

        await self.app(scope, receive, send_compressed)

    @staticmethod
    def _headers(headers, coding: str, length: int | None = None) -> list[tuple[bytes, bytes]]:
        """The answer's headers for ``coding``: Vary, and for a compressed body its encoding, its length
        when known (a HEAD or a stream does not know it) and a weak ETag."""
        vary = None
        out = []
        for key, value in headers:
            lower = key.lower()
            if lower == b"vary":
                vary = value
            elif coding != IDENTITY and lower == b"content-length":
                continue
            elif coding != IDENTITY and lower == b"etag":
                out.append((key, weak(value)))
            else:
                out.append((key, value))
        out.append((b"vary", with_vary(vary)))
        if coding != IDENTITY:
            out.append((b"content-encoding", coding.encode()))
            if length is not None:
                out.append((b"content-length", str(length).encode()))
        return out
