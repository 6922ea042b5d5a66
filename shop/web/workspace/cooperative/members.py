"""The register of members: partner staff read it without CURPs; the council and the admin add a member,
correct her details and record each change of her status with its date, its act and its assembly."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request

from shop.accounts.models import Role
from shop.api.http.auth import Council, RecordReaders, Signed
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Weaver
from shop.clock import local_today
from shop.cooperative.members import MOVES, STATUS_NAMES, change_status, register, update_details
from shop.cooperative.models import Assembly, Member, MemberStatus, MemberStatusChange
from shop.errors import N_, DomainError, NotFound
from shop.web.workspace.cooperative.choices import assembly_options
from shop.web.workspace.form_reading import Problems, RowId, read_day, read_whole
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/cooperativa/socias", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
Text = Annotated[str, Form(max_length=300)]
PAGE = "/taller/cooperativa/socias"


def edits(who: Signed) -> bool:
    """The council and the admin edit the records and see CURPs; partner staff only read."""
    return who.has(Role.council, Role.admin)


def _register_page(request, session, who, *, values=None, errors=None, status=200):
    rows = session.execute(
        sa.select(Member, Weaver.name).join(Weaver, Weaver.id == Member.weaver_id).order_by(Weaver.name)
    ).all()
    unregistered = session.execute(
        sa.select(Weaver.id, Weaver.name).where(Weaver.id.not_in(sa.select(Member.weaver_id))).order_by(Weaver.name)
    ).all()
    return ws_render(
        request,
        "workspace/cooperative/members.html",
        {
            "rows": rows,
            "status_names": STATUS_NAMES,
            "edits": edits(who),
            "weaver_options": [tuple(row) for row in unregistered],
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("")
def members_page(request: Request, session: SessionDep, who: RecordReaders):
    return _register_page(request, session, who)


@router.post("")
def add_member(
    request: Request,
    session: SessionDep,
    who: Council,
    weaver_id: Short = "",
    curp: Short = "",
    community: Annotated[str, Form(max_length=120)] = "",
    municipio: Annotated[str, Form(max_length=120)] = "",
    thumbprint: Short = "",
):
    values = {"weaver_id": weaver_id, "curp": curp, "community": community, "municipio": municipio}
    values["thumbprint"] = thumbprint
    problems = Problems(request)
    weaver = read_whole(weaver_id, "weaver_id", problems)
    if weaver is None and "weaver_id" not in problems:
        problems.add("weaver_id", N_("Choose the weaver."))
    if not problems:
        try:
            member = register(
                session,
                weaver,
                curp=curp,
                community=community,
                municipio=municipio,
                signs_with_thumbprint=thumbprint == "1",
            )
        except DomainError as exc:
            problems.add_error(exc, "weaver_id" if isinstance(exc, NotFound) else None)
    if problems:
        raise ErrorPage(lambda db: _register_page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, f"{PAGE}/{member.id}", N_("She is in the register as an applicant."))


def _member(session, member_id: int) -> tuple[Member, str]:
    row = session.execute(
        sa.select(Member, Weaver.name).join(Weaver, Weaver.id == Member.weaver_id).where(Member.id == member_id)
    ).first()
    if row is None:
        raise NotFound(N_("There is no such member."))
    return row[0], row[1]


def _member_page(request, session, who, member_id, *, values=None, errors=None, status=200):
    member, name = _member(session, member_id)
    history = session.execute(
        sa.select(MemberStatusChange, Assembly.meets_on)
        .outerjoin(Assembly, Assembly.id == MemberStatusChange.assembly_id)
        .where(MemberStatusChange.member_id == member.id)
        .order_by(MemberStatusChange.on.desc(), MemberStatusChange.id.desc())
    ).all()
    details = {
        "curp": member.curp or "",
        "community": member.community,
        "municipio": member.municipio,
        "thumbprint": "1" if member.signs_with_thumbprint else "",
        "on": local_today().isoformat(),
    }
    return ws_render(
        request,
        "workspace/cooperative/member.html",
        {
            "member": member,
            "name": name,
            "history": history,
            "status_names": STATUS_NAMES,
            "moves": [(s.value, STATUS_NAMES[s]) for s in MemberStatus if s in MOVES[member.status]],
            "assembly_options": assembly_options(session),
            "edits": edits(who),
            "values": {**details, **(values or {})},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/{member_id}")
def member_page(request: Request, session: SessionDep, who: RecordReaders, member_id: RowId):
    return _member_page(request, session, who, member_id)


@router.post("/{member_id}/datos")
def correct_details(
    request: Request,
    session: SessionDep,
    who: Council,
    member_id: RowId,
    curp: Short = "",
    community: Annotated[str, Form(max_length=120)] = "",
    municipio: Annotated[str, Form(max_length=120)] = "",
    thumbprint: Short = "",
):
    values = {"curp": curp, "community": community, "municipio": municipio, "thumbprint": thumbprint}
    member, _name = _member(session, member_id)
    problems = Problems(request)
    try:
        update_details(
            session,
            member,
            curp=curp,
            community=community,
            municipio=municipio,
            signs_with_thumbprint=thumbprint == "1",
        )
    except DomainError as exc:
        problems.add_error(exc)
    if problems:
        raise ErrorPage(
            lambda db: _member_page(request, db, who, member_id, values=values, errors=problems.items, status=422)
        )
    return redirect_saved(request, f"{PAGE}/{member_id}", N_("Her details are saved."))


@router.post("/{member_id}/estado")
def record_status(
    request: Request,
    session: SessionDep,
    who: Council,
    member_id: RowId,
    to: Short = "",
    on: Short = "",
    act: Text = "",
    assembly_id: Short = "",
):
    values = {"to": to, "on": on, "act": act, "assembly_id": assembly_id}
    member, _name = _member(session, member_id)
    problems = Problems(request)
    day = read_day(on, "on", problems)
    assembly = read_whole(assembly_id, "assembly_id", problems)
    if to not in MemberStatus.__members__:
        problems.add("to", N_("Choose her new status."))
    if not problems:
        try:
            change_status(session, member, MemberStatus(to), on=day, act=act, assembly_id=assembly)
        except DomainError as exc:
            problems.add_error(exc, None if exc.field else "to")
    if problems:
        raise ErrorPage(
            lambda db: _member_page(request, db, who, member_id, values=values, errors=problems.items, status=422)
        )
    return redirect_saved(request, f"{PAGE}/{member_id}", N_("Her new status is recorded."))
