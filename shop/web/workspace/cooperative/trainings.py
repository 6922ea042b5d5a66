"""Courses and workshops: each with its completion rule, its sessions (date, place, community, facilitator,
language) and the attendance register of members and guests. Who completed a course is computed from its rule,
never ticked by hand."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request

from shop.api.http.auth import Council, RecordReaders
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import local_today
from shop.cooperative.models import (
    AgeBand,
    CompletionRule,
    Course,
    CourseSession,
    SessionAttendance,
    SessionLanguage,
    Sex,
    Topic,
)
from shop.cooperative.trainings import Rule, add_course, add_session, attend, attend_as_guest, completers
from shop.errors import N_, DomainError, NotFound
from shop.web.workspace.cooperative.choices import member_names
from shop.web.workspace.cooperative.members import edits
from shop.web.workspace.form_reading import Problems, RowId, read_day, read_percent, read_whole
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/cooperativa", include_in_schema=False)
Short = Annotated[str, Form(max_length=40)]
Named = Annotated[str, Form(max_length=200)]
TOPIC_NAMES = {
    Topic.computer_skills: N_("Computer skills"),
    Topic.vcaw: N_("Vision, Commitment and Action Workshop (VCAW)"),
    Topic.catalyst: N_("Catalyst training"),
    Topic.trainers: N_("Training of trainers"),
    Topic.womens_rights: N_("Women's rights"),
    Topic.fair_trade: N_("Fair trade"),
    Topic.other: N_("Other"),
}
RULE_NAMES = {
    CompletionRule.sessions: N_("a number of sessions"),
    CompletionRule.share: N_("a share of the sessions"),
    CompletionRule.required: N_("every required session"),
}
LANGUAGE_NAMES = {
    SessionLanguage.es: N_("Spanish"),
    SessionLanguage.tzo: N_("Tzotzil"),
    SessionLanguage.both: N_("both"),
}
SEX_NAMES = {Sex.woman: N_("woman"), Sex.man: N_("man"), Sex.other: N_("other")}
AGE_NAMES = {
    AgeBand.under_18: N_("under 18"),
    AgeBand.from_18_to_29: N_("18 to 29"),
    AgeBand.from_30_to_44: N_("30 to 44"),
    AgeBand.from_45_to_59: N_("45 to 59"),
    AgeBand.from_60: N_("60 or more"),
}
NAMES = {
    "topic_names": TOPIC_NAMES,
    "rule_names": RULE_NAMES,
    "language_names_of": LANGUAGE_NAMES,
    "sex_names": SEX_NAMES,
    "age_names": AGE_NAMES,
}


def _courses_page(request, session, who, *, values=None, errors=None, status=200):
    courses = session.scalars(sa.select(Course).order_by(Course.id.desc())).all()
    return ws_render(
        request,
        "workspace/cooperative/courses.html",
        {
            "courses": [(course, len(completers(session, course.id))) for course in courses],
            "edits": edits(who),
            "values": values or {"rule": "sessions"},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("/cursos")
def courses_page(request: Request, session: SessionDep, who: RecordReaders):
    return _courses_page(request, session, who)


@router.post("/cursos")
def new_course(
    request: Request,
    session: SessionDep,
    who: Council,
    topic: Short = "",
    title: Named = "",
    rule: Short = "",
    min_sessions: Short = "",
    min_share: Short = "",
):
    values = {"topic": topic, "title": title, "rule": rule, "min_sessions": min_sessions, "min_share": min_share}
    problems = Problems(request)
    if topic not in Topic.__members__:
        problems.add("topic", N_("Choose the topic."))
    if rule not in CompletionRule.__members__:
        problems.add("rule", N_("Choose how the course is completed."))
    sessions = read_whole(min_sessions, "min_sessions", problems)
    share = read_percent(min_share, "min_share", problems)
    if not problems:
        try:
            course = add_course(
                session, topic=Topic(topic), title=title, rule=Rule(CompletionRule(rule), sessions, share)
            )
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        raise ErrorPage(lambda db: _courses_page(request, db, who, values=values, errors=problems.items, status=422))
    return redirect_saved(request, f"/taller/cooperativa/cursos/{course.id}", N_("The course is added."))


def find_course(session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise NotFound(N_("There is no such course."))
    return course


def _course_page(request, session, who, course_id, *, values=None, errors=None, status=200):
    course = find_course(session, course_id)
    held = session.execute(
        sa.select(CourseSession, sa.func.count(SessionAttendance.id))
        .outerjoin(SessionAttendance, SessionAttendance.session_id == CourseSession.id)
        .where(CourseSession.course_id == course.id)
        .group_by(CourseSession.id)
        .order_by(CourseSession.held_on, CourseSession.id)
    ).all()
    came = session.execute(
        sa.select(SessionAttendance.member_id, sa.func.count())
        .join(CourseSession, CourseSession.id == SessionAttendance.session_id)
        .where(CourseSession.course_id == course.id, SessionAttendance.member_id.is_not(None))
        .group_by(SessionAttendance.member_id)
    ).all()
    names = member_names(session)
    done = set(completers(session, course.id))
    people = sorted(((names[m], m, count, m in done) for m, count in came), key=lambda row: (not row[3], row[0]))
    return ws_render(
        request,
        "workspace/cooperative/course.html",
        {
            "course": course,
            "held": held,
            "people": people,
            "edits": edits(who),
            "values": values or {"held_on": local_today().isoformat(), "language": "es"},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("/cursos/{course_id}")
def course_page(request: Request, session: SessionDep, who: RecordReaders, course_id: RowId):
    return _course_page(request, session, who, course_id)


@router.post("/cursos/{course_id}/sesiones")
def new_session(
    request: Request,
    session: SessionDep,
    who: Council,
    course_id: RowId,
    held_on: Short = "",
    place: Named = "",
    community: Named = "",
    facilitator: Named = "",
    language: Short = "",
    required: Short = "",
):
    values = {"held_on": held_on, "place": place, "community": community, "facilitator": facilitator}
    values |= {"language": language, "required": required}
    find_course(session, course_id)
    problems = Problems(request)
    day = read_day(held_on, "held_on", problems)
    if language not in SessionLanguage.__members__:
        problems.add("language", N_("Choose the language of the session."))
    if not problems:
        try:
            held = add_session(
                session,
                course_id,
                held_on=day,
                place=place,
                community=community,
                facilitator=facilitator,
                language=SessionLanguage(language),
                required=required == "1",
            )
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        raise ErrorPage(
            lambda db: _course_page(request, db, who, course_id, values=values, errors=problems.items, status=422)
        )
    return redirect_saved(request, f"/taller/cooperativa/sesiones/{held.id}", N_("The session is added."))


def find_session(session, session_id: int) -> CourseSession:
    held = session.get(CourseSession, session_id)
    if held is None:
        raise NotFound(N_("There is no such session."))
    return held


def _session_page(request, session, who, session_id, *, values=None, errors=None, status=200):
    held = find_session(session, session_id)
    course = session.get(Course, held.course_id)
    register = session.scalars(
        sa.select(SessionAttendance).where(SessionAttendance.session_id == held.id).order_by(SessionAttendance.id)
    ).all()
    names = member_names(session)
    on_register = {row.member_id for row in register}
    return ws_render(
        request,
        "workspace/cooperative/course_session.html",
        {
            "held": held,
            "course": course,
            "register": register,
            "names": names,
            "absent": [(m, name) for m, name in names.items() if m not in on_register],
            "edits": edits(who),
            "values": values or {},
            "errors": errors or {},
            **NAMES,
        },
        status_code=status,
    )


@router.get("/sesiones/{session_id}")
def session_page(request: Request, session: SessionDep, who: RecordReaders, session_id: RowId):
    return _session_page(request, session, who, session_id)


@router.post("/sesiones/{session_id}/socias")
def members_came(
    request: Request,
    session: SessionDep,
    who: Council,
    session_id: RowId,
    member: Annotated[list[str], Form(max_length=12)] = (),
):
    find_session(session, session_id)
    problems = Problems(request)
    chosen = [read_whole(m, "member", problems) for m in member]
    if not chosen and not problems:
        problems.add("member", N_("Tick the members who came."))
    if not problems:
        try:
            for member_id in chosen:
                attend(session, session_id, member_id=member_id)
        except DomainError as exc:
            problems.add_error(exc, "member")
    if problems:
        raise ErrorPage(lambda db: _session_page(request, db, who, session_id, errors=problems.items, status=422))
    return redirect_saved(
        request,
        f"/taller/cooperativa/sesiones/{session_id}",
        N_("Added to the register: %(count)d."),
        count=len(chosen),
    )


@router.post("/sesiones/{session_id}/invitadas")
def guest_came(
    request: Request,
    session: SessionDep,
    who: Council,
    session_id: RowId,
    guest_name: Annotated[str, Form(max_length=120)] = "",
    sex: Short = "",
    age_band: Short = "",
):
    values = {"guest_name": guest_name, "sex": sex, "age_band": age_band}
    find_session(session, session_id)
    problems = Problems(request)
    if sex not in {s.value for s in Sex}:
        problems.add("sex", N_("Choose the guest's sex."))
    if age_band not in {a.value for a in AgeBand}:
        problems.add("age_band", N_("Choose the guest's age."))
    if not problems:
        try:
            attend_as_guest(session, session_id, name=guest_name, sex=Sex(sex), age_band=AgeBand(age_band))
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        raise ErrorPage(
            lambda db: _session_page(request, db, who, session_id, values=values, errors=problems.items, status=422)
        )
    return redirect_saved(request, f"/taller/cooperativa/sesiones/{session_id}", N_("The guest is on the register."))
