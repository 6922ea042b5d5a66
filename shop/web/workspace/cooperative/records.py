"""The cooperative at a glance — today's bodies and who holds each position, the bylaws in force, the
assemblies and the courses — and the CSV exports, which never hold a CURP."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from shop.api.http.auth import RecordReaders
from shop.api.http.deps import SessionDep
from shop.clock import local_today
from shop.cooperative import exports
from shop.cooperative.bylaws import version_on
from shop.cooperative.governance import holders_on
from shop.cooperative.models import Assembly, Course
from shop.cooperative.trainings import completers
from shop.errors import N_, NotFound
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/cooperativa", include_in_schema=False)
EXPORTS = {
    "socias": (exports.members_csv, "socias"),
    "cargos": (exports.terms_csv, "cargos"),
    "asambleas": (exports.assemblies_csv, "asambleas"),
    "asistencia": (exports.attendance_csv, "asistencia-capacitaciones"),
}


@router.get("")
def overview(request: Request, session: SessionDep, who: RecordReaders):
    today = local_today()
    courses = session.scalars(sa.select(Course).order_by(Course.id.desc())).all()
    return ws_render(
        request,
        "workspace/cooperative/overview.html",
        {
            "today": today,
            "holders": holders_on(session, today),
            "bylaws": version_on(session, today),
            "assemblies": session.scalars(sa.select(Assembly).order_by(Assembly.meets_on.desc()).limit(12)).all(),
            "courses": [(course, len(completers(session, course.id))) for course in courses],
            "exports": EXPORTS,
        },
    )


@router.get("/exportar/{name}.csv")
def export(session: SessionDep, who: RecordReaders, name: Annotated[str, Path(max_length=20)]):
    if name not in EXPORTS:
        raise NotFound(N_("There is no such export."))
    build, filename = EXPORTS[name]
    return Response(
        build(session),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}-{local_today().isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )
