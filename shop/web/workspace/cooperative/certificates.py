"""The two certificates of a training: one for attending a session, one for completing a course under its
rule. Each is printed in Spanish with the Tzotzil beside it where the catalog has it. A member may print her
own; the council, the admin and partner staff may print anyone's."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.accounts.models import Role
from shop.api.http.auth import Anyone, Signed
from shop.api.http.deps import SessionDep
from shop.catalogue.models import Weaver
from shop.clock import local_today
from shop.cooperative.models import Course, CourseSession, Member, SessionAttendance
from shop.cooperative.trainings import completers
from shop.errors import N_, Forbidden, NotFound
from shop.i18n import translator
from shop.web.workspace.bilingual import Bilingual
from shop.web.workspace.cooperative.trainings import LANGUAGE_NAMES, TOPIC_NAMES, find_course
from shop.web.workspace.form_reading import RowId
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/constancias", include_in_schema=False)

WORDS = SimpleNamespace(
    coop=N_("Cooperative of Tzotzil women weavers · Chiapas, Mexico"),
    attendance=N_("Certificate of attendance"),
    completion=N_("Certificate of completion"),
    name=N_("Name"),
    attended=N_("took part in the session of %(day)s of"),
    completed=N_("completed the course"),
    rule_sessions=N_("by attending %(count)d of its %(held)d sessions"),
    place=N_("Place"),
    facilitator=N_("Facilitator"),
    language=N_("Language"),
    sessions=N_("Sessions"),
    signature=N_("Signature"),
    president=N_("Presidenta of the Consejo de Administración"),
    issued=N_("Issued on %(day)s."),
)


def _may_see(who: Signed, member: Member | None) -> None:
    """The records' readers may print anyone's; a member only her own."""
    if who.has(Role.council, Role.admin, Role.partner_staff):
        return
    if member is None or who.user.weaver_id is None or member.weaver_id != who.user.weaver_id:
        raise Forbidden(N_("You can print only your own certificates."))


def _paper(request, who: Signed, course: Course, context: dict):
    """The certificate, with a way back: to her own page for a member, to the course for the records' readers."""
    back = (
        f"/taller/cooperativa/cursos/{course.id}"
        if who.has(Role.council, Role.admin, Role.partner_staff)
        else "/taller/mi-cooperativa"
    )
    return ws_render(
        request,
        "workspace/cooperative/certificate.html",
        {
            "both": Bilingual(),
            "words": WORDS,
            "es": translator("es"),
            "today": local_today(),
            "back": back,
            "course": course,
            **NAMES,
            **context,
        },
    )


NAMES = {"topic_names": TOPIC_NAMES, "language_names_of": LANGUAGE_NAMES}


@router.get("/asistencia/{attendance_id}")
def attendance(request: Request, session: SessionDep, who: Anyone, attendance_id: RowId):
    row = session.get(SessionAttendance, attendance_id)
    if row is None:
        raise NotFound(N_("There is no such certificate."))
    member = session.get(Member, row.member_id) if row.member_id else None
    _may_see(who, member)
    held = session.get(CourseSession, row.session_id)
    name = session.get(Weaver, member.weaver_id).name if member else row.guest_name
    return _paper(request, who, session.get(Course, held.course_id), {"kind": "attendance", "name": name, "held": held})


@router.get("/curso/{course_id}/socia/{member_id}")
def completion(request: Request, session: SessionDep, who: Anyone, course_id: RowId, member_id: RowId):
    member = session.get(Member, member_id)
    _may_see(who, member)
    course = find_course(session, course_id)
    if member is None or member.id not in completers(session, course.id):
        raise NotFound(N_("She has not completed this course, so there is no certificate."))
    held = session.scalars(
        sa.select(CourseSession).where(CourseSession.course_id == course.id).order_by(CourseSession.held_on)
    ).all()
    came = set(
        session.scalars(
            sa.select(SessionAttendance.session_id).where(
                SessionAttendance.member_id == member.id,
                SessionAttendance.session_id.in_([s.id for s in held]),
            )
        )
    )
    return _paper(
        request,
        who,
        course,
        {"kind": "completion", "name": session.get(Weaver, member.weaver_id).name, "sessions": held, "came": came},
    )
