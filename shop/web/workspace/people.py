"""Admin: the people who use the workspace, their roles, PINs and passwords, and the enrolled devices."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from shop.accounts import service as accounts
from shop.accounts import sessions, signin
from shop.accounts.models import Device, Role, User
from shop.api.http.auth import Admin
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.i18n import translator
from shop.web.flash import flash_message
from shop.web.workspace.render import ws_render
from shop.web.workspace.signin import enroll_cookie, photos

router = APIRouter(prefix="/taller", include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
ROLE_NAMES = {
    Role.member: N_("Member (weaver)"),
    Role.treasurer: N_("Treasurer"),
    Role.council: N_("Council"),
    Role.admin: N_("Admin"),
    Role.partner_staff: N_("Partner staff"),
}


def _free_weavers(session, user: User | None = None):
    """Weaver profiles nobody else has an account for (plus this person's own)."""
    taken = sa.select(User.weaver_id).where(User.weaver_id.is_not(None))
    if user is not None:
        taken = taken.where(User.id != user.id)
    return session.scalars(sa.select(Weaver).where(~Weaver.id.in_(taken)).order_by(Weaver.name)).all()


def _errors(request: Request, exc: DomainError) -> dict[str, str]:
    t = translator(request.state.lang)
    problems = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
    return {p.field or "form": p.translated(t.gettext) for p in problems}


def _roles(values: list[str]) -> list[Role]:
    return [Role(r) for r in values if r in Role.__members__]


@router.get("/personas")
def people(request: Request, session: SessionDep, who: Admin):
    everyone = session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return ws_render(
        request,
        "workspace/people.html",
        {
            "people": everyone,
            "role_names": ROLE_NAMES,
            "photos": photos(session, everyone),
            "locks": signin.pin_locks(session, utcnow()),
        },
    )


def _person_page(request, session, user: User | None, values=None, errors=None, status=200):
    if values is None:
        values = {}
        if user is not None:
            values = {
                "name": user.name,
                "email": user.email or "",
                "weaver_id": str(user.weaver_id or ""),
                "roles": [r.role.value for r in user.roles],
                "language": user.language,
            }
    return ws_render(
        request,
        "workspace/person.html",
        {
            "person": user,
            "weavers": _free_weavers(session, user),
            "role_names": ROLE_NAMES,
            "values": values,
            "errors": errors or {},
            "locked_until": signin.pin_locks(session, utcnow()).get(user.id) if user is not None else None,
        },
        status_code=status,
    )


@router.get("/personas/nueva")
def new_person(request: Request, session: SessionDep, who: Admin):
    return _person_page(request, session, None, {"roles": [Role.member.value], "language": "es"})


@router.post("/personas/nueva")
def add_person(
    request: Request,
    session: SessionDep,
    who: Admin,
    name: Text = "",
    username: Text = "",
    email: Text = "",
    password: Text = "",
    pin: Annotated[str, Form(max_length=10)] = "",
    weaver_id: Annotated[str, Form(max_length=12)] = "",
    roles: Annotated[list[str], Form()] = (),
    language: Annotated[str, Form(max_length=5)] = "es",
):
    values = {
        "name": name,
        "username": username,
        "email": email,
        "weaver_id": weaver_id,
        "roles": list(roles),
        "language": language,
    }
    try:
        user = accounts.create_user(
            session,
            name=name,
            username=username,
            email=email or None,
            password=password or None,
            pin=pin or None,
            roles=_roles(roles),
            weaver_id=int(weaver_id) if weaver_id.isdigit() else None,
            language=language,
        )
    except DomainError as exc:
        errors = _errors(request, exc)
        raise ErrorPage(lambda db: _person_page(request, db, None, values, errors, status=422)) from exc
    response = RedirectResponse("/taller/personas", status_code=303)
    flash_message(request, response, N_("%(name)s can now sign in."), "ok", name=user.name)
    return response


def _person(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("We could not find that person."))
    return user


def _saved(request: Request, user: User, message: str) -> RedirectResponse:
    response = RedirectResponse(f"/taller/personas/{user.id}", status_code=303)
    flash_message(request, response, message, "ok", name=user.name)
    return response


@router.get("/personas/{user_id}")
def person(request: Request, session: SessionDep, who: Admin, user_id: int):
    return _person_page(request, session, _person(session, user_id))


@router.post("/personas/{user_id}")
def change_person(
    request: Request,
    session: SessionDep,
    who: Admin,
    user_id: int,
    name: Text = "",
    email: Text = "",
    weaver_id: Annotated[str, Form(max_length=12)] = "",
    roles: Annotated[list[str], Form()] = (),
    language: Annotated[str, Form(max_length=5)] = "es",
):
    user = _person(session, user_id)
    values = {"name": name, "email": email, "weaver_id": weaver_id, "roles": list(roles), "language": language}
    try:
        accounts.update_user(
            session,
            user,
            by=who.user,
            name=name,
            email=email or None,
            roles=_roles(roles),
            weaver_id=int(weaver_id) if weaver_id.isdigit() else None,
            language=language,
        )
    except DomainError as exc:
        errors = _errors(request, exc)
        raise ErrorPage(lambda db: _person_page(request, db, _person(db, user_id), values, errors, status=422)) from exc
    return _saved(request, user, N_("Changes saved for %(name)s."))


def _secret_change(request: Request, session, who, user_id: int, field: str, change, message: str):
    """Set a new PIN or password; a bad one is shown next to its field, and the person is signed out
    everywhere else, since whoever knew the old one no longer should be in."""
    user = _person(session, user_id)
    try:
        change(user)
    except DomainError as exc:
        errors = {field: next(iter(_errors(request, exc).values()))}
        raise ErrorPage(lambda db: _person_page(request, db, _person(db, user_id), errors=errors, status=422)) from exc
    if user.id != who.user.id:
        accounts.end_sessions_of(session, user, utcnow())
    return _saved(request, user, message)


@router.post("/personas/{user_id}/pin")
def change_pin(
    request: Request,
    session: SessionDep,
    who: Admin,
    user_id: int,
    pin: Annotated[str, Form(max_length=10)] = "",
):
    return _secret_change(
        request,
        session,
        who,
        user_id,
        "pin",
        lambda u: accounts.set_pin(session, u, pin),
        N_("New PIN saved for %(name)s."),
    )


@router.post("/personas/{user_id}/clave")
def change_password(request: Request, session: SessionDep, who: Admin, user_id: int, password: Text = ""):
    return _secret_change(
        request,
        session,
        who,
        user_id,
        "password",
        lambda u: accounts.set_password(session, u, password),
        N_("New password saved for %(name)s."),
    )


@router.post("/personas/{user_id}/desbloquear")
def unlock(request: Request, session: SessionDep, who: Admin, user_id: int):
    user = _person(session, user_id)
    accounts.unlock(session, user)
    return _saved(request, user, N_("%(name)s can try again now."))


@router.post("/personas/{user_id}/activa")
def set_active(
    request: Request,
    session: SessionDep,
    who: Admin,
    user_id: int,
    active: Annotated[str, Form(max_length=5)] = "",
):
    user = _person(session, user_id)
    accounts.set_active(session, user, active == "1", by=who.user, now=utcnow())
    return _saved(
        request, user, N_("%(name)s can sign in again.") if user.active else N_("%(name)s can no longer sign in.")
    )


@router.get("/dispositivos")
def devices(request: Request, session: SessionDep, who: Admin):
    rows = session.scalars(sa.select(Device).order_by(Device.created_at.desc())).all()
    return ws_render(request, "workspace/devices.html", {"devices": rows, "this_device": who.device})


@router.post("/dispositivos")
def enroll_this_device(request: Request, session: SessionDep, who: Admin, name: Text = ""):
    """Make this browser one that shows the members' tiles and takes PINs."""
    device, raw = sessions.enroll_device(session, name, who.user, utcnow())
    response = RedirectResponse("/taller/dispositivos", status_code=303)
    enroll_cookie(request, response, raw)
    flash_message(request, response, N_("This device is enrolled as “%(name)s”."), "ok", name=device.name)
    return response


@router.post("/dispositivos/{device_id}/retirar")
def revoke(request: Request, session: SessionDep, who: Admin, device_id: int):
    device = sessions.revoke_device(session, device_id, utcnow())
    response = RedirectResponse("/taller/dispositivos", status_code=303)
    flash_message(request, response, N_("“%(name)s” no longer shows the tiles."), "ok", name=device.name)
    return response
