"""Spoken help: the admin uploads, for a workspace screen, a short recording the cooperative made in Tzotzil;
the screen's header then shows a big "Listen" button. Recordings are served to signed-in people only.

The upload's size is limited before its body is read (``shop.web.body_limits``), and who is asking is checked
before that (``SignedInFirst``). Its type is read from its first bytes, never from its name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from shop.api.http.auth import Admin, Anyone
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.errors import N_, DomainError, ValidationFailed
from shop.translations import spoken
from shop.translations.spoken import MAX_AUDIO_BYTES
from shop.translations.strings import screen_name, workspace_pages
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import listen_url, ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller/ayuda-hablada", include_in_schema=False, route_class=SignedInFirst)
Screen = Annotated[str, Form(max_length=120)]
HOME = "/taller/ayuda-hablada"


def _page(request: Request, session, *, errors=None, status: int = 200):
    t = Problems(request).t
    pages = [(screen, screen_name(t.gettext, screen)) for screen in workspace_pages()]
    return ws_render(
        request,
        "workspace/spoken_help.html",
        {
            "pages": pages,
            "recorded": spoken.recordings(session),
            "errors": errors or {},
            "limit": "4 MB",
            "listen_url": listen_url,
        },
        status_code=status,
    )


@router.get("")
def screens(request: Request, session: SessionDep, who: Admin):
    return _page(request, session)


@router.post("/grabar")
def upload(
    request: Request,
    session: SessionDep,
    who: Admin,
    pantalla: Screen = "",
    file: Annotated[UploadFile | None, File()] = None,
):
    try:
        if file is None or not (file.filename or file.size):
            raise ValidationFailed(N_("Choose the recording."), field="file")
        if (file.size or 0) > MAX_AUDIO_BYTES:
            raise ValidationFailed(
                N_("The recording is too large. The limit is %(limit)s."), field="file", limit="4 MB"
            )
        spoken.record(session, pantalla, file.file.read(MAX_AUDIO_BYTES + 1), by=who.user, now=utcnow())
    except DomainError as exc:
        problems = Problems(request)
        problems.add_error(exc, pantalla)
        status = 413 if file is not None and (file.size or 0) > MAX_AUDIO_BYTES else exc.status_code
        raise ErrorPage(lambda db: _page(request, db, errors=problems.items, status=status)) from exc
    return redirect_saved(request, HOME, N_("The recording is saved: its screen shows a Listen button."))


@router.post("/quitar")
def remove(request: Request, session: SessionDep, who: Admin, pantalla: Screen = ""):
    try:
        spoken.remove(session, pantalla)
    except DomainError as exc:
        problems = Problems(request)
        problems.add_error(exc, pantalla)
        status = exc.status_code
        raise ErrorPage(lambda db: _page(request, db, errors=problems.items, status=status)) from exc
    return redirect_saved(request, HOME, N_("The recording was removed."))


@router.get("/escuchar")
def listen(request: Request, session: SessionDep, who: Anyone, pantalla: Annotated[str, Query(max_length=120)] = ""):
    """The recording, for people signed in only: the browser may keep it a day, but no shared cache may."""
    found = spoken.recording(session, pantalla)
    etag = f'"{found.sha256}"'
    headers = {"Cache-Control": "private, max-age=86400", "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.content, media_type=found.content_type, headers=headers)
