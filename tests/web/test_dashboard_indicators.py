"""The indicators' screens: partner staff define an indicator and its target, the values of a quarter are
entered cell by cell with every change on record, an approved or closed quarter refuses changes with its reason,
and only the council opens it again."""

from __future__ import annotations

import sqlalchemy as sa
from factories import fresh
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.clock import local_today
from shop.indicators.models import Indicator, IndicatorValue, LockException, ValueChange
from shop.indicators.periods import Quarter

NOW = Quarter.of(local_today())
BEFORE = NOW.previous()
DEFINITION = {
    "code": "mob-1",
    "name_es": "Participantes en talleres",
    "name_en": "Workshop participants",
    "pillar": "mobilization",
    "kind": "output",
    "measure": "count",
    "by_sex": "1",
    "baseline_value": "40",
    "baseline_year": "2025",
}


def define(browser, **changes) -> int:
    answer = post(browser, "/taller/indicadores", {**DEFINITION, **changes}, form_page="/taller/indicadores")
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def cells(page, community, woman, man, other="0", note=""):
    return {
        "period": page.split("=")[-1] if "=" in page else NOW.key,
        "community": community,
        "cell": ["woman|", "man|", "other|"],
        "value": [woman, man, other],
        "note": note,
    }


def test_partner_staff_define_set_a_target_and_enter_values_with_their_history(app, session, settings):
    person(session, "lucia", Role.partner_staff, name="Lucía Gómez")
    browser = signed_in(app, "lucia")
    refused = post(browser, "/taller/indicadores", {**DEFINITION, "code": ""}, form_page="/taller/indicadores")
    assert refused.status_code == 422 and "Escriba el código del indicador." in refused.text
    no_pillar = post(browser, "/taller/indicadores", {**DEFINITION, "pillar": "x"}, form_page="/taller/indicadores")
    assert no_pillar.status_code == 422 and "Elija una opción." in no_pillar.text
    indicator_id = define(browser)
    page = f"/taller/indicadores/{indicator_id}"
    assert post(browser, f"{page}/metas", {"period": NOW.key, "target": "30"}, form_page=page).status_code == 303
    saved = post(browser, f"{page}/valores", cells(page, "Nachij", "18", "4"), form_page=page)
    assert saved.status_code == 303
    again = post(browser, f"{page}/valores", cells(page, "Nachij", "19", "4", note="Faltaba una"), form_page=page)
    assert again.status_code == 303
    bad = post(browser, f"{page}/valores", cells(page, "Nachij", "dos", "4"), form_page=page)
    assert bad.status_code == 422 and "número entero" in bad.text
    shown = browser.get(f"{page}?trimestre={NOW.key}").text
    assert "Faltaba una" in shown and "Lucía Gómez" in shown
    listing = browser.get(f"/taller/indicadores?trimestre={NOW.key}").text
    assert "MOB-1" in listing and "23" in listing and "30" in listing
    fresh(session)
    indicator = session.get(Indicator, indicator_id)
    assert (indicator.code, indicator.weight, indicator.baseline_value) == ("MOB-1", 1, 40)
    total = session.scalar(
        sa.select(IndicatorValue.value).where(IndicatorValue.indicator_id == indicator_id, IndicatorValue.sex == "")
    )
    assert total == 23
    assert session.scalar(sa.select(sa.func.count()).select_from(ValueChange)) == 6  # 4 cells, then 2 changed
    rows = browser.get("/taller/panel/tablas/valores.csv").text.splitlines()
    assert f"MOB-1,Participantes en talleres,{NOW.key},Nachij,woman,all,19,,,Lucía Gómez," in "\n".join(rows)


