"""A one-time message for the next page after a redirect (post, redirect, get), in a short-lived signed cookie:
the store's and the workspace's forms both say what they did this way."""

from __future__ import annotations

from fastapi import Request

from shop.web.browser import FLASH_COOKIE


def flash_message(request: Request, response, message: str, kind: str = "ok", **params) -> None:
    response.set_cookie(
        FLASH_COOKIE,
        request.app.state.signer.write_flash(message, kind, **params),
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )
