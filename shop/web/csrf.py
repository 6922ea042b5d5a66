"""Forged forms: every form that changes something carries a token tied to this browser's seed, and comes
from the shop's own pages (its Origin, or its Referer when a browser sends no Origin).

Both are app-wide dependencies, so a new route is protected without remembering to be. A valid token alone
is not enough: a page on another site that somehow learned one (a leaked page, an old browser bug) is still
refused by its Origin. A request with neither header (some older browsers, tests) passes on the token alone.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from shop.api.http.auth import role_checks, signed_in
from shop.api.http.deps import SAFE_METHODS
from shop.errors import N_, Forbidden
from shop.web.browser import SEED_SCOPE_KEY, csrf_valid

CSRF_FIELD = "csrf_token"
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


async def origin_guard(request: Request) -> None:
    """App-wide dependency: a state-changing request to a page (the JSON API and Stripe's webhook under /api
    are not forms) from another site's Origin is refused before its body is validated or its route runs.
    Async though it waits for nothing: FastAPI runs a plain function in a thread, a hand-off every request paid."""
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    if not from_own_site(request):
        raise Forbidden(EXPIRED, code="csrf_failed")


def token_valid(request: Request, token: object) -> bool:
    """Whether ``token`` is the one tied to this browser's seed (the Origin is origin_guard's business)."""
    return isinstance(token, str) and csrf_valid(request.app.state.secret_key, request.scope.get(SEED_SCOPE_KEY), token)


def check_token(request: Request, token: object) -> None:
    """For the few routes that read their own body (``checks_its_own_token``): refuse a form without our token."""
    if not token_valid(request, token):
        raise Forbidden(EXPIRED, code="csrf_failed")


def checks_its_own_token(endpoint: Callable) -> Callable:
    """Mark a route that streams its own body, so ``csrf_protected`` must not read it; it calls check_token."""
    endpoint.checks_its_own_token = True
    return endpoint


def answers_own_token(route: BaseRoute | None) -> bool:
    return bool(getattr(getattr(route, "endpoint", None), "checks_its_own_token", False))


async def csrf_protected(request: Request) -> None:
    """App-wide dependency: every state-changing page request carries this browser's token, or is refused.

    The JSON API under /api/ (bearer keys, Stripe's signed webhook) is not a form. Someone signed out, or
    without the route's role, is answered as on any page (the sign-in screen, or 403) rather than told that
    the form expired, since a fresh form would not help her.
    """
    if request.method in SAFE_METHODS or request.url.path.startswith("/api/"):
        return
    route = request.scope.get("route")
    if answers_own_token(route):
        return
    form = await request.form()  # already parsed (and cached) when the route has form fields
    if token_valid(request, form.get(CSRF_FIELD)):
        return
    checks = role_checks(route.dependant) if isinstance(route, APIRoute) else []
    if checks:
        who = await run_in_threadpool(signed_in, request)
        for check in checks:
            check(request, who)
    raise Forbidden(EXPIRED, code="csrf_failed")
