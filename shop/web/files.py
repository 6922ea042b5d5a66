"""Static assets and uploaded media, with cache headers that match how they are named."""

from __future__ import annotations

from starlette.staticfiles import StaticFiles
from starlette.types import Scope

YEAR = 31_536_000


class CachedStaticFiles(StaticFiles):
    """Files whose URL changes when their content does may be cached for a year.

    Media are named by content hash; static files carry ``?v=<hash>``. Anything else is revalidated.
    """

    def __init__(self, *args, immutable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.immutable = immutable

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = self.immutable or b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = (
            f"public, max-age={YEAR}, immutable" if versioned else "public, max-age=300, must-revalidate"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
