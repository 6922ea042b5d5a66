"""Each app's own Tzotzil catalog, compiled from the texts the cooperative's speakers reviewed.

Pure ASGI, around every workspace request: at most every ``check_seconds`` (and always after this app answered a change)
it reads the translation counter, one small query; when the number moved it compiles the catalog again. The
request then runs with that catalog (``shop.i18n.use_catalogs``), which the worker threads that render pages
inherit. A database that cannot be read leaves the last catalog in place.
"""

from __future__ import annotations

import asyncio
import logging
import time

import anyio
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from shop.i18n import use_catalogs
from shop.translations.catalog import Compiled, compile_catalog, current_revision

log = logging.getLogger(__name__)
SAFE_METHODS = {"GET", "HEAD"}
# Only the workspace speaks Tzotzil: the store, the API and webhooks never pay for the check.
WORKSPACE = "/taller"


class LiveTzotzil:
    """One app's compiled catalog and the screens with spoken help, as of the last revision it read."""

    def __init__(self, engine, check_seconds: float = 2.0) -> None:
        self.engine = engine
        self.check_seconds = check_seconds
        self.compiled: Compiled | None = None
        self.checked_at = float("-inf")
        self._checking = asyncio.Lock()

    def _read(self) -> Compiled | None:
        with self.engine.connect() as connection:
            revision = current_revision(connection)
        if self.compiled is not None and self.compiled.revision == revision:
            return None
        with Session(self.engine) as session:
            return compile_catalog(session)

    async def refresh(self) -> None:
        if time.monotonic() - self.checked_at < self.check_seconds:
            return
        async with self._checking:
            if time.monotonic() - self.checked_at < self.check_seconds:
                return
            try:
                fresh = await anyio.to_thread.run_sync(self._read)
            except Exception:
                log.exception("could not read the workspace's Tzotzil; keeping the last catalog")
                fresh = None
            if fresh is not None:
                self.compiled = fresh
            self.checked_at = time.monotonic()

    def spoken(self, screen: str) -> bool:
        return self.compiled is not None and screen in self.compiled.spoken

    def forget(self) -> None:
        self.checked_at = float("-inf")


class TzotzilCatalog:
    def __init__(self, app: ASGIApp, *, live: LiveTzotzil) -> None:
        self.app = app
        self.live = live

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WORKSPACE):
            await self.app(scope, receive, send)
            return
        live = self.live
        await live.refresh()
        changes = scope["method"] not in SAFE_METHODS
        catalogs = {"tzo": live.compiled.tzotzil} if live.compiled is not None else {}
        try:
            with use_catalogs(catalogs):
                await self.app(scope, receive, send)
        finally:
            if changes:  # this app's own change shows on its very next page
                live.forget()
