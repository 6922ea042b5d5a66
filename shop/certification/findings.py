"""What audits find and what the council must act on: closing and reopening non-conformities, which of them
are overdue, and the alerts the workspace home shows 60 and 14 days ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from shop.certification.certificates import DECIDED
from shop.certification.claim import CertificateStatus
from shop.certification.models import (
    ActionKind,
    Certificate,
    CertificationAudit,
    CorrectiveAction,
    CriterionType,
    NonConformity,
    Severity,
)
from shop.errors import N_, InvalidState, NotFound, ValidationFailed

SERIOUS = (Severity.major, Severity.critical)
WARN_DAYS, URGENT_DAYS = 60, 14
LIVE = (CertificateStatus.certified, CertificateStatus.provisional)


def close(finding: NonConformity, *, evidence_path: str, effectiveness: str, on: date) -> None:
    """Close a non-conformity: only with the evidence file and a word on whether the action worked."""
    if finding.closed_on is not None:
        raise InvalidState(N_("This non-conformity is already closed."))
    problems = []
    if not evidence_path:
        problems.append(ValidationFailed(N_("Attach the evidence that the action was taken."), field="evidence"))
    if not effectiveness.strip():
        problems.append(ValidationFailed(N_("Say whether the action worked."), field="effectiveness"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    finding.closed_on, finding.evidence_path, finding.effectiveness = on, evidence_path, effectiveness.strip()


def reopen(finding: NonConformity) -> None:
    """The action did not hold after all: open again, with no closed date (its evidence stays on record)."""
    if finding.closed_on is None:
        raise InvalidState(N_("This non-conformity is open."))
    finding.closed_on = None


def overdue(finding: NonConformity, day: date) -> bool:
    """An open major or critical non-conformity past its deadline: highlighted wherever it appears."""
    return finding.closed_on is None and finding.severity in SERIOUS and finding.deadline < day


@dataclass(frozen=True)
class Alert:
    kind: str  # "expiry", "audit", "action" or "finding"
    subject: str  # the certificate number, or what the action or finding is about
    due: date
    days_left: int  # negative when it is late

    @property
    def urgent(self) -> bool:
        return self.days_left <= URGENT_DAYS


def alerts(session: Session, day: date) -> list[Alert]:
    """What falls due within 60 days (urgent within 14) or is late: expiries and audits of live certificates not
    yet renewed, actions not done by their deadline, and overdue serious non-conformities; soonest first."""
    horizon = day + timedelta(days=WARN_DAYS)
    found: list[Alert] = []
    renewal = aliased(Certificate)
    # Only a renewal the certifier decided on takes over; an application leaves the old certificate's alerts.
    renewed = sa.exists().where(renewal.supersedes_id == Certificate.id, renewal.status.in_(DECIDED))
    live = session.scalars(
        sa.select(Certificate).where(Certificate.status.in_(LIVE), Certificate.expires_on >= day, ~renewed)
    ).all()
    for certificate in live:
        if day <= certificate.expires_on <= horizon:
            found.append(
                Alert("expiry", certificate.number, certificate.expires_on, (certificate.expires_on - day).days)
            )
        due = certificate.next_audit_due
        if due is not None and due <= horizon:
            found.append(Alert("audit", certificate.number, due, (due - day).days))
    late_actions = session.execute(
        sa.select(CorrectiveAction, NonConformity)
        .join(NonConformity, NonConformity.id == CorrectiveAction.non_conformity_id)
        .where(CorrectiveAction.done_on.is_(None), CorrectiveAction.deadline < day, NonConformity.closed_on.is_(None))
    ).all()
    for action, finding in late_actions:
        found.append(
            Alert(
                "action",
                f"{finding.criterion}: {action.description}"[:200],
                action.deadline,
                (action.deadline - day).days,
            )
        )
    open_serious = session.scalars(
        sa.select(NonConformity).where(NonConformity.closed_on.is_(None), NonConformity.severity.in_(SERIOUS))
    ).all()
    for finding in open_serious:
        if overdue(finding, day):
            found.append(Alert("finding", finding.criterion, finding.deadline, (finding.deadline - day).days))
    return sorted(found, key=lambda alert: (alert.due, alert.kind, alert.subject))


@dataclass(frozen=True)
class FindingDraft:
    criterion: str
    criterion_type: CriterionType
    severity: Severity
    description: str
    deadline: date
    root_cause: str = ""


def add_finding(session: Session, audit_id: int, draft: FindingDraft) -> NonConformity:
    """A non-conformity the audit found, open until it is closed with evidence."""
    if session.get(CertificationAudit, audit_id) is None:
        raise NotFound(N_("There is no such audit."))
    problems = []
    if not draft.criterion.strip():
        problems.append(ValidationFailed(N_("Write the criterion of the standard."), field="criterion"))
    if not draft.description.strip():
        problems.append(ValidationFailed(N_("Write what was found."), field="description"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    finding = NonConformity(
        audit_id=audit_id,
        criterion=draft.criterion.strip(),
        criterion_type=draft.criterion_type,
        severity=draft.severity,
        description=draft.description.strip(),
        root_cause=draft.root_cause.strip(),
        deadline=draft.deadline,
    )
    session.add(finding)
    session.flush()
    return finding


def add_action(
    session: Session, finding_id: int, *, kind: ActionKind, description: str, owner: str, deadline: date
) -> CorrectiveAction:
    """An immediate, corrective or preventive action, with who does it and by when."""
    finding = session.get(NonConformity, finding_id)
    if finding is None:
        raise NotFound(N_("There is no such non-conformity."))
    problems = []
    if not description.strip():
        problems.append(ValidationFailed(N_("Write what will be done."), field="action_description"))
    if not owner.strip():
        problems.append(ValidationFailed(N_("Write who will do it."), field="owner"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    action = CorrectiveAction(
        non_conformity_id=finding.id,
        kind=kind,
        description=description.strip(),
        owner=owner.strip(),
        deadline=deadline,
    )
    session.add(action)
    session.flush()
    return action


def action_done(session: Session, action_id: int, *, on: date) -> CorrectiveAction:
    action = session.get(CorrectiveAction, action_id, with_for_update=True)
    if action is None:
        raise NotFound(N_("There is no such action."))
    if action.done_on is not None:
        raise InvalidState(N_("This action is already done."))
    action.done_on = on
    session.flush()
    return action


def finding_rows(session: Session, *, open_only: bool) -> list[tuple[NonConformity, CertificationAudit, Certificate]]:
    """Non-conformities with their audit and certificate: the open ones first, the nearest deadline first."""
    statement = (
        sa.select(NonConformity, CertificationAudit, Certificate)
        .join(CertificationAudit, CertificationAudit.id == NonConformity.audit_id)
        .join(Certificate, Certificate.id == CertificationAudit.certificate_id)
        .order_by(NonConformity.closed_on.is_not(None), NonConformity.deadline, NonConformity.id)
    )
    if open_only:
        statement = statement.where(NonConformity.closed_on.is_(None))
    return [tuple(row) for row in session.execute(statement)]
