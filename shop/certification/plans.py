"""A self-assessment's improvement plan (WFTO): items with a due date and where each stands."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from shop.certification.models import AuditKind, CertificationAudit, ImprovementItem, PlanState
from shop.errors import N_, InvalidState, NotFound, ValidationFailed


def add_item(session: Session, audit_id: int, *, description: str, due_on: date) -> ImprovementItem:
    audit = session.get(CertificationAudit, audit_id)
    if audit is None:
        raise NotFound(N_("There is no such audit."))
    if audit.kind is not AuditKind.self_assessment:
        raise InvalidState(N_("Only a self-assessment has an improvement plan."))
    if not description.strip():
        raise ValidationFailed(N_("Write what will be improved."), field="item_description")
    item = ImprovementItem(audit_id=audit_id, description=description.strip(), due_on=due_on)
    session.add(item)
    session.flush()
    return item


def set_state(session: Session, item_id: int, state: PlanState) -> ImprovementItem:
    item = session.get(ImprovementItem, item_id, with_for_update=True)
    if item is None:
        raise NotFound(N_("There is no such item."))
    item.state = state
    session.flush()
    return item


def late(item: ImprovementItem, day: date) -> bool:
    return item.state in (PlanState.planned, PlanState.in_progress) and item.due_on < day
