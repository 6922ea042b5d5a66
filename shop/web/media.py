"""Uploaded photos' thumbnails, each served to whoever may see it.

Products' photos are public and cached for a year (their URL changes with their content). A weaver's portrait
is public only while she consents to be shown, and cached for a day, so a withdrawn consent reaches caches
soon. The portrait of a weaver who has not consented is the cooperative's: only someone signed in to the
workspace, or its enrolled computer (whose sign-in tiles show the members' portraits), gets it, never to be
stored; anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from shop.catalogue.images import Audience, audience
from shop.db import session_scope
from shop.errors import DomainError
from shop.http.auth import device_of, signed_in
from shop.web.files import CachedStaticFiles

DAY = 86_400


class Media(CachedStaticFiles):
    def __init__(self, *args, engine, **kwargs):
        super().__init__(*args, immutable=True, **kwargs)
        self.engine = engine

    def _audience(self, path: str) -> Audience:
        key = path.rsplit("/", 1)[-1].split("-", 1)[0]  # "<key>-<width>.webp"
        with session_scope(self.engine, writes=False) as session:
            return audience(session, key)

    def _in_workspace(self, scope: Scope) -> bool:
        request = Request(scope)
        try:
            if signed_in(request) is not None:
                return True
        except DomainError:
            return False
        with session_scope(self.engine, writes=False) as session:
            return device_of(request, session) is not None

    async def get_response(self, path: str, scope: Scope) -> Response:
        seen_by = await run_in_threadpool(self._audience, path)
        if seen_by is Audience.workspace and not await run_in_threadpool(self._in_workspace, scope):
            return Response(status_code=404, headers={"Cache-Control": "no-store"})
        response = await super().get_response(path, scope)
        if seen_by is Audience.workspace:
            response.headers["Cache-Control"] = "private, no-store"
        elif seen_by is Audience.portrait:
            response.headers["Cache-Control"] = f"public, max-age={DAY}"
        return response
