"""Signing in to the workspace at /taller.

On an enrolled device (the cooperative's computer, a member's phone) each member taps her photo and types her
PIN into one box, sent once: the big keypad types into it in the browser, so a slow line loses no tap; without
JavaScript she types it on the keyboard. Any other browser gets a username and password form and never sees the
members' names or photos: a PIN alone never opens the workspace from the open internet.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from shop.accounts import sessions, signin
from shop.accounts.models import SignInMethod, User
from shop.api.http.auth import (
    DEVICE_COOKIE,
    LANG_COOKIE,
    WORKSPACE_LANGUAGES,
    Signed,
    device_of,
    require,
    session_cookie,
    signed_in,
    workspace_language,
)
from shop.api.http.client import client_address
from shop.api.http.deps import SessionDep, keep_writes_of_refusal
from shop.api.http.urls import default_thumb
from shop.catalogue.models import Image, Weaver
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, NotFound
from shop.i18n import translator
from shop.web.browser import rotate_seed
from shop.web.workspace.render import ws_render
from shop.web.workspace.signin_guard import admit, remember_browser

router = APIRouter(prefix="/taller", include_in_schema=False)
MaybeSigned = Annotated[Signed | None, Depends(signed_in)]


def _lang(request: Request) -> None:
    request.state.lang = workspace_language(request)


def photos(session, users: list[User]) -> dict[int, str]:
    """Each member's portrait (her weaver profile's photo), for the tiles."""
    ids = [u.weaver_id for u in users if u.weaver_id]
    if not ids:
        return {}
    rows = session.execute(
        sa.select(Weaver.id, Image).join(Image, Image.id == Weaver.photo_id).where(Weaver.id.in_(ids))
    ).all()
    by_weaver = {weaver_id: default_thumb(image, 320) for weaver_id, image in rows}
    return {u.id: by_weaver[u.weaver_id] for u in users if u.weaver_id in by_weaver}


def _start(request: Request, session, user: User, method: SignInMethod, device) -> RedirectResponse:
    settings = request.app.state.settings
    raw = sessions.start_session(
        session,
        user,
        method=method,
        device=device,
        now=utcnow(),
        lifetime=timedelta(hours=settings.workspace_session_hours),
    )
    response = RedirectResponse("/taller/inicio", status_code=303)
    response.set_cookie(session_cookie(request), raw, httponly=True, samesite="lax", secure=settings.https, path="/")
    response.set_cookie(LANG_COOKIE, user.language, max_age=365 * 24 * 3600, samesite="lax", secure=settings.https)
    # Forms seen before signing in (by anyone on this browser) are no longer valid after it.
    rotate_seed(response, secure=settings.https)
    return response


@router.get("")
def sign_in_page(request: Request, session: SessionDep, who: MaybeSigned, idle: int = 0):
    if who is not None:
        return RedirectResponse("/taller/inicio", status_code=303)
    _lang(request)
    device = device_of(request, session)
    if device is None:
        return ws_render(request, "workspace/login.html", {"errors": {}, "values": {}, "idle": idle})
    people = signin.tile_people(session)
    return ws_render(
        request, "workspace/tiles.html", {"people": people, "photos": photos(session, people), "idle": idle}
    )


def _pin_page(request, session, user: User, message: str | None = None, status: int = 200):
    return ws_render(
        request,
        "workspace/pin.html",
        {"person": user, "photo": photos(session, [user]).get(user.id), "message": message},
        status_code=status,
    )


def _tile_user(request: Request, session, user_id: int) -> tuple[User, object]:
    device = device_of(request, session)
    user = session.get(User, user_id)
    if device is None or user is None or not user.active or user.pin_hash is None:
        raise NotFound(N_("We could not find that page."))
    return user, device


@router.get("/pin/{user_id}")
def pin_page(request: Request, session: SessionDep, user_id: int):
    _lang(request)
    user, _ = _tile_user(request, session, user_id)
    return _pin_page(request, session, user)


@router.post("/pin/{user_id}")
def pin_entered(
    request: Request,
    session: SessionDep,
    user_id: int,
    pin: Annotated[str, Form(max_length=10)] = "",
):
    """The whole PIN, sent once (the keypad types into the box in the browser)."""
    _lang(request)
    user, device = _tile_user(request, session, user_id)
    if not pin.strip():  # nothing typed: not a wrong try, so it costs her none
        t = translator(request.state.lang)
        return _pin_page(request, session, user, t.gettext(N_("Type your PIN, then press Enter.")), status=422)
    result = signin.sign_in_with_pin(
        session, user.id, pin.strip(), utcnow(), device_id=device.id, address=client_address(request)
    )
    if result.outcome is signin.Outcome.ok:
        return _start(request, session, user, SignInMethod.pin, device)
    status = 423 if result.outcome is signin.Outcome.locked else 401
    keep_writes_of_refusal(request)  # the wrong try counts towards this device's wait
    return _pin_page(request, session, user, _refusal(request, result), status=status)


def _refusal(request: Request, result: signin.SignIn) -> str:
    t = translator(request.state.lang)
    if result.outcome is signin.Outcome.locked:
        return t.gettext(
            "Too many wrong tries. This account is locked until %(time)s. Ask the council for help if you forgot it.",
            time=t.time(result.locked_until),
        )
    if result.outcome is signin.Outcome.wrong and result.user is not None and result.user.pin_hash is not None:
        return t.ngettext(
            "That is not right. You can try %(num)d more time.",
            "That is not right. You can try %(num)d more times.",
            result.attempts_left,
        )
    return t.gettext("Wrong username or password.")


@router.post("/entrar")
def password_sign_in(
    request: Request,
    session: SessionDep,
    login: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
):
    """Staff (or anyone with a password) sign in. Every refusal reads the same, whoever the name belongs to;
    too many tries from one address or on one name wait, and lock nobody out."""
    _lang(request)
    now = utcnow()
    t = translator(request.state.lang)
    admission = admit(request, session, login, now)
    if not admission:
        wait = admission.until
        when = t.time(wait) if wait - now <= timedelta(hours=12) else t.datetime(wait, "short")
        message = t.gettext("Too many tries. Please wait and try again after %(time)s.", time=when)
        keep_writes_of_refusal(request)  # a limit reached is written to the audit log
        response = _login_page(request, login, message, 429)
        response.headers["Retry-After"] = str(admission.verdict.retry_after)
        return response
    result = signin.sign_in_with_password(session, login, password, now)
    if result.outcome is signin.Outcome.ok:
        response = _start(request, session, result.user, SignInMethod.password, device_of(request, session))
        remember_browser(request, response, result.user)
        return response
    keep_writes_of_refusal(request)  # the try that reached a limit wrote it to the audit log
    return _login_page(request, login, t.gettext("Wrong username or password."), 401)


def _login_page(request: Request, login: str, message: str, status: int):
    return ws_render(
        request,
        "workspace/login.html",
        {"errors": {"form": message}, "values": {"login": login}, "idle": 0},
        status_code=status,
    )


@router.post("/salir")
def sign_out(request: Request, session: SessionDep):
    """ "Switch person": end this session and go back to the tiles (or the sign-in form)."""
    name = session_cookie(request)
    sessions.end_session(session, request.cookies.get(name), utcnow())
    response = RedirectResponse("/taller", status_code=303)
    secure = request.app.state.settings.https
    response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="lax")
    rotate_seed(response, secure=secure)
    return response


@router.post("/idioma")
def choose_language(
    request: Request,
    session: SessionDep,
    who: MaybeSigned,
    lang: Annotated[str, Form(max_length=5)] = "es",
    next: Annotated[str, Form(max_length=300)] = "/taller",
):
    """Spanish or Tzotzil, remembered for this browser and, once signed in, for the person."""
    lang = lang if lang in WORKSPACE_LANGUAGES else "es"
    if who is not None:
        session.get(User, who.user.id).language = lang
    # Back to the same screen; only workspace paths, never another site.
    target = next if next.startswith("/taller") and "//" not in next and "\\" not in next else "/taller"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", secure=request.app.state.settings.https
    )
    return response


def enroll_cookie(request: Request, response, raw: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        raw,
        max_age=5 * 365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
        path="/",
    )


@router.get("/latido")
def heartbeat(request: Request, who: Annotated[Signed, Depends(require())]):
    """Someone is working on this screen (typing makes no requests): keep her session from going idle."""
    if who.record is not None:
        with session_scope(request.app.state.engine) as session:
            sessions.touch_session(session, who.record.id, utcnow())
    return Response(status_code=204, headers={"Cache-Control": "no-store"})
