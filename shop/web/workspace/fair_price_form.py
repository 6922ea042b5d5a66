"""A piece's fair-price worksheet: materials, hours of work, the wage to pay them at, overhead and margin. The
piece's page then shows its fair minimum beside the price, and warns when the price is below it."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request

from shop.api.http.deps import SessionDep
from shop.certification.worksheets import WorksheetDraft, save_worksheet
from shop.errors import N_, DomainError, ValidationFailed
from shop.money import parse_amount
from shop.web.workspace.form_reading import Problems, read_percent, read_whole
from shop.web.workspace.inventory import Keeper, find_editable, redirect_saved
from shop.web.workspace.product_page import form_again

router = APIRouter(prefix="/taller", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
FIELDS = ("benchmark_id", "materials", "work_hours", "work_minutes", "overhead_percent", "margin_percent")


def _pesos(text: str, problems: Problems) -> int | None:
    text = text.strip()
    if not text:
        return None
    if re.search(r",\d{1,2}$", text):
        problems.add("materials", N_("Use a point for the cents, such as 1850.50."))
        return None
    try:
        return parse_amount(text, "MXN", field="materials")
    except ValidationFailed as exc:
        problems.add_error(exc, "materials")
        return None


def _minutes(hours: str, minutes: str, problems: Problems) -> int | None:
    whole = read_whole(hours, "work_hours", problems)
    extra = read_whole(minutes, "work_minutes", problems) or 0
    if extra > 59:
        problems.add("work_minutes", N_("Minutes go from 0 to 59."))
    if whole is None and not extra:
        return None
    return (whole or 0) * 60 + extra


@router.post("/inventario/{slug}/precio-justo")
def save_fair_price(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    benchmark_id: Short = "",
    materials: Short = "",
    work_hours: Short = "",
    work_minutes: Short = "",
    overhead_percent: Short = "0",
    margin_percent: Short = "0",
):
    product = find_editable(session, who, slug, lock=True)
    typed = (benchmark_id, materials, work_hours, work_minutes, overhead_percent, margin_percent)
    values = dict(zip(FIELDS, typed, strict=True))
    problems = Problems(request)
    draft = WorksheetDraft(
        benchmark_id=read_whole(benchmark_id, "benchmark_id", problems),
        materials=_pesos(materials, problems),
        minutes=_minutes(work_hours, work_minutes, problems),
        overhead_bp=read_percent(overhead_percent, "overhead_percent", problems, zero=True) or 0,
        margin_bp=read_percent(margin_percent, "margin_percent", problems, zero=True) or 0,
    )
    if not problems:
        try:
            save_worksheet(session, product.id, draft)
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        form_again(request, session, who, slug, fair_values=values, fair_errors=problems.items)
    return redirect_saved(request, f"/taller/inventario/{slug}#precio-justo", N_("The fair price worksheet is saved."))
