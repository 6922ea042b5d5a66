"""Courses and workshops: sessions with their place, facilitator and language, the attendance register
(members, and guests by name, sex and age band), and completion computed from each course's own rule.
Attending a session and completing a course are different things, each with its own certificate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.cooperative.models import (
    AgeBand,
    CompletionRule,
    Course,
    CourseSession,
    Member,
    SessionAttendance,
    SessionLanguage,
    Sex,
    Topic,
)
from shop.errors import N_, Conflict, NotFound, ValidationFailed

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class Rule:
    kind: CompletionRule
    min_sessions: int | None = None
    min_share_bp: int | None = None


def completed(rule: Rule, sessions: Sequence[tuple[int, bool]], attended: set[int]) -> bool:
    """Whether someone who attended ``attended`` (session ids) completed a course whose ``sessions`` are
    (id, required) pairs: enough sessions, a large enough share of them, or every required one."""
    held = {session_id for session_id, _ in sessions}
    came = attended & held
    if not held:
        return False
    if rule.kind is CompletionRule.sessions:
        return len(came) >= (rule.min_sessions or 0) > 0
    if rule.kind is CompletionRule.share:
        return len(came) * BASIS_POINTS >= len(held) * (rule.min_share_bp or BASIS_POINTS)
    required = {session_id for session_id, needed in sessions if needed}
    return bool(required) and required <= came


def add_course(session: Session, *, topic: Topic, title: str, rule: Rule) -> Course:
    problems = []
    if not title.strip():
        problems.append(ValidationFailed(N_("Write the course's name."), field="title"))
    if rule.kind is CompletionRule.sessions and not (rule.min_sessions or 0) > 0:
        problems.append(ValidationFailed(N_("Write how many sessions complete the course."), field="min_sessions"))
    if rule.kind is CompletionRule.share and not 0 < (rule.min_share_bp or 0) <= BASIS_POINTS:
        problems.append(
            ValidationFailed(N_("Write the share of sessions that completes the course."), field="min_share")
        )
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    course = Course(
        topic=topic,
        title=title.strip(),
        rule=rule.kind,
        min_sessions=rule.min_sessions if rule.kind is CompletionRule.sessions else None,
        min_share_bp=rule.min_share_bp if rule.kind is CompletionRule.share else None,
    )
    session.add(course)
    session.flush()
    return course


def add_session(
    session: Session,
    course_id: int,
    *,
    held_on: date,
    place: str,
    community: str,
    facilitator: str,
    language: SessionLanguage,
    required: bool = False,
) -> CourseSession:
    if session.get(Course, course_id) is None:
        raise NotFound(N_("There is no such course."))
    problems = [
        ValidationFailed(message, field=name)
        for name, value, message in (
            ("place", place, N_("Write where the session was held.")),
            ("community", community, N_("Write the community.")),
            ("facilitator", facilitator, N_("Write who led the session.")),
        )
        if not value.strip()
    ]
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    held = CourseSession(
        course_id=course_id,
        held_on=held_on,
        place=place.strip(),
        community=community.strip(),
        facilitator=facilitator.strip(),
        language=language,
        required=required,
    )
    session.add(held)
    session.flush()
    return held


def attend(session: Session, session_id: int, *, member_id: int) -> SessionAttendance:
    if session.get(CourseSession, session_id) is None:
        raise NotFound(N_("There is no such session."))
    if session.get(Member, member_id) is None:
        raise NotFound(N_("There is no such member."))
    taken = sa.select(SessionAttendance.id).where(
        SessionAttendance.session_id == session_id, SessionAttendance.member_id == member_id
    )
    if session.scalar(taken) is not None:
        raise Conflict(N_("She is already on this session's register."), field="member_id")
    row = SessionAttendance(session_id=session_id, member_id=member_id)
    session.add(row)
    session.flush()
    return row


def attend_as_guest(session: Session, session_id: int, *, name: str, sex: Sex, age_band: AgeBand) -> SessionAttendance:
    if session.get(CourseSession, session_id) is None:
        raise NotFound(N_("There is no such session."))
    if not name.strip():
        raise ValidationFailed(N_("Write the guest's name."), field="guest_name")
    row = SessionAttendance(session_id=session_id, guest_name=name.strip(), guest_sex=sex, guest_age_band=age_band)
    session.add(row)
    session.flush()
    return row


def completers(session: Session, course_id: int) -> list[int]:
    """The members who completed the course under its rule, by member id."""
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(N_("There is no such course."))
    sessions = session.execute(
        sa.select(CourseSession.id, CourseSession.required).where(CourseSession.course_id == course.id)
    ).all()
    attended: dict[int, set[int]] = {}
    for session_id, member_id in session.execute(
        sa.select(SessionAttendance.session_id, SessionAttendance.member_id)
        .join(CourseSession, CourseSession.id == SessionAttendance.session_id)
        .where(CourseSession.course_id == course.id, SessionAttendance.member_id.is_not(None))
    ):
        attended.setdefault(member_id, set()).add(session_id)
    rule = Rule(course.rule, course.min_sessions, course.min_share_bp)
    pairs = [(sid, required) for sid, required in sessions]
    return sorted(member for member, came in attended.items() if completed(rule, pairs, came))
