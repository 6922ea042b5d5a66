"""A member's own place in the cooperative: her record, the trainings she attended and whether she completed
them, and the assemblies to come. She sees only her own."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.api.http.auth import Anyone
from shop.api.http.deps import SessionDep
from shop.clock import local_today
from shop.cooperative.members import STATUS_NAMES
from shop.cooperative.models import Assembly, Course, CourseSession, Member, SessionAttendance
from shop.cooperative.trainings import completers
from shop.errors import N_, NotFound
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)


@router.get("/mi-cooperativa")
def my_cooperative(request: Request, session: SessionDep, who: Anyone):
    member = (
        session.scalar(sa.select(Member).where(Member.weaver_id == who.user.weaver_id))
        if who.user.weaver_id is not None
        else None
    )
    if member is None:
        raise NotFound(N_("You are not in the cooperative's register."))
    came = session.execute(
        sa.select(Course, CourseSession, SessionAttendance.id)
        .join(CourseSession, CourseSession.course_id == Course.id)
        .join(SessionAttendance, SessionAttendance.session_id == CourseSession.id)
        .where(SessionAttendance.member_id == member.id)
        .order_by(Course.id.desc(), CourseSession.held_on)
    ).all()
    by_course: dict[int, tuple[Course, list]] = {}
    for course, held, attendance_id in came:
        by_course.setdefault(course.id, (course, []))[1].append((held, attendance_id))
    trainings = [
        (course, sessions, member.id in completers(session, course.id)) for course, sessions in by_course.values()
    ]
    return ws_render(
        request,
        "workspace/cooperative/mine.html",
        {
            "member": member,
            "status_names": STATUS_NAMES,
            "trainings": trainings,
            "assemblies": session.scalars(
                sa.select(Assembly).where(Assembly.meets_on >= local_today()).order_by(Assembly.meets_on)
            ).all(),
        },
    )
