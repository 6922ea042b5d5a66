"""Assemblies: the notice, called in time by whom the law allows; attendance in person or by proxy with the
quorum it makes; the resolutions with their vote; the minutes as text and as scanned pages. Partner staff read
all but the scanned pages, which show signatures and thumbprints."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Request, UploadFile

from shop.api.http.auth import Council, RecordReaders
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today
from shop.cooperative.assemblies import Notice, assembly_quorum, call_assembly, record_attendance, resolve
from shop.cooperative.bylaws import version_on
from shop.cooperative.minutes import NO_PAGE, add_page, page_name, write_minutes
from shop.cooperative.models import Assembly, AssemblyKind, Attendance, Caller, MinutesPage, Resolution
from shop.cooperative.rules import Call
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.web.files import stored_file
from shop.web.workspace.cooperative.choices import member_names, member_options
from shop.web.workspace.cooperative.members import edits
from shop.web.workspace.form_reading import Problems, RowId, read_day, read_whole
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst, chosen_photo

router = APIRouter(prefix="/taller/cooperativa/asambleas", include_in_schema=False, route_class=SignedInFirst)
Short = Annotated[str, Form(max_length=40)]
Place = Annotated[str, Form(max_length=200)]
Column = Annotated[list[str], Form(max_length=40)]
PAGE = "/taller/cooperativa/asambleas"
KIND_NAMES = {AssemblyKind.ordinary: N_("ordinary"), AssemblyKind.extraordinary: N_("extraordinary")}
CALLER_NAMES = {
    Caller.administration: N_("the Consejo de Administración"),
    Caller.vigilance: N_("the Consejo de Vigilancia"),
    Caller.members: N_("a fifth of the members"),
}
CALL_NAMES = {Call.first: N_("first call"), Call.second: N_("second call")}


def last_ordinary(session) -> date | None:
    """The day of the latest ordinary assembly held by today; the law asks for one at least every year."""
    return session.scalar(
        sa.select(sa.func.max(Assembly.meets_on)).where(
            Assembly.kind == AssemblyKind.ordinary, Assembly.meets_on <= local_today()
        )
    )


def _list_page(request, session, who, *, values=None, errors=None, status=200):
    last = last_ordinary(session)
    return ws_render(
        request,
        "workspace/cooperative/assemblies.html",
        {
            "last_ordinary": last,
            "ordinary_overdue": last is None or local_today() - last > timedelta(days=365),
            "assemblies": session.scalars(sa.select(Assembly).order_by(Assembly.meets_on.desc())).all(),
            "kind_names": KIND_NAMES,
            "caller_names": CALLER_NAMES,
            "call_names": CALL_NAMES,
            "edits": edits(who),
            "values": values or {"posted_on": local_today().isoformat(), "kind": "ordinary"},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("")
def assemblies_page(request: Request, session: SessionDep, who: RecordReaders):
    return _list_page(request, session, who)


@router.post("")
def call(
    request: Request,
    session: SessionDep,
    who: Council,
    kind: Short = "",
    called_by: Short = "",
    call: Short = "",
    meets_on: Short = "",
    place: Place = "",
    posted_on: Short = "",
    posted_at: Place = "",
    agenda: Annotated[str, Form(max_length=4000)] = "",
    second_call_announced: Short = "",
):
    values = {"kind": kind, "called_by": called_by, "call": call, "meets_on": meets_on, "place": place}
    values |= {"posted_on": posted_on, "posted_at": posted_at, "agenda": agenda}
    values["second_call_announced"] = second_call_announced
    problems = Problems(request)
    for name, value, choices, message in (
        ("kind", kind, AssemblyKind, N_("Choose whether it is ordinary or extraordinary.")),
        ("called_by", called_by, Caller, N_("Choose who calls it.")),
        ("call", call or "first", Call, N_("Choose the call.")),
    ):
        if value not in choices.__members__:
            problems.add(name, message)
    meets = read_day(meets_on, "meets_on", problems)
    posted = read_day(posted_on, "posted_on", problems)
    if not problems:
        notice = Notice(
            AssemblyKind(kind),
            Caller(called_by),
            meets,
            place,
            posted,
            posted_at,
            agenda,
            call=Call(call or "first"),
            second_call_announced=second_call_announced == "1",
        )
        try:
            assembly = call_assembly(session, notice)
        except DomainError as exc:
            problems.add_error(exc, None if exc.field or isinstance(exc, ValidationFailed) else "meets_on")
    if problems:
        raise ErrorPage(lambda db: _list_page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, f"{PAGE}/{assembly.id}", N_("The assembly is called. Print the notice and post it."))


def find_assembly(session, assembly_id: int) -> Assembly:
    assembly = session.get(Assembly, assembly_id)
    if assembly is None:
        raise NotFound(N_("There is no such assembly."))
    return assembly


def attendance_of(session, assembly_id: int) -> dict[int, int | None]:
    """Each member recorded at the assembly, with the member holding her proxy (None: she came herself)."""
    rows = session.execute(
        sa.select(Attendance.member_id, Attendance.represented_by_id).where(Attendance.assembly_id == assembly_id)
    ).all()
    return dict(rows)


def _assembly_page(request, session, who, assembly_id, *, values=None, errors=None, status=200):
    assembly = find_assembly(session, assembly_id)
    found = None
    try:
        found = assembly_quorum(session, assembly.id)
    except DomainError:
        found = None  # no bylaws were in force that day: nothing to count against
    attended = attendance_of(session, assembly.id)
    blank = {
        "minutes": assembly.minutes,
        "how": {m: ("present" if holder is None else str(holder)) for m, holder in attended.items()},
        "witnessed": {m for m, holder in attended.items() if holder is not None},
    }
    bylaws = version_on(session, assembly.meets_on)
    return ws_render(
        request,
        "workspace/cooperative/assembly.html",
        {
            "assembly": assembly,
            "kind_names": KIND_NAMES,
            "caller_names": CALLER_NAMES,
            "call_names": CALL_NAMES,
            "quorum": found,
            "proxies_allowed": bool(bylaws and bylaws.proxies_allowed),
            "attended": attended,
            "names": member_names(session),
            "eligible": member_options(session, active_on_day=assembly.meets_on),
            "resolutions": session.scalars(
                sa.select(Resolution).where(Resolution.assembly_id == assembly.id).order_by(Resolution.number)
            ).all(),
            "pages": session.scalars(
                sa.select(MinutesPage).where(MinutesPage.assembly_id == assembly.id).order_by(MinutesPage.page)
            ).all(),
            "edits": edits(who),
            "values": {**blank, **(values or {})},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/{assembly_id}")
def assembly_page(request: Request, session: SessionDep, who: RecordReaders, assembly_id: RowId):
    return _assembly_page(request, session, who, assembly_id)


def _refused(request, who, assembly_id, values, problems):
    return ErrorPage(
        lambda db: _assembly_page(request, db, who, assembly_id, values=values, errors=problems.items, status=422)
    )


@router.post("/{assembly_id}/asistencia")
def attendance(
    request: Request,
    session: SessionDep,
    who: Council,
    assembly_id: RowId,
    member: Column = (),
    how: Column = (),
    witnessed: Column = (),
):
    """Each member's row says absent (""), "present", or the id of the member who holds her proxy."""
    find_assembly(session, assembly_id)
    problems = Problems(request)
    present: set[int] = set()
    proxies: dict[int, set[int]] = {}
    for member_text, how_text in zip(member, how, strict=False):
        member_id = read_whole(member_text, "attendance", problems)
        if member_id is None or not how_text:
            continue
        if how_text == "present":
            present.add(member_id)
        else:
            holder = read_whole(how_text, "attendance", problems)
            if holder is not None:
                proxies.setdefault(holder, set()).add(member_id)
    letters = {int(m) for m in witnessed if m.isdigit() and len(m) < 10}
    values = {
        "how": {int(m): h for m, h in zip(member, how, strict=False) if m.isdigit() and len(m) < 10},
        "witnessed": letters,
    }
    if not problems:
        try:
            found = record_attendance(session, assembly_id, present=present, proxies=proxies, witnessed=letters)
        except DomainError as exc:
            problems.add_error(exc, "attendance")
    if problems:
        raise _refused(request, who, assembly_id, values, problems)
    message = (
        N_("Attendance is saved: %(counted)d of %(needed)d needed, the assembly has its quorum.")
        if found.met
        else N_("Attendance is saved: %(counted)d of %(needed)d needed, there is no quorum.")
    )
    return redirect_saved(
        request,
        f"{PAGE}/{assembly_id}",
        message,
        "ok" if found.met else "error",
        counted=found.counted,
        needed=found.needed,
    )


