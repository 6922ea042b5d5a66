"""The bylaws' versions: what each one set and from when, and the resolution behind it. The council and the
admin record a new version from an assembly's resolution; the ledger and payouts follow it from its date."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request

from shop.api.http.auth import Council, RecordReaders
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today
from shop.cooperative.bylaws import adopt, version_on
from shop.cooperative.models import Assembly, BylawsVersion, Resolution
from shop.cooperative.rules import Bylaws
from shop.errors import N_, DomainError
from shop.money import basis_points_percent as percent_field
from shop.money import parse_amount
from shop.web.workspace.cooperative.choices import resolution_options
from shop.web.workspace.cooperative.members import edits
from shop.web.workspace.form_reading import Problems, pesos_field, read_day, read_percent, read_whole
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/cooperativa/estatutos", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
PAGE = "/taller/cooperativa/estatutos"


def _in_force_values(session) -> dict:
    """The form starts from the version in force, so a change is typed as only what changes."""
    version = version_on(session, local_today())
    if version is None:
        return {"term_years": "3", "quorum": "51"}
    return {
        "term_years": str(version.term_years),
        "quorum": percent_field(version.first_call_quorum_bp),
        "proxies": "1" if version.proxies_allowed else "",
        "extra_positions": version.extra_positions,
        "weavers_share": percent_field(version.weavers_bp) if version.weavers_bp is not None else "",
        "payout_minimum": pesos_field(version.payout_minimum) if version.payout_minimum else "",
    }


def _page(request, session, who, *, values=None, errors=None, status=200):
    versions = session.execute(
        sa.select(BylawsVersion, Resolution, Assembly.meets_on)
        .outerjoin(Resolution, Resolution.id == BylawsVersion.resolution_id)
        .outerjoin(Assembly, Assembly.id == Resolution.assembly_id)
        .order_by(BylawsVersion.effective_from.desc())
    ).all()
    return ws_render(
        request,
        "workspace/cooperative/bylaws.html",
        {
            "versions": versions,
            "founding": not versions,
            "resolution_options": resolution_options(session),
            "edits": edits(who),
            "values": values or _in_force_values(session),
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("")
def bylaws_page(request: Request, session: SessionDep, who: RecordReaders):
    return _page(request, session, who)


@router.post("")
def record_version(
    request: Request,
    session: SessionDep,
    who: Council,
    resolution_id: Short = "",
    effective_from: Short = "",
    term_years: Short = "",
    quorum: Short = "",
    proxies: Short = "",
    extra_positions: Annotated[str, Form(max_length=400)] = "",
    payout_minimum: Short = "",
    weavers_share: Short = "",
):
    values = {
        "resolution_id": resolution_id,
        "effective_from": effective_from,
        "term_years": term_years,
        "quorum": quorum,
        "proxies": proxies,
        "extra_positions": extra_positions,
        "payout_minimum": payout_minimum,
        "weavers_share": weavers_share,
    }
    problems = Problems(request)
    resolution = read_whole(resolution_id, "resolution_id", problems)
    day = read_day(effective_from, "effective_from", problems)
    years = read_whole(term_years, "term_years", problems)
    if (years is None and "term_years" not in problems) or (years is not None and not 1 <= years <= 5):
        problems.add("term_years", N_("The law allows a term of 1 to 5 years."))
    quorum_bp = read_percent(quorum, "quorum", problems)
    if quorum_bp is None and "quorum" not in problems:
        problems.add("quorum", N_("Enter a percentage, such as 50 or 33.33."))
    weavers_bp = read_percent(weavers_share, "weavers_share", problems, zero=True)
    minimum = None
    if payout_minimum.strip():
        try:
            minimum = parse_amount(payout_minimum, "MXN", field="payout_minimum") or None
        except DomainError as exc:
            problems.add_error(exc)
    positions = frozenset(line.strip().lower() for line in extra_positions.splitlines() if line.strip())
    if not problems:
        founding = session.scalar(sa.select(sa.func.count()).select_from(BylawsVersion)) == 0
        try:
            adopt(
                session,
                Bylaws(day, years, quorum_bp, proxies == "1", positions, minimum, weavers_bp),
                resolution_id=resolution,
                founding=founding,
            )
        except DomainError as exc:
            problems.add_error(exc, "resolution_id" if exc.field in (None, "resolution") else None)
    if problems:
        raise ErrorPage(lambda db: _page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, PAGE, N_("The bylaws' new values take effect on %(day)s."), day=day.isoformat())
