"""The shop's ASGI app: the layers a cached page needs stand in front of FastAPI's own.

A page the cache holds costs about 10 µs to answer, and FastAPI's outer layers cost as much again: its error
page, telemetry and body-limit wrappers, and a wrapped ``send`` for each middleware between them and the
cache. So the three layers a hit needs, the trusted-host check, the browser's seed and the page cache, are
put in front of FastAPI (``Shop.front``) instead of being added as its middleware. A hit goes through
them alone, and none wraps ``send`` for it: the page cache puts a new browser's seed cookie on its own answers.
Everything else goes on through them into FastAPI's full stack, as before: a miss, a form, the workspace, the
API's writes.

The only difference for what goes on: an exception raised by one of these three layers themselves (not by a
page) reaches the server, which answers a plain 500. A page's own exception still gets the shop's error page.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from shop.web.compression import request_header

# Host header values let through, remembered so that the next request with one is not parsed again. Bounded:
# a stranger may send any number of different ones (ports, letter cases), and the rest are simply parsed.
KNOWN_HOSTS = 64


class Shop(FastAPI):
    """FastAPI, with layers in front of its own (``front``) for HTTP requests."""

    front: ASGIApp | None = None  # its innermost layer calls ``behind``

    async def behind(self, scope: Scope, receive: Receive, send: Send) -> None:
        """FastAPI's own stack."""
        await super().__call__(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.front is None or scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        await self.front(scope, receive, send)


class TrustedHosts:
    """Starlette's trusted-host check, which parses the Host header with a regular expression on every request
    (about 3 µs, a third of a cached page's own cost), remembering the values it let through: those are let
    through again at once. What to let through, redirect or refuse stays Starlette's decision alone."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]) -> None:
        self.app = app
        self.check = TrustedHostMiddleware(self._let_through, allowed_hosts=allowed_hosts)
        self.known: set[bytes] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and request_header(scope, b"host") in self.known:
            await self.app(scope, receive, send)
            return
        await self.check(scope, receive, send)

    async def _let_through(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Where Starlette's check sends what it lets through."""
        value = request_header(scope, b"host") if scope["type"] == "http" and not self.check.allow_any else None
        if value is not None and len(self.known) < KNOWN_HOSTS:
            self.known.add(value)
        await self.app(scope, receive, send)
