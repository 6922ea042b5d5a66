"""The page cache's mark: an answer that is the same for everybody (but its placeholders) may be cached.

Set by routes of both transports; read by ``shop.web.page_cache``.
"""

from __future__ import annotations

from fastapi import Request, Response

MARKER = b"x-shop-cache"


def mark_public(request: Request, response: Response) -> None:
    """Route dependency: this answer is the same for everybody (but its placeholders) and may be cached."""
    response.headers[MARKER.decode()] = "public"
    request.state.page_cache_public = True


def public_headers() -> dict[str, str]:
    """For routes returning a Response themselves (FastAPI does not merge dependency headers into those)."""
    return {MARKER.decode(): "public"}
