"""Uploaded photos' thumbnails, each served to whoever may see it.

Products' photos are public and cached for a year (their URL changes with their content). A weaver's portrait
is public only while she consents to be shown, and cached for a day, so a withdrawn consent reaches caches
soon. The portrait of a weaver who has not consented is the cooperative's: only someone signed in to the
workspace, or its enrolled computer (whose sign-in tiles show the members' portraits), gets it, never to be
stored; anyone else gets 404, as if it did not exist.

The thumbnails come from the ``photos`` store (``shop.storage``): sent from disk as static files, or streamed
from the bucket with the same headers.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from shop.api.http.auth import device_of, signed_in
from shop.catalogue.images import Audience, audience
from shop.db import session_scope
from shop.errors import DomainError
from shop.storage import FileStore, LocalStore, media_type_of
from shop.web.files import CachedStaticFiles, public_file

DAY = 86_400


class Media(CachedStaticFiles):
    def __init__(self, *, store: FileStore, engine):
        on_disk = store.root if isinstance(store, LocalStore) else None
        if on_disk is not None:
            on_disk.mkdir(parents=True, exist_ok=True)
        super().__init__(directory=on_disk, check_dir=on_disk is not None, immutable=True)
        self.store = store
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
        if self.directory is not None:
            response = await super().get_response(path, scope)
        else:
            response = await run_in_threadpool(
                public_file, self.store, path, scope, media_type=media_type_of(path), immutable=True
            )
        if seen_by is Audience.workspace:
            response.headers["Cache-Control"] = "private, no-store"
        elif seen_by is Audience.portrait:
            response.headers["Cache-Control"] = f"public, max-age={DAY}"
        return response
