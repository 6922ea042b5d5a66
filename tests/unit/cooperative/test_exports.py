"""The CSV exports: members never with their CURP, terms with the assembly that elected them, assemblies with
who was present or represented, and training registers with guests; free text never runs as a formula."""

from __future__ import annotations

import csv
import io
from datetime import date

from factories import make_weaver

from shop.cooperative import bylaws, exports, members, trainings
from shop.cooperative.governance import Election, elect
from shop.cooperative.models import (
    AgeBand,
    Assembly,
    AssemblyKind,
    Attendance,
    Body,
    Caller,
    CompletionRule,
    MemberStatus,
    Resolution,
    SessionLanguage,
    Sex,
    Topic,
)
from shop.cooperative.rules import BodyKind, Bylaws
from shop.cooperative.trainings import Rule


def rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_exports_carry_what_partners_may_read_and_never_a_curp(session):
    bylaws.adopt(session, Bylaws(date(2020, 1, 1), 3, 5_100, True), resolution_id=None, founding=True)
    held = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=date(2026, 3, 14),
        place='=HYPERLINK("x")',
        notice_posted_on=date(2026, 3, 1),
        notice_posted_at="Tablero",
        agenda="Elección",
    )
    session.add(held)
    session.flush()
    rosa = members.register(
        session,
        make_weaver(session, name="Rosa Pérez").id,
        curp="BOXW310820HNERXN09",
        community="Nachij",
        municipio="Zinacantán",
    )
    juana = members.register(
        session, make_weaver(session, name="Juana Díaz").id, curp="", community="Nachij", municipio="Zinacantán"
    )
    for m in (rosa, juana):
        members.change_status(session, m, MemberStatus.active, on=date(2020, 1, 10), act="Acta 1", assembly_id=held.id)
    session.add_all(
        [
            Attendance(assembly_id=held.id, member_id=rosa.id),
            Attendance(assembly_id=held.id, member_id=juana.id, represented_by_id=rosa.id, letter_witnessed=True),
        ]
    )
    resolution = Resolution(assembly_id=held.id, number=1, text="Elección", votes_for=2)
    council = Body(kind=BodyKind.administration, name="Consejo de Administración")
    session.add_all([resolution, council])
    session.flush()
    elect(session, Election(rosa.id, council.id, "presidenta", date(2026, 3, 14), date(2029, 3, 14), resolution.id))
    course = trainings.add_course(session, topic=Topic.vcaw, title="VCAW", rule=Rule(CompletionRule.required))
    day = trainings.add_session(
        session,
        course.id,
        held_on=date(2026, 4, 1),
        place="Nachij",
        community="Nachij",
        facilitator="Rosa",
        language=SessionLanguage.tzo,
        required=True,
    )
    trainings.attend(session, day.id, member_id=juana.id)
    trainings.attend_as_guest(session, day.id, name="Laura Méndez", sex=Sex.woman, age_band=AgeBand.from_18_to_29)
    session.commit()

    register = exports.members_csv(session)
    assert "BOXW310820HNERXN09" not in register and "curp" not in register.lower()
    assert [r["name"] for r in rows(register)] == ["Juana Díaz", "Rosa Pérez"]
    (term,) = rows(exports.terms_csv(session))
    assert (term["name"], term["position"], term["assembly"], term["resolution"]) == (
        "Rosa Pérez",
        "presidenta",
        "2026-03-14",
        "1",
    )
    attended = {r["member"]: r for r in rows(exports.assemblies_csv(session))}
    assert attended["Juana Díaz"]["represented_by"] == "Rosa Pérez" and attended["Rosa Pérez"]["attended"] == "present"
    assert attended["Rosa Pérez"]["place"].startswith("'=")  # never a formula in a spreadsheet
    register = rows(exports.attendance_csv(session))
    assert [(r["name"], r["member"], r["sex"], r["age_band"]) for r in register] == [
        ("Juana Díaz", "yes", "", ""),
        ("Laura Méndez", "no", "woman", "18_29"),
    ]