def test_a_locked_quarter_refuses_with_its_reason_until_the_council_opens_it(app, session, settings):
    settings.indicator_entry_days = 0  # the last quarter's window closed when it ended
    person(session, "lucia", Role.partner_staff, name="Lucía Gómez")
    person(session, "carmen", Role.council, name="Carmen López")
    lucia = signed_in(app, "lucia")
    indicator_id = define(lucia)
    page = f"/taller/indicadores/{indicator_id}?trimestre={BEFORE.key}"
    closed = post(lucia, f"/taller/indicadores/{indicator_id}/valores", cells(page, "Nachij", "5", "1"), form_page=page)
    assert closed.status_code == 422 and "ya cerró el plazo para capturar el trimestre" in closed.text
    quarters = f"/taller/indicadores/trimestres/{BEFORE.key}"
    approved = post(lucia, f"{quarters}/aprobar", {"community": "Nachij"}, form_page=quarters)
    assert approved.status_code == 303
    twice = post(lucia, f"{quarters}/aprobar", {"community": "Nachij"}, form_page=quarters)
    assert twice.status_code == 422 and "ya está aprobado" in twice.text
    not_yet = post(
        lucia, f"/taller/indicadores/trimestres/{NOW.key}/aprobar", {"community": "Nachij"}, form_page=quarters
    )
    assert not_yet.status_code == 422 and "cuando haya terminado" in not_yet.text
    current = lucia.get(f"/taller/indicadores/trimestres/{NOW.key}").text
    assert "Se puede aprobar a partir del" in current and "/aprobar" not in current  # no button that would refuse
    assert "/aprobar" in lucia.get(quarters).text
    exception = {"community": "Nachij", "until": local_today().isoformat(), "reason": "Corrección de la lista"}
    assert post(lucia, f"{quarters}/excepcion", exception, form_page=quarters).status_code == 403
    carmen = signed_in(app, "carmen")
    no_reason = post(carmen, f"{quarters}/excepcion", {**exception, "reason": ""}, form_page=quarters)
    assert no_reason.status_code == 422 and "por qué" in no_reason.text
    assert post(carmen, f"{quarters}/excepcion", exception, form_page=quarters).status_code == 303
    assert "Corrección de la lista" in carmen.get(quarters).text
    reopened = post(
        lucia, f"/taller/indicadores/{indicator_id}/valores", cells(page, "Nachij", "5", "1"), form_page=page
    )
    assert reopened.status_code == 303
    fresh(session)
    assert session.scalar(sa.select(LockException.by_name)) == "Carmen López"
    assert (
        post(carmen, "/taller/indicadores", {**DEFINITION, "code": "GE-1"}, form_page="/taller/indicadores").status_code
        == 403
    )


def test_a_percentage_is_entered_as_how_many_of_how_many(app, session):
    person(session, "lucia", Role.partner_staff)
    browser = signed_in(app, "lucia")
    indicator_id = define(browser, code="GE-1", measure="percentage", by_sex="", baseline_value="35.5")
    page = f"/taller/indicadores/{indicator_id}"
    data = {"period": NOW.key, "community": "", "cell": ["|"], "numerator": ["12"], "denominator": ["30"]}
    assert post(browser, f"{page}/valores", data, form_page=page).status_code == 303
    wrong = post(browser, f"{page}/valores", {**data, "numerator": ["31"]}, form_page=page)
    assert wrong.status_code == 422 and "cuántas de cuántas" in wrong.text
    assert "40%" in browser.get(f"/taller/indicadores?trimestre={NOW.key}").text
    fresh(session)
    assert session.get(Indicator, indicator_id).baseline_value == 3550
    assert browser.get("/taller/indicadores?trimestre=2026-Q9").status_code == 404


def test_pillars_are_listed_in_the_partners_order(app, session):
    person(session, "lucia", Role.partner_staff)
    browser = signed_in(app, "lucia")
    define(browser, code="GOV-1", pillar="government_alliances", by_sex="")
    define(browser, code="GE-1", pillar="gender_equality", by_sex="")
    define(browser, code="MOB-1", by_sex="")
    for page in ("/taller/indicadores", "/taller/panel/pilares"):
        html = browser.get(page).text
        places = [
            html.find(f"<h2>{name}</h2>") for name in ("Movilización", "Igualdad de género", "Alianzas con el gobierno")
        ]
        assert -1 < places[0] < places[1] < places[2], page


def test_a_derived_value_kept_at_approval_says_so_in_the_readers_language(app, session):
    person(session, "lucia", Role.partner_staff)
    lucia = signed_in(app, "lucia")
    indicator_id = define(lucia, code="inc-1", by_sex="", source="ledger.gross_sales", measure="money")
    quarters = f"/taller/indicadores/trimestres/{BEFORE.key}"
    assert post(lucia, f"{quarters}/aprobar", {"community": ""}, form_page=quarters).status_code == 303
    history = lucia.get(f"/taller/indicadores/{indicator_id}?trimestre={BEFORE.key}").text
    assert "se conservó como estaba al aprobar el trimestre" in history
