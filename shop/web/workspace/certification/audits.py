"""An audit's page: what it found (non-conformities, each with its actions, closed only with evidence and a
word on whether the action worked), a self-assessment's improvement plan, and the list of every finding. An
open major or critical finding past its deadline is marked wherever it appears."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse

from shop.api.http.auth import Council
from shop.api.http.deps import ErrorPage, SessionDep
from shop.certification import findings, plans
from shop.certification.documents import DocumentKind, StoredDocument
from shop.certification.models import (
    ActionKind,
    Certificate,
    CertificationAudit,
    CorrectiveAction,
    CriterionType,
    ImprovementItem,
    NonConformity,
    PlanState,
    Scheme,
    Severity,
)
from shop.certification.service import local_today
from shop.errors import N_, DomainError, NotFound
from shop.web.flash import flash_message
from shop.web.workspace.certification.files import chosen, forget, store_upload
from shop.web.workspace.certification.names import (
    ACTION_KINDS,
    AUDIT_KINDS,
    CRITERION_TYPES,
    PLAN_STATES,
    SEVERITIES,
)
from shop.web.workspace.form_reading import Problems, RowId, read_day
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller/certificacion", include_in_schema=False, route_class=SignedInFirst)
Short = Annotated[str, Form(max_length=40)]
Line = Annotated[str, Form(max_length=200)]
Name = Annotated[str, Form(max_length=120)]
Text = Annotated[str, Form(max_length=2000)]
Upload = Annotated[UploadFile | None, File()]


def audit_url(audit_id: int) -> str:
    return f"/taller/certificacion/auditorias/{audit_id}"


def _audit_page(request, session, audit_id: int, *, errors=None, values=None, target=None, status=200):
    audit = session.get(CertificationAudit, audit_id)
    if audit is None:
        raise NotFound(N_("There is no such audit."))
    certificate = session.get(Certificate, audit.certificate_id)
    found = session.scalars(
        sa.select(NonConformity)
        .where(NonConformity.audit_id == audit.id)
        .order_by(NonConformity.closed_on.is_not(None), NonConformity.deadline, NonConformity.id)
    ).all()
    actions: dict[int, list[CorrectiveAction]] = {finding.id: [] for finding in found}
    for action in session.scalars(
        sa.select(CorrectiveAction)
        .where(CorrectiveAction.non_conformity_id.in_(list(actions)))
        .order_by(CorrectiveAction.deadline, CorrectiveAction.id)
    ):
        actions[action.non_conformity_id].append(action)
    day = local_today()
    items = session.scalars(
        sa.select(ImprovementItem).where(ImprovementItem.audit_id == audit.id).order_by(ImprovementItem.due_on)
    ).all()
    return ws_render(
        request,
        "workspace/certification/audit.html",
        {
            "audit": audit,
            "certificate": certificate,
            "scheme": session.get(Scheme, certificate.scheme_id),
            "findings": found,
            "actions": actions,
            "overdue": {f.id for f in found if findings.overdue(f, day)},
            "items": items,
            "late_items": {item.id for item in items if plans.late(item, day)},
            "today": day,
            "names": _names(),
            "criterion_options": [(k.value, label) for k, label in CRITERION_TYPES.items()],
            "severity_options": [(k.value, label) for k, label in SEVERITIES.items()],
            "errors": errors or {},
            "values": values or {},
            "target": target,
        },
        status_code=status,
    )


def _names() -> dict:
    return {
        "audit_kinds": AUDIT_KINDS,
        "criterion_types": CRITERION_TYPES,
        "severities": SEVERITIES,
        "action_kinds": ACTION_KINDS,
        "plan_states": PLAN_STATES,
    }


def _refuse(request, audit_id: int, problems: Problems, values: dict, target: int | None = None):
    raise ErrorPage(
        lambda db: _audit_page(request, db, audit_id, errors=problems.items, values=values, target=target, status=422)
    )


@router.get("/auditorias/{audit_id}")
def show_audit(request: Request, session: SessionDep, who: Council, audit_id: RowId):
    return _audit_page(request, session, audit_id)


def _choice(enum, text: str, name: str, message: str, problems: Problems):
    if text in enum.__members__:
        return enum(text)
    problems.add(name, message)
    return None


@router.post("/auditorias/{audit_id}/hallazgos")
def add_finding(
    request: Request,
    session: SessionDep,
    who: Council,
    audit_id: RowId,
    criterion: Line = "",
    criterion_type: Short = "",
    severity: Short = "",
    description: Text = "",
    root_cause: Text = "",
    deadline: Short = "",
):
    values = {
        "criterion": criterion,
        "criterion_type": criterion_type,
        "severity": severity,
        "description": description,
        "root_cause": root_cause,
        "deadline": deadline,
    }
    problems = Problems(request)
    kind = _choice(CriterionType, criterion_type, "criterion_type", N_("Choose the type of criterion."), problems)
    weight = _choice(Severity, severity, "severity", N_("Choose how serious it is."), problems)
    due = read_day(deadline, "deadline", problems)
    if not problems:
        try:
            draft = findings.FindingDraft(criterion, kind, weight, description, due, root_cause)
            findings.add_finding(session, audit_id, draft)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        _refuse(request, audit_id, problems, values)
    return redirect_saved(request, audit_url(audit_id) + "#hallazgos", N_("The non-conformity is recorded."))


def _finding(session, finding_id: int) -> NonConformity:
    finding = session.get(NonConformity, finding_id, with_for_update=True)
    if finding is None:
        raise NotFound(N_("There is no such non-conformity."))
    return finding


@router.post("/hallazgos/{finding_id}/acciones")
def add_action(
    request: Request,
    session: SessionDep,
    who: Council,
    finding_id: RowId,
    action_kind: Short = "",
    action_description: Annotated[str, Form(max_length=1000)] = "",
    owner: Name = "",
    action_deadline: Short = "",
):
    finding = _finding(session, finding_id)
    values = {
        "action_kind": action_kind,
        "action_description": action_description,
        "owner": owner,
        "action_deadline": action_deadline,
    }
    problems = Problems(request)
    kind = _choice(ActionKind, action_kind, "action_kind", N_("Choose the kind of action."), problems)
    due = read_day(action_deadline, "action_deadline", problems)
    if not problems:
        try:
            findings.add_action(
                session, finding.id, kind=kind, description=action_description, owner=owner, deadline=due
            )
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        _refuse(request, finding.audit_id, problems, values, target=finding.id)
    return redirect_saved(request, audit_url(finding.audit_id) + f"#nc-{finding.id}", N_("The action is recorded."))


@router.post("/acciones/{action_id}/hecha")
def mark_action_done(request: Request, session: SessionDep, who: Council, action_id: RowId):
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFound(N_("There is no such action."))
    finding = session.get(NonConformity, action.non_conformity_id)
    try:
        findings.action_done(session, action.id, on=local_today())
    except DomainError as exc:
        response = RedirectResponse(audit_url(finding.audit_id), status_code=303)
        flash_message(request, response, exc.message, "error", **exc.params)
        raise ErrorPage(lambda db: response) from exc
    return redirect_saved(
        request, audit_url(finding.audit_id) + f"#nc-{finding.id}", N_("The action is marked as done.")
    )


@router.post("/hallazgos/{finding_id}/cerrar")
def close_finding(
    request: Request,
    session: SessionDep,
    who: Council,
    finding_id: RowId,
    effectiveness: Annotated[str, Form(max_length=1000)] = "",
    evidence: Upload = None,
):
    finding = _finding(session, finding_id)
    problems = Problems(request)
    stored: StoredDocument | None = None
    try:
        if finding.closed_on is None and chosen(evidence):
            stored = store_upload(request, evidence, DocumentKind.evidence, field="evidence")
        findings.close(
            finding, evidence_path=stored.name if stored else "", effectiveness=effectiveness, on=local_today()
        )
        session.flush()
    except DomainError as exc:
        forget(request, stored)
        problems.add_error(exc)
    if problems:
        _refuse(request, finding.audit_id, problems, {"effectiveness": effectiveness}, target=finding.id)
    return redirect_saved(
        request, audit_url(finding.audit_id) + f"#nc-{finding.id}", N_("The non-conformity is closed.")
    )


@router.post("/hallazgos/{finding_id}/reabrir")
def reopen_finding(request: Request, session: SessionDep, who: Council, finding_id: RowId):
    finding = _finding(session, finding_id)
    try:
        findings.reopen(finding)
    except DomainError as exc:
        response = RedirectResponse(audit_url(finding.audit_id), status_code=303)
        flash_message(request, response, exc.message, "error", **exc.params)
        raise ErrorPage(lambda db: response) from exc
    session.flush()
    return redirect_saved(
        request, audit_url(finding.audit_id) + f"#nc-{finding.id}", N_("The non-conformity is open again.")
    )


@router.post("/auditorias/{audit_id}/plan")
def add_plan_item(
    request: Request,
    session: SessionDep,
    who: Council,
    audit_id: RowId,
    item_description: Annotated[str, Form(max_length=1000)] = "",
    due_on: Short = "",
):
    problems = Problems(request)
    due = read_day(due_on, "due_on", problems)
    if not problems:
        try:
            plans.add_item(session, audit_id, description=item_description, due_on=due)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        _refuse(request, audit_id, problems, {"item_description": item_description, "due_on": due_on})
    return redirect_saved(request, audit_url(audit_id) + "#plan", N_("The item is added to the plan."))


@router.post("/plan/{item_id}/estado")
def change_plan_item(request: Request, session: SessionDep, who: Council, item_id: RowId, state: Short = ""):
    item = session.get(ImprovementItem, item_id)
    if item is None:
        raise NotFound(N_("There is no such item."))
    problems = Problems(request)
    chosen_state = _choice(PlanState, state, "state", N_("Choose where it stands."), problems)
    if problems:
        _refuse(request, item.audit_id, problems, {}, target=None)
    plans.set_state(session, item.id, chosen_state)
    return redirect_saved(request, audit_url(item.audit_id) + "#plan", N_("The plan is updated."))


@router.get("/hallazgos")
def finding_list(request: Request, session: SessionDep, who: Council, todas: Annotated[str, Query(max_length=1)] = ""):
    """The open ones by default; ``?todas=1`` adds the closed ones."""
    show_all = todas == "1"
    day = local_today()
    rows = findings.finding_rows(session, open_only=not show_all)
    return ws_render(
        request,
        "workspace/certification/findings.html",
        {
            "rows": rows,
            "overdue": {finding.id for finding, _, _ in rows if findings.overdue(finding, day)},
            "show_all": show_all,
            "names": _names(),
        },
    )
