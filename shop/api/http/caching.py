"""The page cache's mark: an answer that is the same for everybody (but its placeholders) may be cached.

Set by routes of both transports; read by ``shop.web.page_cache``.
"""

from __future__ import annotations

from fastapi import Request, Response

MARKER = b"x-shop-cache"
# A cached answer that turns false at a known moment with no row changing then (a hold that ends) names that
# moment, in seconds since the epoch; the page cache forgets it then.
CACHE_UNTIL = b"x-shop-cache-until"


async def mark_public(request: Request, response: Response) -> None:
    """Route dependency: this answer is the same for everybody (but its placeholders) and may be cached.
    Async though it waits for nothing, so FastAPI does not hand it to a thread."""
    response.headers[MARKER.decode()] = "public"
    request.state.page_cache_public = True


def public_headers() -> dict[str, str]:
    """For routes returning a Response themselves (FastAPI does not merge dependency headers into those)."""
    return {MARKER.decode(): "public"}


def cache_until(moment) -> dict[str, str]:
    """Headers telling the page cache to keep the answer no later than ``moment`` (an aware datetime)."""
    return {CACHE_UNTIL.decode(): str(int(moment.timestamp()))}
