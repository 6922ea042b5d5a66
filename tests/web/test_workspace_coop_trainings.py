"""Trainings on screen: a course with its completion rule, sessions with their language, the register of
members and guests; completion computed from the rule; the attendance and completion certificates, which a
member may print for herself only."""

from __future__ import annotations

import sqlalchemy as sa
from factories import fresh
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.cooperative.models import Course, CourseSession, SessionAttendance


def council(app, session):
    person(session, "carmen", Role.council, name="Carmen López")
    return signed_in(app, "carmen")


def test_a_course_is_completed_by_its_rule_and_each_certificate_prints(app, session, coop):
    browser = council(app, session)
    courses = "/taller/cooperativa/cursos"
    refused = post(browser, courses, {"topic": "vcaw", "title": "VCAW", "rule": "share"}, form_page=courses)
    assert refused.status_code == 422 and "Escriba la parte de las sesiones" in refused.text
    added = post(
        browser,
        courses,
        {"topic": "vcaw", "title": "VCAW en bats'i k'op", "rule": "share", "min_share": "50"},
        form_page=courses,
    )
    assert added.status_code == 303
    course_page = added.headers["location"]
    sessions = []
    for day in ("2026-04-01", "2026-04-08"):
        made = post(
            browser,
            f"{course_page}/sesiones",
            {"held_on": day, "place": "Casa", "community": "Nachij", "facilitator": "Xunka'", "language": "tzo"},
            form_page=course_page,
        )
        assert made.status_code == 303
        sessions.append(made.headers["location"])
    no_language = post(
        browser,
        f"{course_page}/sesiones",
        {"held_on": "2026-04-15", "place": "Casa", "community": "Nachij", "facilitator": "X"},
        form_page=course_page,
    )
    assert no_language.status_code == 422 and "Elija el idioma de la sesión." in no_language.text
    rosa, pascuala = coop.members[:2]
    first = sessions[0]
    assert post(browser, f"{first}/socias", {"member": [rosa.id, pascuala.id]}, form_page=first).status_code == 303
    twice = post(browser, f"{first}/socias", {"member": [rosa.id]}, form_page=first)
    assert twice.status_code == 422
    guest = post(
        browser, f"{first}/invitadas", {"guest_name": "Pedro Pérez", "sex": "man", "age_band": "18_29"}, form_page=first
    )
    assert guest.status_code == 303
    no_age = post(browser, f"{first}/invitadas", {"guest_name": "Ana", "sex": "woman"}, form_page=first)
    assert no_age.status_code == 422 and "Elija la edad de la persona invitada." in no_age.text
    register = browser.get(first).text
    assert "Pedro Pérez" in register and "hombre" in register and "de 18 a 29" in register
    page = browser.get(course_page).text
    assert "Rosa Pérez" in page and "Terminado" in page
    fresh(session)
    course = session.scalar(sa.select(Course))
    certificate = f"/taller/constancias/curso/{course.id}/socia/{rosa.id}"
    assert certificate in page
    diploma = browser.get(certificate).text
    assert "Constancia de terminación" in diploma and "Rosa Pérez" in diploma and "Biil" in diploma
    assert "con asistencia a 1 de sus 2 sesiones" in diploma
    attended = session.scalar(sa.select(SessionAttendance).where(SessionAttendance.guest_name == "Pedro Pérez"))
    guest_paper = browser.get(f"/taller/constancias/asistencia/{attended.id}").text
    assert (
        "Constancia de asistencia" in guest_paper and "Pedro Pérez" in guest_paper and "<dd>tsotsil</dd>" in guest_paper
    )
    # Completion needs half the sessions: a member with none has no certificate.
    absent = coop.members[2]
    assert browser.get(f"/taller/constancias/curso/{course.id}/socia/{absent.id}").status_code == 404


def test_a_member_prints_her_own_certificate_and_no_one_elses(app, session, coop):
    from datetime import date

    from shop.cooperative import trainings
    from shop.cooperative.models import CompletionRule, SessionLanguage, Topic
    from shop.cooperative.trainings import Rule

    course = trainings.add_course(
        session, topic=Topic.computer_skills, title="Computación básica", rule=Rule(CompletionRule.sessions, 1)
    )
    held = trainings.add_session(
        session,
        course.id,
        held_on=date(2026, 2, 1),
        place="Casa",
        community="Nachij",
        facilitator="Ana",
        language=SessionLanguage.es,
    )
    rosa, pascuala = coop.members[:2]
    mine = trainings.attend(session, held.id, member_id=rosa.id)
    hers = trainings.attend(session, held.id, member_id=pascuala.id)
    session.commit()
    person(session, "rosa", Role.member, weaver=rosa.weaver_id, name="Rosa Pérez")
    browser = signed_in(app, "rosa")
    own = f"/taller/constancias/curso/{course.id}/socia/{rosa.id}"
    assert own in browser.get("/taller/mi-cooperativa").text
    assert browser.get(own).status_code == 200
    assert browser.get(f"/taller/constancias/asistencia/{mine.id}").status_code == 200
    other = browser.get(f"/taller/constancias/curso/{course.id}/socia/{pascuala.id}")
    assert other.status_code == 403 and "Solo puede imprimir sus propias constancias." in other.text
    assert browser.get(f"/taller/constancias/asistencia/{hers.id}").status_code == 403
    assert browser.get("/taller/cooperativa/cursos").status_code == 403
    person(session, "tere", Role.treasurer)
    assert signed_in(app, "tere").get(own).status_code == 403
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    assert reader.get(own).status_code == 200
    assert 'method="post"' not in reader.get(f"/taller/cooperativa/cursos/{course.id}").text.split("<main", 1)[1]
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(CourseSession)) == 1
