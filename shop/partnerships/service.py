"""Recording partnerships and grants, moving them through their statuses, the reports due to each with their
alerts, and counting the government agencies with a signed agreement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.errors import N_, InvalidState, NotFound, Phrase, ValidationFailed
from shop.partnerships.models import GOVERNMENT, Kind, Level, Partnership, ReportDue, Status, StatusChange

S = Status
MOVES: dict[Status, frozenset[Status]] = {
    S.proposal: frozenset({S.submitted, S.closed}),
    S.submitted: frozenset({S.granted, S.declined}),
    S.granted: frozenset({S.active, S.closed}),
    S.active: frozenset({S.closed}),
    S.declined: frozenset(),
    S.closed: frozenset(),
}
STATUS_NAMES = {
    S.proposal: N_("proposal"),
    S.submitted: N_("submitted"),
    S.granted: N_("granted"),
    S.declined: N_("declined"),
    S.active: N_("in force"),
    S.closed: N_("closed"),
}
ALERT_DAYS = (30, 7)


@dataclass(frozen=True)
class Terms:
    partner: str
    title: str
    level: Level
    kind: Kind
    amount: int | None = None
    currency: str = "MXN"
    starts_on: date | None = None
    ends_on: date | None = None
    notes: str = ""


def record(session: Session, terms: Terms) -> Partnership:
    """A new partnership or grant, as a proposal."""
    problems = []
    if not terms.partner.strip():
        problems.append(ValidationFailed(N_("Write the funder or agency."), field="partner"))
    if not terms.title.strip():
        problems.append(ValidationFailed(N_("Write what the partnership is for."), field="title"))
    if terms.amount is not None and terms.amount < 0:
        problems.append(ValidationFailed(N_("The amount cannot be negative."), field="amount"))
    if len(terms.currency) != 3 or not terms.currency.isalpha():
        problems.append(ValidationFailed(N_("Write the currency as three letters, such as MXN."), field="currency"))
    if terms.starts_on and terms.ends_on and terms.ends_on < terms.starts_on:
        problems.append(ValidationFailed(N_("The period ends after it starts."), field="ends_on"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    partnership = Partnership(
        partner=terms.partner.strip(),
        title=terms.title.strip(),
        level=terms.level,
        kind=terms.kind,
        amount=terms.amount,
        currency=terms.currency.upper(),
        starts_on=terms.starts_on,
        ends_on=terms.ends_on,
        notes=terms.notes.strip(),
    )
    session.add(partnership)
    session.flush()
    return partnership


def find(session: Session, partnership_id: int) -> Partnership:
    partnership = session.get(Partnership, partnership_id)
    if partnership is None:
        raise NotFound(N_("There is no such partnership."))
    return partnership


def move(
    session: Session, partnership_id: int, to: Status, *, on: date, by_name: str, signed_on: date | None = None
) -> Partnership:
    """Along the statuses' moves only; an agreement or a grant becomes granted or active only once signed."""
    partnership = session.get(Partnership, partnership_id, with_for_update=True)
    if partnership is None:
        raise NotFound(N_("There is no such partnership."))
    if to not in MOVES[partnership.status]:
        raise InvalidState(
            N_("It is %(current)s, so it cannot become %(wanted)s."),
            current=Phrase(STATUS_NAMES[partnership.status]),
            wanted=Phrase(STATUS_NAMES[to]),
        )
    if signed_on is not None:
        partnership.signed_on = signed_on
    if to in (S.granted, S.active) and partnership.kind is not Kind.in_kind and partnership.signed_on is None:
        raise ValidationFailed(N_("Write the day it was signed."), field="signed_on")
    partnership.status = to
    session.add(StatusChange(partnership_id=partnership.id, status=to, on=on, by_name=by_name))
    session.flush()
    return partnership


def add_report(session: Session, partnership_id: int, *, title: str, due_on: date) -> ReportDue:
    find(session, partnership_id)
    if not title.strip():
        raise ValidationFailed(N_("Write which report is due."), field="title")
    report = ReportDue(partnership_id=partnership_id, title=title.strip(), due_on=due_on)
    session.add(report)
    session.flush()
    return report


def submit_report(session: Session, report_id: int, *, on: date) -> ReportDue:
    report = session.get(ReportDue, report_id, with_for_update=True)
    if report is None:
        raise NotFound(N_("There is no such report."))
    if report.submitted_on is not None:
        raise InvalidState(N_("This report was already submitted."))
    report.submitted_on = on
    session.flush()
    return report


@dataclass(frozen=True)
class Alert:
    report: ReportDue
    partnership: Partnership
    days_left: int  # negative: overdue

    @property
    def urgent(self) -> bool:
        return self.days_left <= ALERT_DAYS[1]


def report_alerts(session: Session, today: date) -> list[Alert]:
    """Reports not yet submitted that are due within 30 days, or overdue; soonest first."""
    rows = session.execute(
        sa.select(ReportDue, Partnership)
        .join(Partnership, Partnership.id == ReportDue.partnership_id)
        .where(ReportDue.submitted_on.is_(None), ReportDue.due_on <= today + timedelta(days=ALERT_DAYS[0]))
        .order_by(ReportDue.due_on, ReportDue.id)
    ).all()
    return [Alert(report, partnership, (report.due_on - today).days) for report, partnership in rows]


def agreements_in_force(session: Session, first: date, last: date) -> dict[Level, int]:
    """Government agencies (by name, once each) with an agreement signed by ``last`` and in force at some day
    between ``first`` and ``last``, by level."""
    rows = session.execute(
        sa.select(Partnership.level, sa.func.count(sa.distinct(Partnership.partner)))
        .where(
            Partnership.kind == Kind.agreement,
            Partnership.level.in_(GOVERNMENT),
            Partnership.status != Status.declined,
            Partnership.signed_on.is_not(None),
            Partnership.signed_on <= last,
            sa.or_(Partnership.ends_on.is_(None), Partnership.ends_on >= first),
        )
        .group_by(Partnership.level)
    ).all()
    return dict.fromkeys(GOVERNMENT, 0) | dict(rows)
