"""Render workspace pages: Spanish or Tzotzil, the signed-in person, no caching, sign-out when idle."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request
from markupsafe import Markup

from shop.api.http.urls import static_url
from shop.web.templating import render


def icon(name: str, label: str = "") -> Markup:
    """An icon from the workspace sprite; decorative unless given a label."""
    href = f"{static_url('img/ws-icons.svg')}#{name}"
    if label:
        return Markup('<svg class="icon" role="img" aria-label="%s"><use href="%s"/></svg>') % (label, href)
    return Markup('<svg class="icon" aria-hidden="true"><use href="%s"/></svg>') % href


def listen_url(screen: str) -> str:
    """Where a screen's spoken help is heard (``shop.web.workspace.spoken_help``)."""
    return "/taller/ayuda-hablada/escuchar?pantalla=" + quote(screen, safe="/")


def ws_render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    lang: str | None = None,
):
    """A workspace page, in the person's language unless the page is a paper in another (``lang``)."""
    settings = request.app.state.settings
    page = {
        "user": getattr(request.state, "user", None),
        "user_photo": getattr(request.state, "user_photo", None),
        "icon": icon,
        "idle_seconds": settings.workspace_idle_seconds,
        "noindex": True,
        **(context or {}),
    }
    live = getattr(request.app.state, "tzotzil", None)
    if page["user"] is not None and live is not None and live.spoken(name):
        page["spoken_help"] = listen_url(name)
    lang = lang or getattr(request.state, "lang", None) or "es"
    response = render(request, name, page, lang=lang, status_code=status_code)
    # Back after signing out must show nothing: nothing here may be stored.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response
