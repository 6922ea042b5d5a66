"""The programme's indicators: their definitions and targets (the partner's staff and the admin), the values
of each quarter and community with the reason a locked one cannot change, approval, the council's exceptions,
and every change on record."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Path, Request

from shop.accounts.models import Role
from shop.api.http.auth import Council, ProgrammeOwners, RecordReaders, Signed
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today
from shop.errors import N_, DomainError, NotFound
from shop.indicators import service
from shop.indicators.derived import SOURCES
from shop.indicators.models import (
    ALL,
    Approval,
    Category,
    IndicatorValue,
    LockException,
    Measure,
    Pillar,
    Target,
    ValueChange,
)
from shop.indicators.periods import Quarter
from shop.indicators.rules import Kind
from shop.indicators.service import Cell, Person, Spec
from shop.money import parse_amount
from shop.web.dashboard.names import NAMES
from shop.web.workspace.form_reading import Problems, RowId, pesos_field, read_day, read_percent, read_whole
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/indicadores", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
Named = Annotated[str, Form(max_length=300)]
Column = Annotated[list[str], Form(max_length=40)]
Period = Annotated[str, Path(max_length=10)]
PAGE = "/taller/indicadores"


def quarter_of(text: str) -> Quarter:
    """The quarter a page asks for (``?trimestre=2026-Q3``), the current one when none is asked."""
    if not text:
        return Quarter.of(local_today())
    try:
        return Quarter.parse(text[:10])
    except DomainError:
        raise NotFound(N_("There is no such quarter: write it as 2026-Q3.")) from None


def person(who: Signed) -> Person:
    return Person(who.user.id, who.user.name)


def defines(who: Signed) -> bool:
    return who.has(Role.partner_staff, Role.admin)


def _list_page(request, session, who, quarter, *, values=None, errors=None, status=200):
    rows = service.quarter_rows(session, quarter)
    return ws_render(
        request,
        "dashboard/indicators.html",
        {
            "quarter": quarter,
            "groups": service.by_pillar(rows),
            "score": service.score_of(rows),
            "source_options": [(source.key, source.name) for source in SOURCES.values()],
            "defines": defines(who),
            "values": values or {"kind": "output", "measure": "count", "pillar": "mobilization"},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("")
def indicators_page(request: Request, session: SessionDep, who: RecordReaders, trimestre: str = ""):
    return _list_page(request, session, who, quarter_of(trimestre))


def read_measure(text: str, measure: Measure, name: str, problems: Problems) -> int | None:
    """A figure as the indicator measures it: a whole count, pesos (to centavos) or a percentage (to bp)."""
    if not text.strip():
        return None
    if measure is Measure.money:
        try:
            return parse_amount(text, "MXN", field=name)
        except DomainError as exc:
            problems.add_error(exc, name)
            return None
    if measure is Measure.percentage:
        return read_percent(text, name, problems, zero=True)
    return read_whole(text, name, problems)


@router.post("")
def define(
    request: Request,
    session: SessionDep,
    who: ProgrammeOwners,
    code: Short = "",
    name_es: Named = "",
    name_en: Named = "",
    pillar: Short = "",
    category: Short = "",
    kind: Short = "",
    weight: Short = "",
    measure: Short = "",
    source: Short = "",
    descending: Short = "",
    by_sex: Short = "",
    by_age: Short = "",
    baseline_value: Short = "",
    baseline_year: Short = "",
):
    values = {
        "code": code,
        "name_es": name_es,
        "name_en": name_en,
        "pillar": pillar,
        "category": category,
        "kind": kind,
    }
    values |= {"weight": weight, "measure": measure, "source": source, "descending": descending, "by_sex": by_sex}
    values |= {"by_age": by_age, "baseline_value": baseline_value, "baseline_year": baseline_year}
    problems = Problems(request)
    for name, text, choices in (("pillar", pillar, Pillar), ("kind", kind, Kind), ("measure", measure, Measure)):
        if text not in choices.__members__:
            problems.add(name, N_("Choose one."))
    if category and category not in Category.__members__:
        problems.add("category", N_("Choose one."))
    chosen = SOURCES.get(source)
    measured = chosen.measure if chosen else (Measure(measure) if measure in Measure.__members__ else Measure.count)
    baseline = read_measure(baseline_value, measured, "baseline_value", problems)
    year = read_whole(baseline_year, "baseline_year", problems)
    given_weight = read_whole(weight, "weight", problems)
    if not problems:
        spec = Spec(
            code=code,
            name_es=name_es,
            name_en=name_en,
            pillar=Pillar(pillar),
            kind=Kind(kind),
            measure=Measure(measure),
            category=Category(category) if category else None,
            weight=given_weight,
            ascending=descending != "1",
            by_sex=by_sex == "1",
            by_age=by_age == "1",
            baseline_value=baseline,
            baseline_year=year,
            source=source or None,
        )
        try:
            made = service.define(session, spec)
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        raise ErrorPage(
            lambda db: _list_page(request, db, who, quarter_of(""), values=values, errors=problems.items, status=422)
        )
    return redirect_saved(request, f"{PAGE}/{made.id}", N_("The indicator %(code)s is defined."), code=made.code)


def _indicator_page(request, session, who, indicator_id, quarter, *, values=None, errors=None, status=200):
    indicator = service.find(session, indicator_id)
    today = local_today()
    entry_days = request.app.state.settings.indicator_entry_days
    cells = session.scalars(
        sa.select(IndicatorValue)
        .where(IndicatorValue.indicator_id == indicator.id, IndicatorValue.period == quarter.key)
        .order_by(IndicatorValue.community, IndicatorValue.sex, IndicatorValue.age_band)
    ).all()
    by_community: dict[str, dict] = {}
    for cell in cells:
        by_community.setdefault(cell.community, {})[(cell.sex, cell.age_band)] = cell
    places = [ALL, *service.communities(session)]
    derived = SOURCES[indicator.source].compute(session, quarter) if indicator.source else None
    return ws_render(
        request,
        "dashboard/indicator.html",
        {
            "indicator": indicator,
            "quarter": quarter,
            "targets": session.scalars(
                sa.select(Target).where(Target.indicator_id == indicator.id).order_by(Target.period.desc()).limit(12)
            ).all(),
            "by_community": by_community,
            "derived": derived,
            "places": places,
            "locks": {p: service.lock_for(session, quarter, p, today, entry_days=entry_days) for p in places},
            "cells": service.cells_of(indicator),
            "history": session.scalars(
                sa.select(ValueChange)
                .where(ValueChange.indicator_id == indicator.id)
                .order_by(ValueChange.id.desc())
                .limit(60)
            ).all(),
            "defines": defines(who),
            "values": values or {"period": quarter.key},
            "errors": errors or {},
            "pesos_field": pesos_field,
            **NAMES,
        },
        status_code=status,
    )


@router.get("/{indicator_id}")
def indicator_page(request: Request, session: SessionDep, who: RecordReaders, indicator_id: RowId, trimestre: str = ""):
    return _indicator_page(request, session, who, indicator_id, quarter_of(trimestre))


@router.post("/{indicator_id}/metas")
def save_target(
    request: Request,
    session: SessionDep,
    who: ProgrammeOwners,
    indicator_id: RowId,
    period: Short = "",
    target: Short = "",
):
    indicator = service.find(session, indicator_id)
    problems = Problems(request)
    quarter = None
    try:
        quarter = Quarter.parse(period)
    except DomainError as exc:
        problems.add_error(exc, "period")
    figure = read_measure(target, indicator.measure, "target", problems)
    if figure is None and "target" not in problems:
        problems.add("target", N_("Write the target."))
    if not problems:
        try:
            service.set_target(session, indicator.id, quarter, figure)
        except DomainError as exc:
            problems.add_error(exc, "target")
    if problems:
        shown = quarter or quarter_of("")
        raise ErrorPage(
            lambda db: _indicator_page(
                request,
                db,
                who,
                indicator_id,
                shown,
                values={"period": period, "target": target},
                errors=problems.items,
                status=422,
            )
        )
    return redirect_saved(
        request,
        f"{PAGE}/{indicator_id}?trimestre={quarter.key}",
        N_("The target for %(period)s is saved."),
        period=quarter.key,
    )


@router.post("/{indicator_id}/valores")
def enter_values(
    request: Request,
    session: SessionDep,
    who: RecordReaders,
    indicator_id: RowId,
    period: Short = "",
    community: Annotated[str, Form(max_length=120)] = "",
    note: Named = "",
    cell: Column = (),
    value: Column = (),
    numerator: Column = (),
    denominator: Column = (),
):
    """Each cell of the breakdown comes as its key ("woman|") with its figure, or its numerator and denominator."""
    indicator = service.find(session, indicator_id)
    problems = Problems(request)
    quarter = quarter_of(period)
    cells: dict[tuple[str, str], Cell] = {}
    for index, key in enumerate(cell):
        sex, _, age = key.partition("|")
        if indicator.measure is Measure.percentage:
            top = read_whole(numerator[index] if index < len(numerator) else "", "value", problems)
            bottom = read_whole(denominator[index] if index < len(denominator) else "", "value", problems)
            cells[(sex, age)] = Cell(numerator=top, denominator=bottom)
        else:
            text = value[index] if index < len(value) else ""
            cells[(sex, age)] = Cell(read_measure(text, indicator.measure, "value", problems))
    if not problems:
        try:
            service.enter(
                session,
                indicator.id,
                quarter,
                community,
                cells,
                by=person(who),
                today=local_today(),
                entry_days=request.app.state.settings.indicator_entry_days,
                note=note,
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc, "value")
    if problems:
        raise ErrorPage(
            lambda db: _indicator_page(
                request,
                db,
                who,
                indicator_id,
                quarter,
                values={"period": quarter.key, "community": community},
                errors=problems.items,
                status=422,
            )
        )
    return redirect_saved(
        request,
        f"{PAGE}/{indicator_id}?trimestre={quarter.key}",
        N_("The values for %(period)s are saved."),
        period=quarter.key,
    )


def _quarters_page(request, session, who, quarter, *, values=None, errors=None, status=200):
    today = local_today()
    entry_days = request.app.state.settings.indicator_entry_days
    places = [ALL, *service.communities(session)]
    return ws_render(
        request,
        "dashboard/quarters.html",
        {
            "quarter": quarter,
            "ended": quarter.ends_on < today,
            "entry_closes_on": quarter.entry_closes_on(entry_days),
            "places": places,
            "locks": {p: service.lock_for(session, quarter, p, today, entry_days=entry_days) for p in places},
            "approvals": {
                a.community: a for a in session.scalars(sa.select(Approval).where(Approval.period == quarter.key))
            },
            "exceptions": session.scalars(
                sa.select(LockException).where(LockException.period == quarter.key).order_by(LockException.id.desc())
            ).all(),
            "grants": who.has(Role.council, Role.admin),
            "values": values or {"until": today.isoformat()},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("/trimestres/{period}")
def quarter_page(request: Request, session: SessionDep, who: RecordReaders, period: Period):
    return _quarters_page(request, session, who, quarter_of(period))


@router.post("/trimestres/{period}/aprobar")
def approve(
    request: Request,
    session: SessionDep,
    who: RecordReaders,
    period: Period,
    community: Annotated[str, Form(max_length=120)] = "",
):
    quarter = quarter_of(period)
    problems = Problems(request)
    try:
        service.approve(session, quarter, community, by=person(who), today=local_today())
    except DomainError as exc:
        problems.add_error(exc, "approve")
    if problems:
        raise ErrorPage(lambda db: _quarters_page(request, db, who, quarter, errors=problems.items, status=422))
    return redirect_saved(
        request,
        f"{PAGE}/trimestres/{quarter.key}",
        N_("%(period)s is approved: its values are locked."),
        period=quarter.key,
    )


@router.post("/trimestres/{period}/excepcion")
def grant_exception(
    request: Request,
    session: SessionDep,
    who: Council,
    period: Period,
    community: Annotated[str, Form(max_length=120)] = "",
    until: Short = "",
    reason: Named = "",
):
    quarter = quarter_of(period)
    values = {"community": community, "until": until, "reason": reason}
    problems = Problems(request)
    day = read_day(until, "until", problems)
    if not problems:
        try:
            service.grant_exception(
                session, quarter, community, until=day, reason=reason, by=person(who), today=local_today()
            )
        except DomainError as exc:
            problems.add_error(exc, None if exc.field else "until")
    if problems:
        raise ErrorPage(
            lambda db: _quarters_page(request, db, who, quarter, values=values, errors=problems.items, status=422)
        )
    return redirect_saved(
        request,
        f"{PAGE}/trimestres/{quarter.key}",
        N_("The quarter is open again until %(day)s."),
        day=day.isoformat(),
    )
