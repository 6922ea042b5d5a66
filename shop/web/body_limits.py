"""Every request body has a size limit, enforced before it is read, so no stranger can make a worker swallow memory.

The limit is the first row of ``LIMITS`` whose pattern matches the whole path, else ``DEFAULT_BYTES``: a new
route gets the small default until a row says it needs more. A body is refused with 413 at once when its
declared length (Content-Length) is over the limit, without reading a byte of it; a body sent without a length
(chunked) is counted as it streams in and refused as soon as the count passes the limit. The answer is JSON
``{"error": "payload_too_large", "detail": …}`` under /api and a page in the visitor's language elsewhere
(``shop.web.errors.too_large``).

Photo uploads are also refused without being read when nobody is signed in (``shop.web.workspace.uploads``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shop.config import Settings
from shop.ledger.bank_statements import MAX_STATEMENT_BYTES
from shop.marketplaces.imports import MAX_FILE_BYTES as MARKETPLACE_FILE_BYTES
from shop.translations.service import MAX_PO_BYTES
from shop.translations.spoken import MAX_AUDIO_BYTES
from shop.web.workspace.product_photos import MAX_PHOTOS

KIB = 1024
DEFAULT_BYTES = 64 * KIB  # JSON bodies and forms: a checkout, a sale, a product's texts
FORM_ROOM = 64 * KIB  # around a file: the form's other fields and the multipart boundaries


def _photos(settings: Settings) -> int:
    """Each photo may be as large as one photo may be; the route says which one is too large."""
    return MAX_PHOTOS * settings.max_image_bytes + FORM_ROOM


def _one_photo(settings: Settings) -> int:
    return settings.max_image_bytes + FORM_ROOM


def _one_document(settings: Settings) -> int:
    return max(settings.max_document_bytes, settings.max_image_bytes) + FORM_ROOM


@dataclass(frozen=True)
class BodyLimit:
    pattern: str  # a regular expression for the whole path
    max_bytes: Callable[[Settings], int]
    why: str


LIMITS = (
    BodyLimit(r"/taller/inventario/nuevo", _photos, "a new piece with its photos"),
    BodyLimit(r"/taller/inventario/[^/]+/fotos", _photos, "photos added to a piece"),
    BodyLimit(r"/taller/pagos-tejedoras/pagos/\d+/comprobante", _one_photo, "the photo of a signed receipt"),
    BodyLimit(r"/taller/cooperativa/asambleas/\d+/paginas", _one_photo, "a scanned page of an assembly's minutes"),
    BodyLimit(r"/taller/alianzas/\d+/documentos", _one_document, "a partnership's document (PDF or photo)"),
    BodyLimit(r"/taller/certificacion/.+", _one_document, "a certification form with its document (PDF or photo)"),
    # The import refuses a larger file itself, with its message next to the file; this is the backstop.
    BodyLimit(r"/taller/banco/importar", lambda _: 2 * (MAX_STATEMENT_BYTES + FORM_ROOM), "a bank's CSV statement"),
    # The import refuses a larger file itself; the confirmation sends it back as form text (escaped: up to 3×).
    BodyLimit(r"/taller/mercados/revisar", lambda _: 2 * MARKETPLACE_FILE_BYTES + FORM_ROOM, "a marketplace's sales"),
    BodyLimit(r"/taller/mercados/importar", lambda _: 3 * MARKETPLACE_FILE_BYTES + FORM_ROOM, "a marketplace's sales"),
    # Strangers' small forms: an e-mail address, a tick and the form's token.
    BodyLimit(
        r"/[a-z]{2}/(notify/.+|orders/find)", lambda _: 4 * KIB, "an e-mail address asking for a notice or links"
    ),
    # The routes refuse a larger file themselves, with their message next to the file; these are the backstops.
    BodyLimit(r"/taller/traducciones/importar", lambda _: MAX_PO_BYTES + FORM_ROOM, "a translator's .po file"),
    # The confirmation sends the file back as form text (escaped: up to 3×).
    BodyLimit(r"/taller/traducciones/importar/aplicar", lambda _: 3 * MAX_PO_BYTES + FORM_ROOM, "a .po file, again"),
    BodyLimit(r"/taller/ayuda-hablada/grabar", lambda _: MAX_AUDIO_BYTES + FORM_ROOM, "a spoken-help recording"),
    BodyLimit(r"/api/v1/payments/stripe/webhook", lambda _: 512 * KIB, "Stripe's events, larger than a form"),
)
_COMPILED = [(re.compile(limit.pattern), limit) for limit in LIMITS]


def limit_for(path: str, settings: Settings) -> int:
    for pattern, limit in _COMPILED:
        if pattern.fullmatch(path):
            return limit.max_bytes(settings)
    return DEFAULT_BYTES


class PayloadTooLarge(HTTPException):
    """Raised while the body is read, so the app's own error handlers answer (see ``shop.web.errors``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, headers={"Connection": "close"})
        self.limit = limit


class BodyLimits:
    """Pure ASGI: the limit is checked on the declared length, then on every chunk the app reads."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is None and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body (every page view): nothing to count
            return
        limit = limit_for(scope["path"], self.settings)
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except PayloadTooLarge:
            # Only when something read the body outside the app's error handlers.
            if started:
                raise
            await self._refuse(scope, receive, send, limit)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        from shop.web.errors import too_large

        response = too_large(Request(scope, receive), limit)
        await response(scope, receive, send)
