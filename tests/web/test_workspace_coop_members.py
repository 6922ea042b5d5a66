"""The register, the bylaws and the bodies on screen: the council and the admin edit them; partner staff read
them without CURPs or forms; every refusal says why, in Spanish, and stores nothing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from factories import fresh, make_weaver
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.cooperative.models import BylawsVersion, Member, MemberStatusChange, Resolution, Term

CURP = "BOXW310820HNERXN09"


def council(app, session):
    person(session, "carmen", Role.council, name="Carmen López")
    return signed_in(app, "carmen")


def test_the_council_adds_a_member_who_starts_as_an_applicant(app, session, coop):
    weaver = make_weaver(session, name="Sebastiana Collazo")
    session.commit()
    browser = council(app, session)
    form = "/taller/cooperativa/socias"
    answer = post(
        browser,
        form,
        {
            "weaver_id": weaver.id,
            "curp": CURP.lower(),
            "community": "Apas",
            "municipio": "Zinacantán",
            "thumbprint": "1",
        },
        form_page=form,
    )
    assert answer.status_code == 303
    page = browser.get(answer.headers["location"]).text
    assert "Sebastiana Collazo" in page and CURP in page and "firma con su huella" in page
    assert "aspirante" in page
    fresh(session)
    member = session.scalar(sa.select(Member).where(Member.weaver_id == weaver.id))
    assert member.curp == CURP and member.signs_with_thumbprint
    audited = session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "members")).all()
    assert any(event.actor_name == "Carmen López" for event in audited)


def test_a_wrong_curp_is_refused_beside_its_field_and_nothing_is_stored(app, session, coop):
    weaver = make_weaver(session, name="Sebastiana Collazo")
    session.commit()
    browser = council(app, session)
    form = "/taller/cooperativa/socias"
    answer = post(
        browser,
        form,
        {"weaver_id": weaver.id, "curp": "BOXW310820HNERXN08", "community": "", "municipio": "Zinacantán"},
        form_page=form,
    )
    assert answer.status_code == 422
    assert "CURP" in answer.text and "Escriba su comunidad." in answer.text
    fresh(session)
    assert session.scalar(sa.select(Member).where(Member.weaver_id == weaver.id)) is None


def test_a_status_change_needs_its_act_and_for_an_exclusion_its_assembly(app, session, coop):
    browser = council(app, session)
    rosa = coop.members[0]
    page = f"/taller/cooperativa/socias/{rosa.id}"
    refused = post(browser, f"{page}/estado", {"to": "excluded", "on": "2026-03-01", "act": "Acta 7"}, form_page=page)
    assert refused.status_code == 422 and "Elija la asamblea que lo decidió." in refused.text
    wrong = post(browser, f"{page}/estado", {"to": "applicant", "on": "2026-03-01", "act": "x"}, form_page=page)
    assert wrong.status_code == 422 and "no puede pasar a" in wrong.text
    saved = post(
        browser,
        f"{page}/estado",
        {"to": "withdrawn", "on": "2026-03-01", "act": "Su carta de renuncia"},
        form_page=page,
    )
    assert saved.status_code == 303
    shown = browser.get(page).text
    assert "Su carta de renuncia" in shown and "socia retirada" in shown
    fresh(session)
    changes = session.scalars(sa.select(MemberStatusChange).where(MemberStatusChange.member_id == rosa.id)).all()
    assert [c.status.value for c in changes] == ["active", "withdrawn"]


def test_a_curp_another_member_has_is_refused_when_correcting(app, session, coop):
    browser = council(app, session)
    first, second = coop.members[:2]
    page = f"/taller/cooperativa/socias/{first.id}"
    data = {"curp": CURP, "community": "Nachij", "municipio": "Zinacantán"}
    assert post(browser, f"{page}/datos", data, form_page=page).status_code == 303
    other = f"/taller/cooperativa/socias/{second.id}"
    again = post(browser, f"{other}/datos", data, form_page=other)
    assert again.status_code == 422 and "Otra socia tiene esta CURP." in again.text


def test_partner_staff_read_a_member_without_her_curp_or_any_form(app, session, coop):
    rosa = coop.members[0]
    session.get(Member, rosa.id).curp = CURP
    session.commit()
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    for path in (f"/taller/cooperativa/socias/{rosa.id}", "/taller/cooperativa/socias"):
        page = reader.get(path)
        assert page.status_code == 200 and "Rosa Pérez" in page.text
        assert CURP not in page.text and 'method="post"' not in page.text.split("<main", 1)[1]
    assert reader.get("/taller/cooperativa/socias/999999").status_code == 404


def test_a_bylaws_change_needs_its_resolution_and_takes_effect_on_its_date(app, session, coop):
    browser = council(app, session)
    form = "/taller/cooperativa/estatutos"
    values = {"effective_from": "2026-07-01", "term_years": "4", "quorum": "60", "weavers_share": "82.5"}
    refused = post(browser, form, values, form_page=form)
    assert refused.status_code == 422 and "necesita la resolución de asamblea" in refused.text
    too_long = post(browser, form, {**values, "term_years": "6"}, form_page=form)
    assert too_long.status_code == 422 and "de 1 a 5 años" in too_long.text
    resolution = Resolution(assembly_id=coop.founding.id, number=2, text="Reforma de las bases", votes_for=12)
    session.add(resolution)
    session.commit()
    saved = post(
        browser,
        form,
        {**values, "resolution_id": resolution.id, "payout_minimum": "250", "extra_positions": "Tesorera\nVocal 2"},
        form_page=form,
    )
    assert saved.status_code == 303
    page = browser.get(form).text
    assert "82.5%" in page and "acuerdo 2" in page and "tesorera, vocal 2" in page
    # The next change starts from the version in force.
    assert (
        'name="weavers_share" type="text" value="82.5"' in page
        and 'name="payout_minimum" type="text" value="250.00"' in page
    )
    fresh(session)
    version = session.scalar(sa.select(BylawsVersion).where(BylawsVersion.effective_from == date(2026, 7, 1)))
    assert (version.weavers_bp, version.payout_minimum, version.term_years) == (8_250, 25_000, 4)


def test_a_re_election_is_refused_without_two_thirds_then_accepted_with_them(app, session, coop):
    browser = council(app, session)
    rosa = coop.members[0]
    first = Resolution(assembly_id=coop.founding.id, number=2, text="Elección del consejo", votes_for=12)
    session.add(first)
    session.flush()
    session.add(
        Term(
            member_id=rosa.id,
            body_id=coop.administration.id,
            position="presidenta",
            starts_on=date(2020, 2, 1),
            ends_on=date(2023, 2, 1),
            resolution_id=first.id,
        )
    )
    from shop.cooperative.models import Assembly, AssemblyKind, Attendance, Caller

    later = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=date(2023, 1, 20),
        place="Casa",
        notice_posted_on=date(2023, 1, 5),
        notice_posted_at="Tablero",
        agenda="Elección",
    )
    session.add(later)
    session.flush()
    session.add_all(Attendance(assembly_id=later.id, member_id=m.id) for m in coop.members[:9])
    narrow = Resolution(assembly_id=later.id, number=1, text="Reelección de Rosa", votes_for=5, votes_against=4)
    wide = Resolution(assembly_id=later.id, number=2, text="Reelección de Rosa, votada", votes_for=6)
    session.add_all([narrow, wide])
    session.commit()
    form = "/taller/cooperativa/organos"
    slate = {
        "starts_on": "2023-02-01",
        "ends_on": "2026-02-01",
        "member_id": [str(rosa.id)],
        "body_id": [str(coop.administration.id)],
        "position": ["presidenta"],
        "alternate": ["0"],
    }
    refused = post(browser, f"{form}/eleccion", {**slate, "resolution_id": narrow.id}, form_page=form)
    assert refused.status_code == 422
    assert "Para Rosa Pérez: Es una reelección" in refused.text and "(LGSC art. 42)" in refused.text
    accepted = post(browser, f"{form}/eleccion", {**slate, "resolution_id": wide.id}, form_page=form)
    assert accepted.status_code == 303
    on_day = browser.get(f"{form}?dia=2024-05-01").text
    assert "Rosa Pérez" in on_day and "Presidenta" in on_day
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Term).where(Term.member_id == rosa.id)) == 2


def test_an_even_consejo_de_vigilancia_and_a_longer_term_are_refused(app, session, coop):
    browser = council(app, session)
    elected = Resolution(assembly_id=coop.founding.id, number=3, text="Elección", votes_for=12)
    session.add(elected)
    session.commit()
    form = "/taller/cooperativa/organos"
    two = {
        "resolution_id": elected.id,
        "starts_on": "2020-02-01",
        "ends_on": "2023-02-01",
        "member_id": [str(m.id) for m in coop.members[2:6]],
        "body_id": [str(coop.vigilance.id)] * 4,
        "position": ["presidenta", "presidenta", "secretaria", "secretaria"],
        "alternate": ["0", "1", "0", "1"],
    }
    even = post(browser, f"{form}/eleccion", two, form_page=form)
    assert even.status_code == 422 and "número impar" in even.text
    longer = post(
        browser,
        f"{form}/eleccion",
        {**two, "ends_on": "2024-02-01", "member_id": two["member_id"][:1], "body_id": two["body_id"][:1]},
        form_page=form,
    )
    assert longer.status_code == 422 and "3 años" in longer.text
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Term)) == 0


def test_the_council_adds_a_commission_but_not_a_second_consejo(app, session, coop):
    browser = council(app, session)
    form = "/taller/cooperativa/organos"
    assert (
        post(browser, form, {"kind": "commission", "name": "Comisión de educación"}, form_page=form).status_code == 303
    )
    again = post(browser, form, {"kind": "administration", "name": "Otro consejo"}, form_page=form)
    assert again.status_code == 422 and "ya tiene este órgano" in again.text
    assert "Comisión de educación" in browser.get(form).text
    assert browser.get(f"{form}?dia=ayer").status_code == 422


def test_no_page_of_the_records_ever_shows_partner_staff_a_curp(app, session, coop):
    """Every GET route of the records and the certificates, each with real ids, read by partner staff."""
    import re
    from datetime import date as day

    from route_table import routes

    from shop.cooperative import trainings
    from shop.cooperative.models import CompletionRule, MinutesPage, SessionLanguage, Topic
    from shop.cooperative.trainings import Rule

    rosa = coop.members[0]
    session.get(Member, rosa.id).curp = CURP
    course = trainings.add_course(session, topic=Topic.other, title="Curso", rule=Rule(CompletionRule.sessions, 1))
    held = trainings.add_session(
        session,
        course.id,
        held_on=day(2026, 1, 5),
        place="Casa",
        community="Nachij",
        facilitator="Ana",
        language=SessionLanguage.es,
    )
    came = trainings.attend(session, held.id, member_id=rosa.id)
    page = MinutesPage(assembly_id=coop.founding.id, page=1, stored_name="minutes-1-x.jpg", size_bytes=10)
    session.add(page)
    session.commit()
    ids = {
        "member_id": rosa.id,
        "assembly_id": coop.founding.id,
        "course_id": course.id,
        "session_id": held.id,
        "attendance_id": came.id,
        "page_id": page.id,
        "name": "socias",
    }
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    read = 0
    for method, path, _route in routes(app):
        if method != "GET" or not path.startswith(("/taller/cooperativa", "/taller/constancias")):
            continue
        answer = reader.get(re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path))
        if path.endswith("/paginas/{page_id}"):
            assert answer.status_code == 403, path  # scanned minutes: the council and the admin only
            continue
        assert answer.status_code == 200, path
        assert CURP not in answer.text, path
        read += 1
    assert read >= 15
