"""The internal control system: inspecting a weaver, and the sanction that keeps the mark off her pieces until
the council lifts it. Also the fair-price report: pieces priced below their fair minimum, and what each weaver
really earned an hour against every wage benchmark."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from shop.api.http.auth import Council
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Weaver
from shop.certification.inspections import inspect_weaver, lift_sanction
from shop.certification.models import InternalInspection, WeaverSanction
from shop.certification.service import local_today
from shop.certification.worksheets import below_fair_minimum
from shop.errors import N_, DomainError, NotFound
from shop.ledger.fair_earnings import fair_earnings
from shop.web.flash import flash_message
from shop.web.workspace.form_reading import Problems, RowId, read_day, read_whole
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/certificacion", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
PAGE = "/taller/certificacion/inspecciones"


def _page(request, session, *, values=None, errors=None, status=200):
    day = local_today()
    in_force = session.execute(
        sa.select(WeaverSanction, Weaver)
        .join(Weaver, Weaver.id == WeaverSanction.weaver_id)
        .where(sa.or_(WeaverSanction.lifted_on.is_(None), WeaverSanction.lifted_on >= day))
        .order_by(WeaverSanction.starts_on.desc())
    ).all()
    recent = session.execute(
        sa.select(InternalInspection, Weaver)
        .join(Weaver, Weaver.id == InternalInspection.weaver_id)
        .order_by(InternalInspection.held_on.desc(), InternalInspection.id.desc())
        .limit(50)
    ).all()
    weavers = session.scalars(sa.select(Weaver).order_by(Weaver.name)).all()
    return ws_render(
        request,
        "workspace/certification/inspections.html",
        {
            "sanctions": in_force,
            "inspections": recent,
            "weaver_options": [(w.id, w.name) for w in weavers],
            "today": day,
            "values": values or {"held_on": day.isoformat()},
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/inspecciones")
def inspections(request: Request, session: SessionDep, who: Council):
    return _page(request, session)


@router.post("/inspecciones")
def record_inspection(
    request: Request,
    session: SessionDep,
    who: Council,
    weaver_id: Short = "",
    held_on: Short = "",
    inspector: Annotated[str, Form(max_length=120)] = "",
    findings: Annotated[str, Form(max_length=4000)] = "",
    sanction: Annotated[str, Form(max_length=1000)] = "",
):
    values = {"weaver_id": weaver_id, "held_on": held_on, "inspector": inspector, "findings": findings}
    values["sanction"] = sanction
    problems = Problems(request)
    weaver = read_whole(weaver_id, "weaver_id", problems)
    if weaver is None and "weaver_id" not in problems:
        problems.add("weaver_id", N_("Choose the weaver."))
    day = read_day(held_on, "held_on", problems)
    if not problems:
        try:
            inspect_weaver(session, weaver, held_on=day, inspector=inspector, findings=findings, sanction=sanction)
        except DomainError as exc:
            problems.add_error(exc, "weaver_id" if isinstance(exc, NotFound) else None)
    if problems:
        raise ErrorPage(lambda db: _page(request, db, values=values, errors=problems.items, status=422))
    response = RedirectResponse(PAGE, status_code=303)
    sanctioned = N_("The inspection and its sanction are recorded.")
    flash_message(request, response, sanctioned if sanction.strip() else N_("The inspection is recorded."))
    return response


@router.post("/sanciones/{sanction_id}/levantar")
def lift(request: Request, session: SessionDep, who: Council, sanction_id: RowId, from_day: Short = ""):
    problems = Problems(request)
    day = read_day(from_day, "from_day", problems)
    if not problems:
        try:
            lift_sanction(session, sanction_id, on=day)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc, "from_day")
    if problems:
        refusal = RedirectResponse(PAGE, status_code=303)
        flash_message(request, refusal, next(iter(problems.items.values())), "error")
        raise ErrorPage(lambda db: refusal)
    response = RedirectResponse(PAGE, status_code=303)
    flash_message(request, response, N_("The sanction is lifted: her pieces can carry the mark again."))
    return response


@router.get("/informe")
def report(request: Request, session: SessionDep, who: Council):
    week_hours = request.app.state.settings.work_week_hours
    return ws_render(
        request,
        "workspace/certification/report.html",
        {
            "below": below_fair_minimum(session, week_hours),
            "earnings": fair_earnings(session, week_hours),
            "week_hours": week_hours,
        },
    )
