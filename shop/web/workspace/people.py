"""Admin: the people who use the workspace, their roles, PINs and passwords, and the enrolled devices."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from shop.accounts import service as accounts
from shop.accounts.models import Device, Role, User
from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.i18n import translator
from shop.web.deps import SessionDep
from shop.web.store.shopping import _flash, check_csrf
from shop.web.workspace.auth import Admin
from shop.web.workspace.render import ws_render
from shop.web.workspace.signin import enroll_cookie

router = APIRouter(prefix="/taller", include_in_schema=False)
Text = Annotated[str, Form(max_length=200)]
Csrf = Annotated[str, Form(max_length=100)]
ROLE_NAMES = {
    Role.member: N_("Member (weaver)"),
    Role.treasurer: N_("Treasurer"),
    Role.council: N_("Council"),
    Role.admin: N_("Admin"),
    Role.partner_staff: N_("Partner staff"),
}


def _people_page(request, session, values=None, errors=None, status=200):
    people = session.scalars(sa.select(User).order_by(User.name)).all()
    free_weavers = session.scalars(
        sa.select(Weaver)
        .where(~Weaver.id.in_(sa.select(User.weaver_id).where(User.weaver_id.is_not(None))))
        .order_by(Weaver.name)
    ).all()
    return ws_render(
        request,
        "workspace/people.html",
        {
            "people": people,
            "weavers": free_weavers,
            "role_names": ROLE_NAMES,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/personas")
def people(request: Request, session: SessionDep, who: Admin):
    return _people_page(request, session)


@router.post("/personas")
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
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    values = {
        "name": name,
        "username": username,
        "email": email,
        "weaver_id": weaver_id,
        "roles": list(roles),
        "language": language,
    }
    try:
        chosen = [Role(r) for r in roles if r in Role.__members__]
        user = accounts.create_user(
            session,
            name=name,
            username=username,
            email=email or None,
            password=password or None,
            pin=pin or None,
            roles=chosen,
            weaver_id=int(weaver_id) if weaver_id.isdigit() else None,
            language=language,
        )
    except DomainError as exc:
        t = translator(request.state.lang)
        problems = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
        errors = {p.field or "form": p.translated(t.gettext) for p in problems}
        session.rollback()
        return _people_page(request, session, values, errors, status=422)
    response = RedirectResponse("/taller/personas", status_code=303)
    _flash(request, response, N_("%(name)s can now sign in."), "ok", name=user.name)
    return response


def _person(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("We could not find that person."))
    return user


@router.post("/personas/{user_id}/pin")
def change_pin(
    request: Request,
    session: SessionDep,
    who: Admin,
    user_id: int,
    pin: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    user = _person(session, user_id)
    accounts.set_pin(session, user, pin)
    response = RedirectResponse("/taller/personas", status_code=303)
    _flash(request, response, N_("New PIN saved for %(name)s."), "ok", name=user.name)
    return response


@router.post("/personas/{user_id}/clave")
def change_password(
    request: Request, session: SessionDep, who: Admin, user_id: int, password: Text = "", csrf_token: Csrf = ""
):
    check_csrf(request, csrf_token)
    user = _person(session, user_id)
    accounts.set_password(session, user, password)
    response = RedirectResponse("/taller/personas", status_code=303)
    _flash(request, response, N_("New password saved for %(name)s."), "ok", name=user.name)
    return response


@router.post("/personas/{user_id}/activa")
def set_active(
    request: Request,
    session: SessionDep,
    who: Admin,
    user_id: int,
    active: Annotated[str, Form(max_length=5)] = "",
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    user = _person(session, user_id)
    if user.id == who.user.id:
        raise ValidationFailed(N_("You cannot switch off your own account."))
    user.active = active == "1"
    return RedirectResponse("/taller/personas", status_code=303)


@router.get("/dispositivos")
def devices(request: Request, session: SessionDep, who: Admin):
    rows = session.scalars(sa.select(Device).order_by(Device.created_at.desc())).all()
    return ws_render(request, "workspace/devices.html", {"devices": rows, "this_device": who.device})


@router.post("/dispositivos")
def enroll_this_device(request: Request, session: SessionDep, who: Admin, name: Text = "", csrf_token: Csrf = ""):
    """Make this browser one that shows the members' tiles and takes PINs."""
    check_csrf(request, csrf_token)
    device, raw = accounts.enroll_device(session, name, who.user, utcnow())
    response = RedirectResponse("/taller/dispositivos", status_code=303)
    enroll_cookie(request, response, raw)
    _flash(request, response, N_("This device is enrolled as “%(name)s”."), "ok", name=device.name)
    return response


@router.post("/dispositivos/{device_id}/retirar")
def revoke(request: Request, session: SessionDep, who: Admin, device_id: int, csrf_token: Csrf = ""):
    check_csrf(request, csrf_token)
    device = accounts.revoke_device(session, device_id, utcnow())
    response = RedirectResponse("/taller/dispositivos", status_code=303)
    _flash(request, response, N_("“%(name)s” no longer shows the tiles."), "ok", name=device.name)
    return response
