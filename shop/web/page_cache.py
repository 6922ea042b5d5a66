"""A per-worker cache of public catalogue pages, kept fresh by the catalogue's revision counter.

Only responses a route marks as public (``mark_public``) are stored: never one that sets a cookie or
answers anything but 200. An entry is served while the catalogue revision it was rendered at is still the
current one. Each worker asks the database for the revision at most every ``check_seconds``, so another
worker's change shows here within that time, and this worker's own changes show on its next request.
Pages also depend on the cooperative's day (a fair-trade claim holds from one day to another even when no row
changes), so every entry is forgotten when the local day turns (noticed, like a revision, within
``check_seconds``), and a page rendered on one day is never kept for the next. Public pages are the same for
everybody except a few placeholders (the visitor's form token and cart count), which are filled in for each
visitor as the page is sent, and a few choices kept in cookies (``variant``: the shipping country), each of which
gets its own copy. It is pure ASGI and stands in front of FastAPI's own layers (``shop.web.front_door``), so a
hit costs about as little as a bare Starlette response.

Pages are kept compressed, compressed once when they are kept (``Entry``): a hit in gzip strings the
page's compressed parts together with the visitor's values as stored blocks, and only computes the
checksum. The budget (``max_bytes``) counts every byte an entry holds (its key, headers, parts and
compressed forms), and nothing keeps a second copy of the body. Requests for a page that is being rendered
wait for that render instead of making their own, so a crowd after a change costs one render.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import struct
import time
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shop.api.http.caching import CACHE_UNTIL, MARKER
from shop.web.compression import (
    ALL,
    BROTLI,
    FINAL_BLOCK,
    GZIP,
    GZIP_HEADER,
    IDENTITY,
    MINIMUM_SIZE,
    THREAD_MINIMUM_SIZE,
    choose,
    compress,
    compressible,
    crc_moved,
    crc_tables,
    deflated,
    request_header,
    stored,
    with_vary,
)

log = logging.getLogger(__name__)
SAFE_METHODS = {"GET", "HEAD"}
MAX_ENTRY_BYTES = 512 * 1024
# Texts this long after a placeholder keep CRC tables (512 bytes): a pass over them costs more than 8 lookups.
CRC_TABLES_MINIMUM = 2048
PRIVATE_KEYS = 1024
HIT = [(b"x-cache", b"hit")]
MISS = [(b"x-cache", b"miss")]
GZIP_ONLY = (GZIP,)
# A visitor's values for the placeholders present in a page, and what they stand for (her ETag depends on
# that, not on the values themselves: her form token is masked anew in each answer).
Personalize = Callable[[Scope, tuple[bytes, ...]], tuple[dict[bytes, bytes], bytes]]
Variant = Callable[[Scope], bytes]


@dataclass(slots=True)
class Entry:
    """One page, kept once as its plain parts and once compressed, every byte of it counted (``nbytes``).

    ``plain`` is the body cut at its placeholders: (text, placeholder, text, …, text), or (body,) without
    any. ``gzip`` is, with placeholders, each text of ``plain`` deflated on its own at the same position
    (b"" at a placeholder's), ready to be strung together with the visitor's values; without placeholders,
    a whole gzip file. ``brotli`` is the whole body in brotli, only without placeholders: brotli streams
    cannot be joined from independently compressed pieces, so pages with a form or the cart's count go in
    gzip even to browsers that accept brotli, and the API's JSON, the sitemap and robots.txt in brotli.
    Both are empty for a body too small to gain from compression. ``crcs`` holds, with placeholders and gzip,
    each text's own CRC and, for a long one after a placeholder, its ``crc_tables``: the CRC of a visitor's
    whole body is then put together, not computed over it.
    """

    revision: int | None
    status: int
    # Headers sent in every encoding (Vary included); length, encoding and ETag are added as it is sent.
    headers: list[tuple[bytes, bytes]]
    etag: bytes  # the quoted hash of the body with its placeholders
    plain: tuple[bytes, ...]
    gzip: tuple[bytes, ...] = ()
    brotli: bytes = b""
    # Wall-clock second (time.time()) from which the entry is stale even if nothing changed; None: never.
    until: float | None = None
    crcs: tuple[tuple[int, array | None] | None, ...] = ()
    html: bool = False  # a page, which carries a new visitor's headers (``visitor_headers``)

    def fresh(self, revision: int | None) -> bool:
        return self.revision == revision and (self.until is None or time.time() < self.until)

    def nbytes(self) -> int:
        """The bytes this entry holds (its key is counted by the cache)."""
        return (
            sum(len(k) + len(v) for k, v in self.headers)
            + len(self.etag)
            + sum(map(len, self.plain))
            + sum(map(len, self.gzip))
            + len(self.brotli)
            + sum(len(c[1]) * c[1].itemsize for c in self.crcs if c is not None and c[1] is not None)
        )


def _cut(body: bytes, placeholders) -> tuple[bytes, ...]:
    """Split ``body`` around every placeholder once, so filling it in later is a single join."""
    pieces: list[bytes] = [body]
    for placeholder in placeholders:
        cut: list[bytes] = []
        for index, piece in enumerate(pieces):
            if index % 2:  # already a placeholder
                cut.append(piece)
                continue
            chunks = piece.split(placeholder)
            for n, chunk in enumerate(chunks):
                if n:
                    cut.append(placeholder)
                cut.append(chunk)
        pieces = cut
    return tuple(pieces) if len(pieces) > 1 else ()


def _compressed(plain: tuple[bytes, ...], content_type: bytes, codings) -> tuple[tuple[bytes, ...], bytes, tuple]:
    """The ``gzip``, ``brotli`` and ``crcs`` fields of an entry whose body is cut into ``plain``, in ``codings``."""
    if sum(map(len, plain)) < MINIMUM_SIZE or not compressible(content_type):
        return (), b"", ()
    if len(plain) > 1:
        if GZIP not in codings:
            return (), b"", ()
        gzip = tuple(b"" if n % 2 else deflated(text) for n, text in enumerate(plain))
        return gzip, b"", tuple(None if n % 2 else _crc(n, text) for n, text in enumerate(plain))
    gzip = (compress(plain[0], GZIP),) if GZIP in codings else ()
    return gzip, compress(plain[0], BROTLI) if BROTLI in codings else b"", ()


def _crc(position: int, text: bytes) -> tuple[int, array | None]:
    """A text's own CRC, and the tables to carry a CRC over it where that is cheaper than a pass over its bytes
    (not for the first text, which starts the body, nor a short one: 512 bytes of tables would outweigh it)."""
    return zlib.crc32(text), crc_tables(text) if position and len(text) >= CRC_TABLES_MINIMUM else None


def _codings(entry: Entry) -> tuple[str, ...]:
    if not entry.brotli:
        return GZIP_ONLY
    return ALL if entry.gzip else (BROTLI,)


def _matches(if_none_match: bytes, etag: bytes) -> bool:
    """If-None-Match's weak comparison: any listed tag (or ``*``) equal to ours, W/ or not."""
    if if_none_match.strip() == b"*":
        return True
    ours = etag.removeprefix(b"W/")
    return any(tag.strip().removeprefix(b"W/") == ours for tag in if_none_match.split(b","))


def _without_body(send: Send) -> Send:
    async def send_headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b""}
        await send(message)

    return send_headers_only


