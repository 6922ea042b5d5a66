"""Who is signed in to the workspace, and what she may do.

Every workspace page and every management API route declares the roles it needs with ``require``; there
is no route that forgets to. A browser without a session is sent to sign in (the API answers 401), and a
person without the role gets a clear refusal (403). Once signed in, every change she makes is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from shop.accounts.models import Device, Role, User, UserSession
from shop.accounts.sessions import TOUCH_EVERY, current_session, enrolled_device, touch_session, user_for_api_key
from shop.api.http.cookies import host_cookie
from shop.api.http.urls import default_thumb
from shop.catalogue.models import Image, Weaver
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, Forbidden

SESSION_COOKIE = "ws"
DEVICE_COOKIE = "device"
LANG_COOKIE = "ws_lang"
WORKSPACE_LANGUAGES = ("es", "tzo")


class SignInNeeded(DomainError):
    """No one is signed in: pages send the browser to the sign-in screen, the API answers 401."""

    status_code = 401
    code = "unauthorized"

    def __init__(self):
        super().__init__(N_("Please sign in first."))


@dataclass
class Signed:
    user: User
    record: UserSession | None
    device: Device | None

    def has(self, *roles: Role) -> bool:
        return self.user.has(*roles)


def session_cookie(request: Request) -> str:
    """The session cookie's name (``__Host-ws`` under https, ``ws`` on a developer's plain http)."""
    return host_cookie(SESSION_COOKIE, request.app.state.settings.https)


def workspace_language(request: Request, user: User | None = None) -> str:
    if user is not None and user.language in WORKSPACE_LANGUAGES:
        return user.language
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in WORKSPACE_LANGUAGES else "es"


def _portrait(session: Session, user: User) -> str | None:
    if user.weaver_id is None:
        return None
    weaver = session.get(Weaver, user.weaver_id)
    image = session.get(Image, weaver.photo_id) if weaver is not None and weaver.photo_id else None
    return default_thumb(image, 320) if image is not None else None


def device_of(request: Request, session: Session) -> Device | None:
    return enrolled_device(session, request.cookies.get(DEVICE_COOKIE), utcnow())


def signed_in(request: Request) -> Signed | None:
    """The person behind this request: a workspace session cookie, or a personal API key.

    Checked in a short transaction of its own, so a route may open its own transactions afterwards (a
    refund calls Stripe between two) without waiting on this one. The person is then the author of every
    change made through the request's session (see ``shop.audit``).
    """
    settings = request.app.state.settings
    engine = request.app.state.engine
    header = request.headers.get("authorization", "")
    with session_scope(engine, writes=False) as session:
        if header.lower().startswith("bearer "):
            user = user_for_api_key(session, header[7:].strip(), utcnow())
            if user is None:
                raise SignInNeeded()
            found = Signed(user, None, None)
        else:
            live = current_session(
                session,
                request.cookies.get(session_cookie(request)),
                utcnow(),
                timedelta(seconds=settings.workspace_idle_seconds),
                touch=False,
            )
            if live is None:
                return None
            record, user = live
            found = Signed(user, record, device_of(request, session))
        request.state.user_photo = _portrait(session, found.user)
    if found.record is not None and utcnow() - found.record.last_seen_at >= TOUCH_EVERY:
        with session_scope(engine) as session:
            touch_session(session, found.record.id, utcnow())
    request.state.user = found.user
    request.state.lang = workspace_language(request, found.user)
    return found


def require(*roles: Role):
    """A dependency that lets through only people holding one of ``roles`` (any signed-in person if none)."""

    def check(request: Request, who: Annotated[Signed | None, Depends(signed_in)]) -> Signed:
        if who is None:
            raise SignInNeeded()
        if roles and not who.has(*roles):
            raise Forbidden(N_("You do not have permission for this. Ask the council or an admin."))
        return who

    check.roles = roles  # read by the test that checks every route is protected
    return check


Anyone = Annotated[Signed, Depends(require())]
Staff = Annotated[Signed, Depends(require(Role.treasurer, Role.council, Role.admin))]
Treasurer = Annotated[Signed, Depends(require(Role.treasurer, Role.admin))]
Council = Annotated[Signed, Depends(require(Role.council, Role.admin))]
Admin = Annotated[Signed, Depends(require(Role.admin))]
Members = Annotated[Signed, Depends(require(Role.member, Role.council, Role.admin))]
# The cooperative's records: the council and the admin keep them, partner staff read them.
RecordReaders = Annotated[Signed, Depends(require(Role.council, Role.admin, Role.partner_staff))]
# The programme's owners define its indicators and targets; the readers above enter and approve values.
ProgrammeOwners = Annotated[Signed, Depends(require(Role.partner_staff, Role.admin))]


def role_checks(dependant) -> list[Callable]:
    """The ``require(...)`` checks among a route's dependencies, however deeply they are declared."""
    found = []
    for sub in dependant.dependencies:
        if hasattr(sub.call, "roles"):
            found.append(sub.call)
        found.extend(role_checks(sub))
    return found
