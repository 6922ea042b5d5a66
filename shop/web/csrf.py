"""Forged forms: every form that changes something carries a token tied to this browser's seed, and comes
from the shop's own pages (its Origin, or its Referer when a browser sends no Origin).

A valid token alone is not enough: a page on another site that somehow learned one (a leaked page, an old
browser bug) is still refused by its Origin. A request with neither header (some older browsers, tests)
passes on the token alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from shop.errors import N_, Forbidden
from shop.http.deps import SAFE_METHODS
from shop.web.browser import SEED_SCOPE_KEY, csrf_valid

EXPIRED = N_("This form has expired. Go back, reload the page and try again.")


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: Request) -> set[str]:
    """The shop's own origins: its base URL, the host this request was addressed to (already checked
    against the allowed hosts), and each allowed host under the base URL's scheme."""
    settings = request.app.state.settings
    scheme = urlsplit(settings.base_url).scheme or "http"
    origins = {_origin_of(settings.base_url)}
    host = request.headers.get("host")
    if host:
        origins.add(f"{request.url.scheme}://{host}".lower())
        origins.add(f"{scheme}://{host}".lower())
    origins.update(f"{scheme}://{allowed}".lower() for allowed in settings.allowed_hosts if "*" not in allowed)
    return {origin for origin in origins if origin}


def from_own_site(request: Request) -> bool:
    """Whether the request's Origin (or, without one, its Referer) is the shop's own; True with neither."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True
        origin = referer
    found = _origin_of(origin.strip())
    return found is not None and found in own_origins(request)


def origin_guard(request: Request) -> None:
    """App-wide dependency: a state-changing request to a page (the JSON API and Stripe's webhook under /api
    are not forms) from another site's Origin is refused before its body is validated or its route runs."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    if not from_own_site(request):
        raise Forbidden(EXPIRED, code="csrf_failed")


def check_csrf(request: Request, token: str) -> None:
    """Every form that changes something carries a token tied to this browser and comes from our pages."""
    if not from_own_site(request) or not csrf_valid(
        request.app.state.secret_key, request.scope.get(SEED_SCOPE_KEY), token
    ):
        raise Forbidden(EXPIRED, code="csrf_failed")
