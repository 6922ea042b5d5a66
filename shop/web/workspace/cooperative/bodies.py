"""The governing bodies and who held each position on any day. The council and the admin add a body and record
what an assembly's resolution elected, as one slate refused whole when it breaks the law or the bylaws."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request

from shop.api.http.auth import Council, RecordReaders
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today
from shop.cooperative.assemblies import active_on
from shop.cooperative.bylaws import version_on
from shop.cooperative.governance import BODY_KINDS, Election, add_body, elect_slate, holders_on
from shop.cooperative.models import Body
from shop.cooperative.rules import LAW_POSITIONS, BodyKind
from shop.errors import N_, DomainError
from shop.web.workspace.cooperative.choices import member_names, member_options, resolution_options
from shop.web.workspace.cooperative.members import edits
from shop.web.workspace.form_reading import Problems, read_day, read_whole
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/cooperativa/organos", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
Column = Annotated[list[str], Form(max_length=80)]
PAGE = "/taller/cooperativa/organos"
SLATE_ROWS = 8


def positions_on(session, day) -> list[str]:
    """The law's positions and those the bylaws in force add, to suggest while typing."""
    version = version_on(session, day)
    extra = version.extra_positions.splitlines() if version else []
    return list(LAW_POSITIONS) + sorted(p for p in extra if p not in LAW_POSITIONS)


def _page(request, session, who, *, day=None, values=None, errors=None, status=200):
    day = day or local_today()
    bodies = session.scalars(sa.select(Body).order_by(Body.name)).all()
    blank = {"starts_on": local_today().isoformat(), "rows": [{}] * SLATE_ROWS}
    values = {**blank, **(values or {})}
    values["rows"] = (values["rows"] + [{}] * SLATE_ROWS)[: max(SLATE_ROWS, len(values["rows"]))]
    return ws_render(
        request,
        "workspace/cooperative/bodies.html",
        {
            "day": day,
            "is_today": day == local_today(),
            "holders": holders_on(session, day),
            "bodies": bodies,
            "body_kinds": BODY_KINDS,
            "kind_options": [(k.value, name) for k, name in BODY_KINDS.items() if k is not BodyKind.assembly],
            "body_options": [(b.id, b.name) for b in bodies if b.kind is not BodyKind.assembly],
            "member_options": member_options(session),
            "resolution_options": resolution_options(session),
            "positions": positions_on(session, local_today()),
            "edits": edits(who),
            "values": values,
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("")
def bodies_page(request: Request, session: SessionDep, who: RecordReaders, dia: str = ""):
    problems = Problems(request)
    day = read_day(dia[:10], "dia", problems, required=False)
    return _page(request, session, who, day=day, errors=problems.items, status=422 if problems else 200)


@router.post("")
def new_body(
    request: Request,
    session: SessionDep,
    who: Council,
    kind: Short = "",
    name: Annotated[str, Form(max_length=120)] = "",
):
    values = {"kind": kind, "name": name}
    problems = Problems(request)
    if kind not in BodyKind.__members__:
        problems.add("kind", N_("Choose what kind of body it is."))
    else:
        try:
            add_body(session, BodyKind(kind), name)
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        raise ErrorPage(lambda db: _page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, PAGE, N_("The body is added."))


@router.post("/eleccion")
def record_election(
    request: Request,
    session: SessionDep,
    who: Council,
    resolution_id: Short = "",
    starts_on: Short = "",
    ends_on: Short = "",
    member_id: Column = (),
    body_id: Column = (),
    position: Column = (),
    alternate: Column = (),
):
    rows = [
        {"member_id": m, "body_id": b, "position": p, "alternate": a}
        for m, b, p, a in zip(member_id, body_id, position, alternate, strict=False)
    ][:SLATE_ROWS]
    values = {"resolution_id": resolution_id, "starts_on": starts_on, "ends_on": ends_on, "rows": rows}
    problems = Problems(request)
    resolution = read_whole(resolution_id, "resolution_id", problems)
    if resolution is None and "resolution_id" not in problems:
        problems.add("resolution_id", N_("Choose the assembly resolution that elected her."))
    start = read_day(starts_on, "starts_on", problems)
    end = read_day(ends_on, "ends_on", problems)
    elections = []
    names = member_names(session)
    for row in rows:
        if not row["member_id"].strip():
            continue
        member = read_whole(row["member_id"], "slate", problems)
        body = read_whole(row["body_id"], "slate", problems)
        if body is None and "slate" not in problems:
            problems.add("slate", N_("Choose the body of each person elected."))
        if not problems:
            elections.append(
                Election(member, body, row["position"], start, end, resolution, alternate=row["alternate"] == "1")
            )
    if not elections and not problems:
        problems.add("slate", N_("Choose at least one person elected."))
    if not problems:
        try:
            elect_slate(session, elections, members=len(active_on(session, start)))
        except DomainError as exc:
            whose = names.get(getattr(exc, "member_id", None))
            if whose:
                problem = exc.translated(problems.t.gettext)
                problems.add("slate", N_("For %(person)s: %(problem)s"), person=whose, problem=problem)
            else:
                problems.add_error(exc, "slate")
    if problems:
        raise ErrorPage(lambda db: _page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(
        request,
        PAGE,
        N_("The election is recorded: %(people)s."),
        people=", ".join(names.get(e.member_id, "?") for e in elections),
    )
