"""Assemblies on screen: a notice given too late is refused with its dates; attendance with proxies gives the
quorum; resolutions need it; the minutes are kept as text and as private scanned pages; the notice, the
attendance list and the minutes print."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from factories import fresh, photo_bytes
from workspace_helpers import csrf_of, person, post, signed_in

from shop.accounts.models import Role
from shop.cooperative.models import Assembly, Attendance, MinutesPage, Resolution

NOTICE = {
    "kind": "extraordinary",
    "called_by": "vigilance",
    "call": "first",
    "place": "Casa de la cooperativa, Nachij",
    "posted_at": "Tablero de la casa",
    "agenda": "Informe del consejo\nElección de la comisión de educación",
}


def council(app, session):
    person(session, "carmen", Role.council, name="Carmen López")
    return signed_in(app, "carmen")


def called(session, coop, meets_on=date(2026, 3, 14)) -> Assembly:
    assembly = Assembly(
        kind="extraordinary",
        called_by="vigilance",
        meets_on=meets_on,
        place="Casa de la cooperativa, Nachij",
        notice_posted_on=date(2026, 3, 1),
        notice_posted_at="Tablero",
        agenda="Informe\nElección",
    )
    session.add(assembly)
    session.commit()
    return assembly


def test_a_notice_given_too_late_is_refused_with_its_dates(app, session, coop):
    browser = council(app, session)
    form = "/taller/cooperativa/asambleas"
    late = post(browser, form, {**NOTICE, "meets_on": "2026-03-06", "posted_on": "2026-03-01"}, form_page=form)
    assert late.status_code == 422
    assert "2026-03-01" in late.text and "2026-03-06" in late.text and "7" in late.text
    ordinary = post(
        browser,
        form,
        {**NOTICE, "kind": "ordinary", "meets_on": "2026-03-14", "posted_on": "2026-03-01"},
        form_page=form,
    )
    assert ordinary.status_code == 422 and "la convoca el Consejo de Administración" in ordinary.text
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Assembly)) == 1  # the fixture's
    saved = post(browser, form, {**NOTICE, "meets_on": "2026-03-14", "posted_on": "2026-03-01"}, form_page=form)
    assert saved.status_code == 303
    page = browser.get(saved.headers["location"]).text
    assert "el Consejo de Vigilancia" in page and "extraordinaria" in page


def test_attendance_with_a_proxy_gives_the_quorum_and_a_resolution_needs_it(app, session, coop):
    assembly = called(session, coop)
    browser = council(app, session)
    page = f"/taller/cooperativa/asambleas/{assembly.id}"
    people = [m.id for m in coop.members]
    rows = {"member": [str(m) for m in people], "how": [""] * len(people), "witnessed": []}
    # Five present: no quorum (51% of 12 is 7); a resolution is refused.
    rows["how"][:5] = ["present"] * 5
    few = post(browser, f"{page}/asistencia", rows, form_page=page)
    assert few.status_code == 303
    shown = browser.get(page).text
    assert "5 de 12 socias activas presentes o representadas; se necesitan 7." in shown and "No hay quórum." in shown
    refused = post(browser, f"{page}/acuerdos", {"text": "Aprobar el informe", "votes_for": "5"}, form_page=page)
    assert refused.status_code == 422 and "no tuvo quórum" in refused.text
    # The first present member holds proxies for two absent ones; without the letter, refused.
    rows["how"][5:7] = [str(people[0]), str(people[0])]
    no_letter = post(browser, f"{page}/asistencia", rows, form_page=page)
    assert no_letter.status_code == 422 and "ante dos testigos" in no_letter.text
    rows["witnessed"] = [str(people[5]), str(people[6])]
    three = dict(
        rows, how=[*rows["how"][:7], str(people[0]), *rows["how"][8:]], witnessed=[*rows["witnessed"], str(people[7])]
    )
    too_many = post(browser, f"{page}/asistencia", three, form_page=page)
    assert too_many.status_code == 422 and "como máximo a otras 2" in too_many.text
    ok = post(browser, f"{page}/asistencia", rows, form_page=page)
    assert ok.status_code == 303
    shown = browser.get(page).text
    assert "7 de 12 socias activas" in shown and "Hay quórum." in shown
    fresh(session)
    proxies = session.scalars(
        sa.select(Attendance).where(Attendance.assembly_id == assembly.id, Attendance.represented_by_id.is_not(None))
    ).all()
    assert {(a.member_id, a.represented_by_id) for a in proxies} == {(people[5], people[0]), (people[6], people[0])}
    too_many_votes = post(browser, f"{page}/acuerdos", {"text": "Aprobar", "votes_for": "8"}, form_page=page)
    assert too_many_votes.status_code == 422
    made = post(
        browser,
        f"{page}/acuerdos",
        {"text": "Aprobar el informe", "votes_for": "6", "votes_against": "1", "votes_abstaining": ""},
        form_page=page,
    )
    assert made.status_code == 303
    fresh(session)
    resolution = session.scalar(sa.select(Resolution).where(Resolution.assembly_id == assembly.id))
    assert (resolution.number, resolution.votes_for, resolution.votes_against) == (1, 6, 1)


def test_proxies_are_refused_when_the_bylaws_do_not_allow_them(app, session, coop):
    from shop.cooperative import bylaws
    from shop.cooperative.rules import Bylaws

    bylaws.adopt(session, Bylaws(date(2025, 1, 1), 3, 5_100, False), resolution_id=None, founding=True)
    session.commit()
    assembly = called(session, coop)
    browser = council(app, session)
    page = f"/taller/cooperativa/asambleas/{assembly.id}"
    assert "no permiten cartas poder" in browser.get(page).text
    a, b = coop.members[:2]
    answer = post(
        browser,
        f"{page}/asistencia",
        {"member": [a.id, b.id], "how": ["present", str(a.id)], "witnessed": [b.id]},
        form_page=page,
    )
    assert answer.status_code == 422 and "no permiten cartas poder" in answer.text


def test_the_minutes_are_kept_as_text_and_private_scanned_pages(app, session, coop, settings):
    assembly = called(session, coop)
    browser = council(app, session)
    page = f"/taller/cooperativa/asambleas/{assembly.id}"
    assert (
        post(browser, f"{page}/acta", {"minutes": "Se abrió la sesión a las 10:00."}, form_page=page).status_code == 303
    )
    token = csrf_of(browser.get(page).text)
    upload = browser.post(
        f"{page}/paginas",
        data={"csrf_token": token},
        files={"page": ("acta.jpg", photo_bytes(1200, 1600), "image/jpeg")},
        follow_redirects=False,
    )
    assert upload.status_code == 303
    broken = browser.post(
        f"{page}/paginas",
        data={"csrf_token": token},
        files={"page": ("acta.jpg", b"not a photo", "image/jpeg")},
        follow_redirects=False,
    )
    assert broken.status_code == 422
    fresh(session)
    stored = session.scalars(sa.select(MinutesPage).where(MinutesPage.assembly_id == assembly.id)).all()
    assert [p.page for p in stored] == [1]
    picture = browser.get(f"{page}/paginas/{stored[0].id}")
    assert picture.status_code == 200 and picture.content[:2] == b"\xff\xd8"
    assert picture.headers["cache-control"] == "no-store"
    assert browser.get(f"/taller/cooperativa/asambleas/{assembly.id + 1}/paginas/{stored[0].id}").status_code == 404
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    seen = reader.get(page).text
    assert "Se abrió la sesión" in seen and "1 página escaneada, guardada en privado." in seen
    assert f"/paginas/{stored[0].id}" not in seen
    assert reader.get(f"{page}/paginas/{stored[0].id}").status_code == 403


def test_the_notice_the_attendance_list_and_the_minutes_print(app, session, coop):
    assembly = called(session, coop)
    a, b = coop.members[:2]
    session.add_all(
        [
            Attendance(assembly_id=assembly.id, member_id=a.id),
            Attendance(assembly_id=assembly.id, member_id=b.id, represented_by_id=a.id, letter_witnessed=True),
        ]
    )
    from shop.cooperative.models import Member

    session.get(Member, b.id).signs_with_thumbprint = True
    session.add(Resolution(assembly_id=assembly.id, number=1, text="Aprobar el informe", votes_for=2))
    session.commit()
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    base = f"/taller/cooperativa/asambleas/{assembly.id}/imprimir"
    notice = reader.get(f"{base}/aviso").text
    assert "Convocatoria a asamblea general" in notice and "El Consejo de Vigilancia convoca" in notice
    assert "<li>Informe</li>" in notice and "<li>Elección</li>" in notice and "sábado, 14 de marzo de 2026" in notice
    roll = reader.get(f"{base}/lista").text
    assert roll.count('class="sign') >= 12 and "Pascuala Gómez" in roll and 'class="sign thumb"' in roll
    assert "Socias activas ese día: 12." in roll
    minutes = reader.get(f"{base}/acta").text
    assert "Acta de asamblea general" in minutes and "Aprobar el informe" in minutes
    assert "A favor: 2 · en contra: 0 · abstenciones: 0" in minutes
    assert "Pascuala Gómez (representada por Rosa Pérez)" in minutes
    assert reader.get("/taller/cooperativa/asambleas/999999/imprimir/acta").status_code == 404


def test_the_assemblies_page_warns_when_no_ordinary_assembly_met_in_a_year(app, session, coop):
    browser = council(app, session)
    page = browser.get("/taller/cooperativa/asambleas").text
    assert "La última asamblea ordinaria se celebró el 20 ene 2020, hace más de un año" in page
    from shop.clock import local_today

    session.add(
        Assembly(
            kind="ordinary",
            called_by="administration",
            meets_on=local_today(),
            place="Casa",
            notice_posted_on=date(2020, 1, 1),
            notice_posted_at="Tablero",
            agenda="Informe anual",
        )
    )
    session.commit()
    assert "hace más de un año" not in browser.get("/taller/cooperativa/asambleas").text