@router.post("/{assembly_id}/acuerdos")
def resolution(
    request: Request,
    session: SessionDep,
    who: Council,
    assembly_id: RowId,
    text: Annotated[str, Form(max_length=4000)] = "",
    votes_for: Short = "",
    votes_against: Short = "",
    votes_abstaining: Short = "",
):
    values = {"text": text, "votes_for": votes_for, "votes_against": votes_against}
    values["votes_abstaining"] = votes_abstaining
    problems = Problems(request)
    votes = [
        read_whole(v, name, problems) or 0
        for v, name in (
            (votes_for, "votes_for"),
            (votes_against, "votes_against"),
            (votes_abstaining, "votes_abstaining"),
        )
    ]
    if not problems:
        try:
            made = resolve(
                session, assembly_id, text=text, votes_for=votes[0], votes_against=votes[1], votes_abstaining=votes[2]
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        raise _refused(request, who, assembly_id, values, problems)
    return redirect_saved(
        request, f"{PAGE}/{assembly_id}#acuerdos", N_("Resolution %(number)d is recorded."), number=made.number
    )


@router.post("/{assembly_id}/acta")
def minutes(
    request: Request,
    session: SessionDep,
    who: Council,
    assembly_id: RowId,
    minutes: Annotated[str, Form(max_length=20_000)] = "",
):
    problems = Problems(request)
    try:
        write_minutes(session, assembly_id, minutes)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        problems.add_error(exc)
    if problems:
        raise _refused(request, who, assembly_id, {"minutes": minutes}, problems)
    return redirect_saved(request, f"{PAGE}/{assembly_id}#acta", N_("The minutes are saved."))


@router.post("/{assembly_id}/paginas")
def scanned_page(
    request: Request,
    session: SessionDep,
    who: Council,
    assembly_id: RowId,
    page: Annotated[UploadFile | None, File()] = None,
):
    problems = Problems(request)
    try:
        data, limits = chosen_photo(request, page, field="page", missing=N_("Choose the photo of the page."))
        stored = add_page(session, assembly_id, data, request.app.state.files.minutes, limits)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        problems.add_error(exc, "page")
    if problems:
        raise _refused(request, who, assembly_id, {}, problems)
    return redirect_saved(
        request, f"{PAGE}/{assembly_id}#acta", N_("Page %(number)d of the minutes is kept."), number=stored.page
    )


@router.get("/{assembly_id}/paginas/{page_id}")
def show_page(request: Request, session: SessionDep, who: Council, assembly_id: RowId, page_id: RowId):
    """A scanned page, for the council and the admin only; never cached by the browser."""
    stored = session.get(MinutesPage, page_id)
    if stored is None or stored.assembly_id != assembly_id:
        raise NotFound(N_("There is no such page."))
    return stored_file(
        request.app.state.files.minutes,
        page_name(stored.stored_name),
        media_type="image/jpeg",
        missing=NotFound(NO_PAGE),
        headers={"Cache-Control": "no-store"},
    )
