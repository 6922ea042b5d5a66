"""The assembly's papers, printed from the browser: the notice to post, the attendance list with a space for
each member's signature or thumbprint, and the minutes with the resolutions and their votes. In Spanish, with
the Tzotzil beside each line where the catalog has it."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.api.http.auth import RecordReaders
from shop.api.http.deps import SessionDep
from shop.catalogue.models import Weaver
from shop.cooperative.assemblies import active_on, assembly_quorum
from shop.cooperative.models import Member, Resolution
from shop.errors import N_, DomainError
from shop.i18n import translator
from shop.web.workspace.bilingual import Bilingual
from shop.web.workspace.cooperative.assemblies import (
    CALL_NAMES,
    CALLER_NAMES,
    KIND_NAMES,
    attendance_of,
    find_assembly,
)
from shop.web.workspace.form_reading import RowId
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/cooperativa/asambleas", include_in_schema=False)

WORDS = SimpleNamespace(
    coop=N_("Cooperative of Tzotzil women weavers · Chiapas, Mexico"),
    notice=N_("Notice of a general assembly"),
    attendance_list=N_("Attendance list"),
    minutes=N_("Minutes of the general assembly"),
    number=N_("Number"),
    name=N_("Name"),
    community=N_("Community"),
    represented_by=N_("Represented by"),
    signature=N_("Signature or thumbprint"),
    agenda=N_("Agenda"),
    resolutions=N_("Resolutions"),
    president=N_("Presidenta of the Consejo de Administración"),
    secretary=N_("Secretaria of the Consejo de Administración"),
    vigilance=N_("Presidenta of the Consejo de Vigilancia"),
    calls=N_(
        "%(caller)s calls the members of the cooperative J'pas Joloviletik to a general assembly, %(kind)s, "
        "on %(call)s."
    ),
    date=N_("Date"),
    place=N_("Place"),
    second_call=N_("If there is no quorum, the assembly will meet on second call with the members who attend."),
    posted=N_("Posted on %(day)s at %(place)s."),
    thumbprint=N_("thumbprint"),
    active_count=N_("Members active on the day: %(count)d."),
    needed=N_("Needed for quorum: %(needed)d."),
    called_with=N_("Called by %(caller)s with a notice posted on %(day)s at %(place)s."),
    quorum_count=N_("%(counted)d of %(members)d active members present or represented; %(needed)d needed."),
    quorum_met=N_("Quorum met."),
    no_quorum=N_("No quorum."),
    present=N_("Present or represented:"),
    represented=N_("represented by %(name)s"),
    votes=N_("For: %(yes)d · against: %(no)d · abstaining: %(none)d"),
    no_resolution=N_("No resolution is recorded yet."),
)


def _paper(request, session, assembly_id: int, template: str, extra: dict | None = None):
    assembly = find_assembly(session, assembly_id)
    try:
        quorum = assembly_quorum(session, assembly.id)
    except DomainError:
        quorum = None
    return ws_render(
        request,
        template,
        {
            "assembly": assembly,
            "kind_name": KIND_NAMES[assembly.kind],
            "caller_name": CALLER_NAMES[assembly.called_by],
            "call_name": CALL_NAMES[assembly.call],
            "quorum": quorum,
            "both": Bilingual(),
            "words": WORDS,
            "es": translator("es"),
            **(extra or {}),
        },
    )


def _roll(session, assembly) -> list[SimpleNamespace]:
    """Everyone who may attend (active that day), with whom she was represented by, in the order of the list."""
    active = active_on(session, assembly.meets_on)
    attended = attendance_of(session, assembly.id)
    rows = session.execute(
        sa.select(Member, Weaver.name).join(Weaver, Weaver.id == Member.weaver_id).order_by(Weaver.name)
    ).all()
    names = {m.id: name for m, name in rows}
    return [
        SimpleNamespace(
            name=name,
            community=m.community,
            thumbprint=m.signs_with_thumbprint,
            present=m.id in attended,
            represented_by=names.get(attended.get(m.id)),
        )
        for m, name in rows
        if m.id in active
    ]


@router.get("/{assembly_id}/imprimir/aviso")
def notice(request: Request, session: SessionDep, who: RecordReaders, assembly_id: RowId):
    assembly = find_assembly(session, assembly_id)
    items = [line.strip() for line in assembly.agenda.splitlines() if line.strip()]
    return _paper(request, session, assembly_id, "workspace/cooperative/print_notice.html", {"items": items})


@router.get("/{assembly_id}/imprimir/lista")
def attendance_list(request: Request, session: SessionDep, who: RecordReaders, assembly_id: RowId):
    roll = _roll(session, find_assembly(session, assembly_id))
    return _paper(request, session, assembly_id, "workspace/cooperative/print_attendance.html", {"roll": roll})


@router.get("/{assembly_id}/imprimir/acta")
def minutes(request: Request, session: SessionDep, who: RecordReaders, assembly_id: RowId):
    assembly = find_assembly(session, assembly_id)
    resolutions = session.scalars(
        sa.select(Resolution).where(Resolution.assembly_id == assembly.id).order_by(Resolution.number)
    ).all()
    items = [line.strip() for line in assembly.agenda.splitlines() if line.strip()]
    roll = [row for row in _roll(session, assembly) if row.present]
    return _paper(
        request,
        session,
        assembly_id,
        "workspace/cooperative/print_minutes.html",
        {"resolutions": resolutions, "items": items, "roll": roll},
    )
