"""The cooperative's records as CSV for partner staff and the council: members (never their CURP), terms,
assemblies with their attendance, and the attendance registers of trainings. Free text is made safe for
spreadsheets; dates are the cooperative's own days."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from shop.catalogue.models import Weaver
from shop.cooperative.models import (
    Assembly,
    Attendance,
    Body,
    Course,
    CourseSession,
    Member,
    Resolution,
    SessionAttendance,
    Term,
)
from shop.spreadsheet import csv_text as _csv


def members_csv(session: Session) -> str:
    """The register without CURPs: partner staff may read it."""
    rows = session.execute(
        sa.select(Member, Weaver.name).join(Weaver, Weaver.id == Member.weaver_id).order_by(Weaver.name)
    ).all()
    return _csv(
        ["name", "community", "municipio", "status", "admitted_on", "signs_with_thumbprint"],
        (
            (
                name,
                m.community,
                m.municipio,
                m.status.value,
                m.admitted_on and m.admitted_on.isoformat(),
                "yes" if m.signs_with_thumbprint else "no",
            )
            for m, name in rows
        ),
    )


def terms_csv(session: Session) -> str:
    rows = session.execute(
        sa.select(Term, Body.name, Weaver.name, Resolution.number, Assembly.meets_on)
        .join(Body, Body.id == Term.body_id)
        .join(Member, Member.id == Term.member_id)
        .join(Weaver, Weaver.id == Member.weaver_id)
        .join(Resolution, Resolution.id == Term.resolution_id)
        .join(Assembly, Assembly.id == Resolution.assembly_id)
        .order_by(Term.starts_on, Body.name, Term.position)
    ).all()
    return _csv(
        ["body", "position", "alternate", "name", "starts_on", "ends_on", "assembly", "resolution"],
        (
            (
                body,
                t.position,
                "yes" if t.alternate else "no",
                name,
                t.starts_on.isoformat(),
                t.ends_on.isoformat(),
                meets_on.isoformat(),
                number,
            )
            for t, body, name, number, meets_on in rows
        ),
    )


def assemblies_csv(session: Session) -> str:
    """One row per member at each assembly: present, or represented and by whom."""
    holder_member, holder_weaver = aliased(Member), aliased(Weaver)
    rows = session.execute(
        sa.select(Assembly, Weaver.name, holder_weaver.name)
        .join(Attendance, Attendance.assembly_id == Assembly.id)
        .join(Member, Member.id == Attendance.member_id)
        .join(Weaver, Weaver.id == Member.weaver_id)
        .outerjoin(holder_member, holder_member.id == Attendance.represented_by_id)
        .outerjoin(holder_weaver, holder_weaver.id == holder_member.weaver_id)
        .order_by(Assembly.meets_on, Weaver.name)
    ).all()
    return _csv(
        ["meets_on", "kind", "call", "place", "member", "attended", "represented_by"],
        (
            (
                a.meets_on.isoformat(),
                a.kind.value,
                a.call.value,
                a.place,
                name,
                "proxy" if holder else "present",
                holder,
            )
            for a, name, holder in rows
        ),
    )


def attendance_csv(session: Session) -> str:
    """Every training session's register: members by name, guests with their sex and age band."""
    rows = session.execute(
        sa.select(Course, CourseSession, SessionAttendance, Weaver.name)
        .join(CourseSession, CourseSession.course_id == Course.id)
        .join(SessionAttendance, SessionAttendance.session_id == CourseSession.id)
        .outerjoin(Member, Member.id == SessionAttendance.member_id)
        .outerjoin(Weaver, Weaver.id == Member.weaver_id)
        .order_by(CourseSession.held_on, Course.title, SessionAttendance.id)
    ).all()
    return _csv(
        ["course", "topic", "held_on", "community", "language", "name", "member", "sex", "age_band"],
        (
            (
                c.title,
                c.topic.value,
                s.held_on.isoformat(),
                s.community,
                s.language.value,
                name or a.guest_name,
                "yes" if a.member_id else "no",
                a.guest_sex.value if a.guest_sex else "",
                a.guest_age_band.value if a.guest_age_band else "",
            )
            for c, s, a, name in rows
        ),
    )
