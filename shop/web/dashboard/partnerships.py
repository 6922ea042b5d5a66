"""The register of partnerships and grants on screen: proposals in progress, grants in force with what is left
to spend, agreements by level, the reports due; each partnership's statuses, reports and private documents.
Partner staff and the admin keep it; the council reads it."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Request, UploadFile

from shop.accounts.models import Role
from shop.api.http.auth import ProgrammeOwners, RecordReaders
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.images import ImageLimits
from shop.certification.documents import DocumentKind, check_size, store_document
from shop.clock import local_today
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.money import parse_amount
from shop.partnerships import service
from shop.partnerships.models import (
    GOVERNMENT,
    Kind,
    Level,
    Partnership,
    PartnershipDocument,
    ReportDue,
    Status,
    StatusChange,
)
from shop.partnerships.service import STATUS_NAMES, Terms, report_alerts
from shop.web.workspace.certification.files import private_document
from shop.web.workspace.form_reading import Problems, RowId, read_day
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller/alianzas", include_in_schema=False, route_class=SignedInFirst)
Short = Annotated[str, Form(max_length=40)]
Named = Annotated[str, Form(max_length=300)]
PAGE = "/taller/alianzas"
LEVEL_NAMES = {
    Level.municipal: N_("municipal"),
    Level.state: N_("state"),
    Level.federal: N_("federal"),
    Level.civil_society: N_("civil society"),
}
KIND_NAMES = {Kind.grant: N_("grant"), Kind.agreement: N_("agreement"), Kind.in_kind: N_("in kind")}
NAMES = {"level_names": LEVEL_NAMES, "kind_names": KIND_NAMES, "status_names": STATUS_NAMES}


def keeps(who) -> bool:
    return who.has(Role.partner_staff, Role.admin)


def _list_page(request, session, who, *, values=None, errors=None, status=200):
    everything = session.scalars(sa.select(Partnership).order_by(Partnership.id.desc())).all()
    today = local_today()
    return ws_render(
        request,
        "dashboard/partnerships.html",
        {
            "in_progress": [p for p in everything if p.status in (Status.proposal, Status.submitted)],
            "in_force": [p for p in everything if p.status in (Status.granted, Status.active)],
            "ended": [p for p in everything if p.status in (Status.declined, Status.closed)],
            "agreements": service.agreements_in_force(session, today, today),
            "government": GOVERNMENT,
            "alerts": report_alerts(session, today),
            "keeps": keeps(who),
            "values": values or {"currency": "MXN", "level": "federal", "kind": "grant"},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("")
def partnerships_page(request: Request, session: SessionDep, who: RecordReaders):
    return _list_page(request, session, who)


@router.post("")
def record(
    request: Request,
    session: SessionDep,
    who: ProgrammeOwners,
    partner: Named = "",
    title: Named = "",
    level: Short = "",
    kind: Short = "",
    amount: Short = "",
    currency: Short = "MXN",
    starts_on: Short = "",
    ends_on: Short = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
):
    values = {"partner": partner, "title": title, "level": level, "kind": kind, "amount": amount}
    values |= {"currency": currency, "starts_on": starts_on, "ends_on": ends_on, "notes": notes}
    problems = Problems(request)
    if level not in Level.__members__:
        problems.add("level", N_("Choose one."))
    if kind not in Kind.__members__:
        problems.add("kind", N_("Choose one."))
    minor = None
    if amount.strip():
        try:
            minor = parse_amount(amount, currency.upper() if len(currency) == 3 else "MXN", field="amount")
        except DomainError as exc:
            problems.add_error(exc)
    first = read_day(starts_on, "starts_on", problems, required=False)
    last = read_day(ends_on, "ends_on", problems, required=False)
    if not problems:
        try:
            made = service.record(
                session,
                Terms(partner, title, Level(level), Kind(kind), minor, currency.strip().upper(), first, last, notes),
            )
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        raise ErrorPage(lambda db: _list_page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, f"{PAGE}/{made.id}", N_("The partnership is recorded as a proposal."))


def _page(request, session, who, partnership_id, *, values=None, errors=None, status=200):
    partnership = service.find(session, partnership_id)
    return ws_render(
        request,
        "dashboard/partnership.html",
        {
            "p": partnership,
            "moves": [(s.value, STATUS_NAMES[s]) for s in service.MOVES[partnership.status]],
            "history": session.scalars(
                sa.select(StatusChange)
                .where(StatusChange.partnership_id == partnership.id)
                .order_by(StatusChange.id.desc())
            ).all(),
            "reports": session.scalars(
                sa.select(ReportDue).where(ReportDue.partnership_id == partnership.id).order_by(ReportDue.due_on)
            ).all(),
            "documents": session.scalars(
                sa.select(PartnershipDocument)
                .where(PartnershipDocument.partnership_id == partnership.id)
                .order_by(PartnershipDocument.id)
            ).all(),
            "today": local_today(),
            "keeps": keeps(who),
            "values": values or {"on": local_today().isoformat()},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("/{partnership_id}")
def partnership_page(request: Request, session: SessionDep, who: RecordReaders, partnership_id: RowId):
    return _page(request, session, who, partnership_id)


def _refused(request, who, partnership_id, values, problems):
    return ErrorPage(
        lambda db: _page(request, db, who, partnership_id, values=values, errors=problems.items, status=422)
    )


@router.post("/{partnership_id}/estado")
def move(
    request: Request,
    session: SessionDep,
    who: ProgrammeOwners,
    partnership_id: RowId,
    to: Short = "",
    on: Short = "",
    signed_on: Short = "",
):
    values = {"to": to, "on": on, "signed_on": signed_on}
    problems = Problems(request)
    day = read_day(on, "on", problems)
    signed = read_day(signed_on, "signed_on", problems, required=False)
    if to not in Status.__members__:
        problems.add("to", N_("Choose one."))
    if not problems:
        try:
            service.move(session, partnership_id, Status(to), on=day, by_name=who.user.name, signed_on=signed)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc, None if exc.field else "to")
    if problems:
        raise _refused(request, who, partnership_id, values, problems)
    return redirect_saved(request, f"{PAGE}/{partnership_id}", N_("The new status is recorded."))


@router.post("/{partnership_id}/informes")
def add_report(
    request: Request,
    session: SessionDep,
    who: ProgrammeOwners,
    partnership_id: RowId,
    title: Named = "",
    due_on: Short = "",
):
    values = {"title": title, "due_on": due_on}
    problems = Problems(request)
    day = read_day(due_on, "due_on", problems)
    if not problems:
        try:
            service.add_report(session, partnership_id, title=title, due_on=day)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        raise _refused(request, who, partnership_id, values, problems)
    return redirect_saved(request, f"{PAGE}/{partnership_id}", N_("The report due is recorded."))


@router.post("/{partnership_id}/informes/{report_id}/entregado")
def report_submitted(
    request: Request, session: SessionDep, who: ProgrammeOwners, partnership_id: RowId, report_id: RowId
):
    report = session.get(ReportDue, report_id)
    if report is None or report.partnership_id != partnership_id:
        raise NotFound(N_("There is no such report."))
    problems = Problems(request)
    try:
        service.submit_report(session, report_id, on=local_today())
    except DomainError as exc:
        problems.add_error(exc, "reports")
    if problems:
        raise _refused(request, who, partnership_id, {}, problems)
    return redirect_saved(request, f"{PAGE}/{partnership_id}", N_("The report is marked as submitted."))


@router.post("/{partnership_id}/documentos")
def upload_document(
    request: Request,
    session: SessionDep,
    who: ProgrammeOwners,
    partnership_id: RowId,
    doc_title: Named = "",
    document: Annotated[UploadFile | None, File()] = None,
):
    service.find(session, partnership_id)
    settings = request.app.state.settings
    limits = ImageLimits(max_bytes=settings.max_document_bytes, max_pixels=settings.max_image_pixels)
    problems = Problems(request)
    try:
        if document is None or not (document.filename or document.size):
            raise ValidationFailed(N_("Choose the file: a PDF, or a photo of the paper."), field="document")
        if not doc_title.strip():
            raise ValidationFailed(N_("Write what the document is."), field="doc_title")
        check_size(document.size or 0, limits, field="document")
        stored = store_document(
            document.file.read(limits.max_bytes + 1),
            request.app.state.files.partnerships,
            DocumentKind.other,
            limits,
            field="document",
        )
        session.add(
            PartnershipDocument(
                partnership_id=partnership_id,
                title=doc_title.strip()[:200],
                stored_name=stored.name,
                size_bytes=stored.size_bytes,
            )
        )
        session.flush()
    except DomainError as exc:
        problems.add_error(exc)
    if problems:
        raise _refused(request, who, partnership_id, {"doc_title": doc_title}, problems)
    return redirect_saved(request, f"{PAGE}/{partnership_id}", N_("The document is kept."))


@router.get("/{partnership_id}/documentos/{document_id}")
def show_document(request: Request, session: SessionDep, who: RecordReaders, partnership_id: RowId, document_id: RowId):
    kept = session.get(PartnershipDocument, document_id)
    if kept is None or kept.partnership_id != partnership_id:
        raise NotFound(N_("There is no such document."))
    return private_document(request.app.state.files.partnerships, kept.stored_name)