class PageCache:
    def __init__(
        self,
        app: ASGIApp,
        *,
        read_revision: Callable[[], int],
        max_bytes: int = 16 * 1024 * 1024,
        check_seconds: float = 1.0,
        personalize: Personalize | None = None,
        placeholders: tuple[bytes, ...] = (),
        today: Callable[[], object] = lambda: None,
        variant: Variant | None = None,
        visitor_headers: Callable[[Scope], list[tuple[bytes, bytes]]] = lambda scope: [],
    ) -> None:
        self.app = app
        self.visitor_headers = visitor_headers
        self.read_revision = read_revision
        self.max_bytes = max_bytes
        self.check_seconds = check_seconds
        self.personalize = personalize
        self.placeholders = placeholders if personalize is not None else ()
        self.today = today
        self.variant = variant
        self.day = today()
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        self.size = 0
        self.revision: int | None = None
        self.checked_at = float("-inf")
        self._checking = asyncio.Lock()
        self._rendering: dict[bytes, asyncio.Event] = {}
        # Hashes of the addresses last seen answering what is not kept (the cart, the workspace, photos, a
        # page too large): requests for those never wait for one another. Numbers, not bytes: nothing to count.
        self._private: OrderedDict[int, None] = OrderedDict()
        self.hits = self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            # A change made through this worker must show on its very next page: forget when we last
            # checked, both now and once the change is committed (a page rendered meanwhile may have
            # read the revision from before it).
            self.checked_at = float("-inf")
            try:
                await self.app(scope, receive, send)
            finally:
                self.checked_at = float("-inf")
            return

        await self._refresh()
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        if self.variant is not None:
            # A choice kept in a cookie that changes the page (the shipping country) keeps a copy of its own.
            key += b"#" + self.variant(scope)
        entry = self.entries.get(key)
        if (entry is None or not entry.fresh(self.revision)) and key in self._rendering:
            # The same page is being rendered for someone else: wait for it rather than render it again, so
            # that buyers arriving together after a change cost one render, not one each (and one thread,
            # one database connection and one page's memory, not one each).
            await self._rendering[key].wait()
            entry = self.entries.get(key)
        if entry is not None and entry.fresh(self.revision):
            self.entries.move_to_end(key)
            self.hits += 1
            await self._send_entry(scope, entry, send, HIT)
            return
        self.misses += 1
        day = self.day
        # What the page is rendered at, for the parts pages keep themselves (shop.web.store.cards).
        scope.setdefault("state", {})["catalogue_stamp"] = None if self.revision is None else (self.revision, day)
        rendering = None
        if self.max_bytes > 0 and key not in self._rendering and hash(key) not in self._private:
            rendering = self._rendering[key] = asyncio.Event()
        rendered_at = (self.revision, day)
        try:
            if scope["method"] == "HEAD":
                # Routes answer GET; a HEAD is the same answer without its body.
                get = {**scope, "method": "GET"}
                await self._render(get, receive, _without_body(send), key, rendered_at, scope, rendering)
            else:
                await self._render(scope, receive, send, key, rendered_at, scope, rendering)
        finally:
            self._done(key, rendering)

    def _learn(self, key: bytes, *, kept: bool) -> None:
        """Remember the addresses whose answer was not kept (not public, or not cacheable): whoever waits
        for one renders her own after all, so next time nobody waits."""
        if kept:
            self._private.pop(hash(key), None)
            return
        self._private[hash(key)] = None
        if len(self._private) > PRIVATE_KEYS:
            self._private.popitem(last=False)

    def _done(self, key: bytes, rendering: asyncio.Event | None) -> None:
        """Wake whoever waits for this render (the page is kept by now, or will not be)."""
        if rendering is not None and self._rendering.get(key) is rendering:
            del self._rendering[key]
            rendering.set()

    async def _refresh(self) -> None:
        """Read the revision, and the day, at most every ``check_seconds``. The day is a time zone conversion, a
        tenth of a hit's own work; read this way, a page of yesterday's is kept into today for at most as long as
        another worker's change takes to show here."""
        now = time.monotonic()
        if now - self.checked_at < self.check_seconds:
            return
        day = self.today()
        if day != self.day:
            self.day = day
            self._clear()
        if self._checking.locked():
            if self.revision is None:  # nothing known yet (a worker's first requests): wait for the answer
                async with self._checking:
                    pass
            return
        async with self._checking:
            try:
                revision = await anyio.to_thread.run_sync(self.read_revision)
            except Exception:
                log.exception("page cache: could not read the catalogue revision; serving uncached")
                self.revision = None
                self._clear()
                return
            self.checked_at = time.monotonic()
            if revision != self.revision:
                self.revision = revision
                self._clear()

    def _clear(self) -> None:
        self.entries.clear()
        self.size = 0

    async def _send_entry(self, scope: Scope, entry: Entry, send: Send, marker: list) -> None:
        values: dict[bytes, bytes] | None = None
        etag = entry.etag
        if len(entry.plain) > 1 and self.personalize is not None:
            values, mine = self.personalize(scope, entry.plain[1::2])
            # The visitor's own values are part of what her browser may cache. Weak: her form token is
            # masked anew in each answer, so the bytes differ while the meaning does not.
            etag = b"W/" + etag[:-1] + b"-" + hashlib.blake2b(mine, digest_size=6).hexdigest().encode() + b'"'
        accepted = asked = None
        for name, value in scope["headers"]:
            if name == b"accept-encoding":
                accepted = value if accepted is None else accepted
            elif name == b"if-none-match":
                asked = value if asked is None else asked
        coding = IDENTITY
        if entry.gzip or entry.brotli:
            coding = choose(accepted, _codings(entry))
            if coding != IDENTITY:
                etag = etag[:-1] + b"-" + coding.encode() + b'"'
        if asked is not None and _matches(asked, etag):
            kept = [(k, v) for k, v in entry.headers if k in (b"cache-control", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", etag), *kept]})
            await send({"type": "http.response.body", "body": b""})
            return
        body = self._body(entry, coding, values)
        headers = [*entry.headers, (b"content-length", b"%d" % len(body)), (b"etag", etag), *marker]
        if coding != IDENTITY:
            headers.append((b"content-encoding", coding.encode()))
        if entry.html:
            headers += self.visitor_headers(scope)
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    @staticmethod
    def _body(entry: Entry, coding: str, values: dict[bytes, bytes] | None) -> bytes:
        if coding == BROTLI:
            return entry.brotli
        if values is None:
            return entry.gzip[0] if coding == GZIP else entry.plain[0]
        if coding == IDENTITY:
            return b"".join([values[p] if n % 2 else p for n, p in enumerate(entry.plain)])
        # A gzip member: the texts deflated once, the visitor's values as stored blocks between them, and the CRC
        # of the whole put together from each text's (see ``crc_tables``).
        plain, gzip, crcs = entry.plain, entry.gzip, entry.crcs
        out = [GZIP_HEADER, gzip[0]]
        crc, size = crcs[0][0], len(plain[0])
        for n in range(1, len(plain), 2):
            value = values[plain[n]]
            if value:
                crc = zlib.crc32(value, crc)
                out.append(stored(value))
                size += len(value)
            text = plain[n + 1]
            alone, tables = crcs[n + 1]
            crc = zlib.crc32(text, crc) if tables is None else alone ^ crc_moved(tables, crc)
            out.append(gzip[n + 1])
            size += len(text)
        out.append(FINAL_BLOCK)
        out.append(struct.pack("<II", crc, size & 0xFFFFFFFF))
        return b"".join(out)

    async def _render(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: bytes,
        rendered_at: tuple,
        original: Scope,
        rendering: asyncio.Event | None,
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        marked = False
        until: float | None = None

        async def capture(message: Message) -> None:
            nonlocal start, marked, until
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                for k, v in given:
                    if k.lower() == CACHE_UNTIL:
                        until = float(v)
                headers = [(k, v) for k, v in given if k.lower() not in (MARKER, CACHE_UNTIL)]
                marked = any(k.lower() == MARKER for k, _ in given)
                if marked:
                    headers.append((b"cache-control", b"no-cache"))
                start = {**message, "headers": headers}
                if not marked:
                    self._learn(key, kept=False)
                    self._done(key, rendering)
                    await send(start)
                return
            if not marked:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._finish(original, key, rendered_at, start, b"".join(chunks), send, until, rendering)

        await self.app(scope, receive, capture)

    async def _finish(
        self,
        scope: Scope,
        key: bytes,
        rendered_at,
        start: Message,
        body: bytes,
        send: Send,
        until: float | None,
        rendering: asyncio.Event | None,
    ) -> None:
        revision, day = rendered_at
        given = start["headers"]
        content_type = next((v for k, v in given if k.lower() == b"content-type"), b"")
        html = content_type.startswith(b"text/html")
        if any(k.lower() == b"content-encoding" for k, _ in given):  # encoded by the route: sent as it is
            await send({**start, "headers": [*given, *self.visitor_headers(scope)]} if html else start)
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        headers = [(k, v) for k, v in given if k.lower() not in (b"etag", b"content-length", b"vary")]
        vary = next((v for k, v in given if k.lower() == b"vary"), None)
        plain = _cut(body, self.placeholders) or (body,)
        offered = ALL if len(plain) == 1 else GZIP_ONLY
        cacheable = (
            self.max_bytes > 0
            and revision is not None
            and revision == self.revision
            and day == self.day  # a page rendered yesterday is not kept for today
            and start["status"] == 200
            and not any(k.lower() == b"set-cookie" for k, _ in headers)
            and len(body) <= MAX_ENTRY_BYTES
        )
        # A page kept is compressed in every coding it may be sent in, once; one that is not, only in this one.
        codings = offered if cacheable else (choose(request_header(scope, b"accept-encoding"), offered),)
        if len(body) >= THREAD_MINIMUM_SIZE:
            gzip, brotli, crcs = await anyio.to_thread.run_sync(_compressed, plain, content_type, codings)
        else:
            gzip, brotli, crcs = _compressed(plain, content_type, codings)
        del body  # not kept: ``plain`` holds it
        if gzip or brotli:
            headers.append((b"vary", with_vary(vary)))
        elif vary is not None:
            headers.append((b"vary", vary))
        entry = Entry(revision, start["status"], headers, etag, plain, gzip, brotli, until, crcs, html)
        if cacheable:
            self._store(key, entry)
        self._learn(key, kept=key in self.entries)  # an entry larger than the whole budget is not kept
        self._done(key, rendering)  # before sending it: a slow connection must not hold the others up
        await self._send_entry(scope, entry, send, MISS)

    def _store(self, key: bytes, entry: Entry) -> None:
        """Keep ``entry``, then forget the least recently used ones until every byte held fits the budget."""
        previous = self.entries.pop(key, None)
        if previous is not None:
            self.size -= len(key) + previous.nbytes()
        self.entries[key] = entry
        self.size += len(key) + entry.nbytes()
        while self.size > self.max_bytes and self.entries:
            evicted_key, evicted = self.entries.popitem(last=False)
            self.size -= len(evicted_key) + evicted.nbytes()
