"""The cooperative's records in the workspace: the council and partner staff read today's bodies, the bylaws in
force, the register and the CSV exports; partner staff never see a CURP; members and the treasurer alone are
refused."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_weaver
from workspace_helpers import person, signed_in

from shop.accounts.models import Role
from shop.clock import local_today
from shop.cooperative import bylaws, members
from shop.cooperative.governance import Election, elect
from shop.cooperative.models import Assembly, AssemblyKind, Body, Caller, MemberStatus, Resolution
from shop.cooperative.rules import BodyKind, Bylaws

CURP = "BOXW310820HNERXN09"


@pytest.fixture
def records(session):
    bylaws.adopt(session, Bylaws(date(2020, 1, 1), 3, 5_100, True, weavers_bp=8_000), resolution_id=None, founding=True)
    held = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=local_today(),
        place="Casa de la cooperativa",
        notice_posted_on=date(2020, 1, 1),
        notice_posted_at="Tablero",
        agenda="Elección",
    )
    session.add(held)
    session.flush()
    rosa = members.register(
        session, make_weaver(session, name="Rosa Pérez").id, curp=CURP, community="Nachij", municipio="Zinacantán"
    )
    members.change_status(session, rosa, MemberStatus.active, on=date(2020, 1, 10), act="Acta 1", assembly_id=held.id)
    elected = Resolution(assembly_id=held.id, number=1, text="Elección", votes_for=1)
    council = Body(kind=BodyKind.administration, name="Consejo de Administración")
    session.add_all([elected, council])
    session.flush()
    today = local_today()
    elect(session, Election(rosa.id, council.id, "presidenta", today, today.replace(year=today.year + 3), elected.id))
    session.commit()
    return rosa


def test_partner_staff_read_the_records_but_never_a_curp(app, session, records):
    person(session, "lucia", Role.partner_staff, name="Lucía (organización aliada)")
    reader = signed_in(app, "lucia")
    assert "/taller/cooperativa" in reader.get("/taller/inicio").text
    overview = reader.get("/taller/cooperativa").text
    assert "Consejo de Administración" in overview and "Rosa Pérez" in overview and "80%" in overview
    register = reader.get("/taller/cooperativa/socias").text
    assert "Rosa Pérez" in register and CURP not in register
    for name in ("socias", "cargos", "asambleas", "asistencia"):
        answer = reader.get(f"/taller/cooperativa/exportar/{name}.csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert CURP not in answer.text
    assert reader.get("/taller/cooperativa/exportar/otra.csv").status_code == 404


def test_the_council_sees_the_curp(app, session, records):
    person(session, "carmen", Role.council, name="Carmen López")
    assert CURP in signed_in(app, "carmen").get("/taller/cooperativa/socias").text


def test_members_and_the_treasurer_are_refused(app, session, records):
    person(session, "maria", Role.member, weaver=records.weaver_id)
    person(session, "tere", Role.treasurer)
    for username in ("maria", "tere"):
        browser = signed_in(app, username)
        for path in ("/taller/cooperativa", "/taller/cooperativa/socias", "/taller/cooperativa/exportar/socias.csv"):
            assert browser.get(path).status_code == 403, (username, path)


def test_a_member_sees_her_own_record_her_trainings_and_the_assemblies_to_come(app, session, records):
    from shop.cooperative import trainings
    from shop.cooperative.models import CompletionRule, SessionLanguage, Topic
    from shop.cooperative.trainings import Rule

    course = trainings.add_course(
        session, topic=Topic.computer_skills, title="Computación básica", rule=Rule(CompletionRule.sessions, 1)
    )
    lesson = trainings.add_session(
        session,
        course.id,
        held_on=date(2026, 2, 1),
        place="Casa",
        community="Nachij",
        facilitator="Ana",
        language=SessionLanguage.es,
    )
    trainings.attend(session, lesson.id, member_id=records.id)
    session.commit()
    person(session, "rosa", Role.member, weaver=records.weaver_id, name="Rosa Pérez")
    rosa = signed_in(app, "rosa")
    assert "/taller/mi-cooperativa" in rosa.get("/taller/inicio").text
    page = rosa.get("/taller/mi-cooperativa").text
    assert "Computación básica" in page and "Casa de la cooperativa" in page and CURP not in page
    assert "Terminado" in page and "1 sesión" in page
    person(session, "juana", Role.member, weaver=make_weaver(session), name="Juana")
    assert signed_in(app, "juana").get("/taller/mi-cooperativa").status_code == 404
