"""Static assets and uploaded files, with cache headers that match how they are named.

Uploaded files come from ``shop.storage``: one on this machine's disk is sent as a file (ranges, sendfile),
one in a bucket is streamed through, with the same headers either way.
"""

from __future__ import annotations

from email.utils import formatdate

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response, StreamingResponse
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from shop.errors import DomainError
from shop.storage import FileInfo, FileMissing, FileStore, OpenedFile

YEAR = 31_536_000


def cache_control(scope: Scope, *, immutable: bool) -> str:
    versioned = immutable or b"v=" in scope.get("query_string", b"")
    return f"public, max-age={YEAR}, immutable" if versioned else "public, max-age=300, must-revalidate"


class CachedStaticFiles(StaticFiles):
    """Files whose URL changes when their content does may be cached for a year.

    Media are named by content hash; static files carry ``?v=<hash>``. Anything else is revalidated.
    """

    def __init__(self, *args, immutable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.immutable = immutable

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = cache_control(scope, immutable=self.immutable)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def _facts(info: FileInfo) -> dict[str, str]:
    return {
        "Content-Length": str(info.size),
        "ETag": info.etag,
        "Last-Modified": formatdate(info.modified.timestamp(), usegmt=True),
    }


def streamed(opened: OpenedFile, *, media_type: str, headers: dict[str, str]) -> StreamingResponse:
    def body():
        try:
            yield from opened.chunks
        finally:
            opened.close()

    return StreamingResponse(body(), media_type=media_type, headers={**headers, **_facts(opened.info)})


def stored_file(
    store: FileStore,
    name: str,
    *,
    media_type: str,
    missing: DomainError,
    headers: dict[str, str],
    filename: str | None = None,
) -> Response:
    """A stored file as the answer (``missing`` raised when there is none); private files pass their own
    ``Cache-Control``."""
    path = store.local_path(name)
    if path is not None:
        return FileResponse(
            path, media_type=media_type, headers=headers, filename=filename, content_disposition_type="inline"
        )
    try:
        opened = store.open(name)
    except FileMissing:
        raise missing from None
    if filename is not None:
        headers = {**headers, "Content-Disposition": f'inline; filename="{filename}"'}
    return streamed(opened, media_type=media_type, headers=headers)


def public_file(store: FileStore, name: str, scope: Scope, *, media_type: str, immutable: bool) -> Response:
    """A file of a bucket sent as ``CachedStaticFiles`` sends one from disk: the same cache headers, and 304
    when the browser already has it (asked with a HEAD, so its bytes are not fetched for nothing)."""
    if scope["method"] not in ("GET", "HEAD"):
        raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
    headers = {"Cache-Control": cache_control(scope, immutable=immutable), "X-Content-Type-Options": "nosniff"}
    asked = Headers(scope=scope)
    try:
        if scope["method"] == "HEAD" or "if-none-match" in asked:
            info = store.stat(name)
            if info is None:
                raise FileMissing(name)
            tags = [tag.strip().removeprefix("W/") for tag in asked.get("if-none-match", "").split(",")]
            if info.etag in tags or "*" in tags:
                return Response(status_code=304, headers={**headers, "ETag": info.etag})
            if scope["method"] == "HEAD":
                return Response(status_code=200, media_type=media_type, headers={**headers, **_facts(info)})
        return streamed(store.open(name), media_type=media_type, headers=headers)
    except FileMissing:
        raise HTTPException(status_code=404) from None
