"""What audits find, in the council's screens: non-conformities with their actions, closed only with evidence
and a word on whether it worked, reopened; an overdue serious one marked wherever it appears; a
self-assessment's plan; internal inspections whose sanction takes the mark off; the fair-price report; and the
alerts on the workspace home 60 and 14 days ahead."""

from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
from certification_records import records  # noqa: F401  (fixture)
from factories import fresh, make_order, sale_for
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person, signed_in

from shop import clock
from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.certification.models import (
    AuditKind,
    CertificationAudit,
    CorrectiveAction,
    FairPriceWorksheet,
    ImprovementItem,
    NonConformity,
    PlanState,
    WageBenchmark,
    WeaverSanction,
)
from shop.certification.service import claims_on
from shop.i18n import translator
from shop.ledger.sales import post_sale

ES = translator("es")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TODAY = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 1 June 2026 in Chiapas


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: TODAY)


@pytest.fixture
def council(app, session, records):
    person(session, "carmen", Role.council, name="Carmen López")
    return signed_in(app, "carmen")


@pytest.fixture
def audit(session, records):
    found = CertificationAudit(
        certificate_id=records["certificate"].id, kind=AuditKind.surveillance, held_on=date(2026, 4, 2), auditors="L"
    )
    session.add(found)
    session.commit()
    return found


def shown(text: str, page: str) -> bool:
    return html.escape(text, quote=False) in page


def send(client, path: str, data: dict, *, page: str, files=None):
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**data, "csrf_token": token}, files=files, follow_redirects=False)


def finding(**changes) -> dict:
    return {
        "criterion": "4.2.1 Registro de horas",
        "criterion_type": "core",
        "severity": "major",
        "description": "Faltan las horas de trabajo de tres piezas",
        "deadline": "2026-05-15",
    } | changes


def test_an_overdue_major_finding_is_marked_on_the_audit_the_list_and_the_home(council, session, audit):
    page = f"/taller/certificacion/auditorias/{audit.id}"
    response = send(council, f"{page}/hallazgos", finding(), page=page)
    assert (response.status_code, response.headers["location"]) == (303, f"{page}#hallazgos")
    past = ES.gettext("Past its deadline")
    assert shown(past, council.get(page).text)
    assert shown(past, council.get("/taller/certificacion/hallazgos").text)
    assert shown(past, council.get(f"/taller/certificacion/certificados/{audit.certificate_id}").text)
    home = council.get("/taller/inicio").text
    assert shown(ES.gettext("Non-conformity past its deadline: %(subject)s", subject="4.2.1 Registro de horas"), home)
    send(council, f"{page}/hallazgos", finding(criterion="5.1", severity="minor"), page=page)
    assert council.get(page).text.count('<span class="status late">') == 1  # a minor one is not highlighted


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"criterion": ""}, "Write the criterion of the standard."),
        ({"severity": "grave"}, "Choose how serious it is."),
        ({"deadline": ""}, "Choose the date."),
        ({"description": ""}, "Write what was found."),
    ],
)
def test_a_finding_with_a_mistake_is_refused_and_nothing_is_written(council, session, audit, changes, message):
    page = f"/taller/certificacion/auditorias/{audit.id}"
    response = send(council, f"{page}/hallazgos", finding(**changes), page=page)
    assert response.status_code == 422
    assert shown(ES.gettext(message), response.text)
    fresh(session)
    assert session.scalar(select(func.count()).select_from(NonConformity)) == 0


def test_closing_needs_evidence_and_a_word_on_whether_it_worked_and_reopening_clears_the_date(council, session, audit):
    page = f"/taller/certificacion/auditorias/{audit.id}"
    send(council, f"{page}/hallazgos", finding(deadline="2026-07-01"), page=page)
    fresh(session)
    nc = session.scalars(select(NonConformity)).one()
    action = send(
        council,
        f"/taller/certificacion/hallazgos/{nc.id}/acciones",
        {
            "action_kind": "corrective",
            "action_description": "Cuaderno de horas",
            "owner": "Rosa",
            "action_deadline": "2026-05-20",
        },
        page=page,
    )
    assert action.status_code == 303
    assert shown(
        ES.gettext("Action late: %(subject)s", subject="4.2.1 Registro de horas: Cuaderno de horas"),
        council.get("/taller/inicio").text,
    )
    refused = send(council, f"/taller/certificacion/hallazgos/{nc.id}/cerrar", {"effectiveness": ""}, page=page)
    assert refused.status_code == 422
    assert shown(ES.gettext("Attach the evidence that the action was taken."), refused.text)
    assert shown(ES.gettext("Say whether the action worked."), refused.text)
    fresh(session)
    assert session.get(NonConformity, nc.id).closed_on is None
    closed = send(
        council,
        f"/taller/certificacion/hallazgos/{nc.id}/cerrar",
        {"effectiveness": "Las horas se anotan cada semana"},
        page=page,
        files={"evidence": ("cuaderno.pdf", PDF, "application/pdf")},
    )
    assert closed.status_code == 303
    fresh(session)
    nc = session.get(NonConformity, nc.id)
    assert (nc.closed_on, nc.effectiveness) == (date(2026, 6, 1), "Las horas se anotan cada semana")
    assert council.get(f"/taller/certificacion/archivos/{nc.evidence_path}").content == PDF
    assert send(council, f"/taller/certificacion/hallazgos/{nc.id}/reabrir", {}, page=page).status_code == 303
    fresh(session)
    assert session.get(NonConformity, nc.id).closed_on is None
    done = session.scalars(select(CorrectiveAction)).one()
    assert send(council, f"/taller/certificacion/acciones/{done.id}/hecha", {}, page=page).status_code == 303
    fresh(session)
    assert session.get(CorrectiveAction, done.id).done_on == date(2026, 6, 1)
    changes = session.scalars(select(AuditEvent.entity).where(AuditEvent.actor_name == "Carmen López")).all()
    assert {"non_conformities", "corrective_actions"} <= set(changes)


def test_a_self_assessment_keeps_an_improvement_plan(council, session, records):
    assessment = CertificationAudit(
        certificate_id=records["certificate"].id,
        kind=AuditKind.self_assessment,
        held_on=date(2026, 2, 1),
        auditors="Consejo",
    )
    session.add(assessment)
    session.commit()
    page = f"/taller/certificacion/auditorias/{assessment.id}"
    added = send(
        council, f"{page}/plan", {"item_description": "Talleres de precio justo", "due_on": "2026-05-01"}, page=page
    )
    assert added.status_code == 303
    assert shown(ES.gettext("(late)"), council.get(page).text)  # due before today, still planned
    fresh(session)
    item = session.scalars(select(ImprovementItem)).one()
    assert (
        send(council, f"/taller/certificacion/plan/{item.id}/estado", {"state": "done"}, page=page).status_code == 303
    )
    fresh(session)
    assert session.get(ImprovementItem, item.id).state is PlanState.done
    refused = send(council, f"{page}/plan", {"item_description": "", "due_on": "2026-05-01"}, page=page)
    assert refused.status_code == 422


def test_a_sanction_takes_the_mark_off_her_pieces_until_it_is_lifted(council, session, records):
    page = "/taller/certificacion/inspecciones"
    huipil = records["huipil"].id
    data = {
        "weaver_id": str(records["rosa"].id),
        "held_on": "2026-06-01",
        "inspector": "Carmen López",
        "findings": "Usó tinte sintético sin declararlo",
        "sanction": "Tinte no declarado",
    }
    assert send(council, page, data, page=page).status_code == 303
    assert claims_on(session, [huipil])[huipil] == ()
    fresh(session)
    sanction = session.scalars(select(WeaverSanction)).one()
    assert shown(ES.gettext("Her pieces carry no fair-trade mark."), council.get(page).text)
    lifted = send(
        council, f"/taller/certificacion/sanciones/{sanction.id}/levantar", {"from_day": "2026-06-01"}, page=page
    )
    assert lifted.status_code == 303
    assert "se levanta después" in council.get(page).text  # lifted on its first day: refused
    lifted = send(
        council, f"/taller/certificacion/sanciones/{sanction.id}/levantar", {"from_day": "2026-06-02"}, page=page
    )
    fresh(session)
    assert session.get(WeaverSanction, sanction.id).lifted_on == date(2026, 6, 1)
    refused = send(council, page, data | {"inspector": "", "weaver_id": ""}, page=page)
    assert refused.status_code == 422
    assert shown(ES.gettext("Choose the weaver."), refused.text)


def test_the_report_lists_pieces_below_their_fair_minimum_and_each_weavers_hourly_earnings(council, session, records):
    minimum = session.scalar(select(WageBenchmark.id).where(WageBenchmark.name == "Salario mínimo general 2026"))
    huipil = records["huipil"]
    session.add(FairPriceWorksheet(product_id=huipil.id, benchmark_id=minimum, materials=50_000, minutes=6_000))
    order, (line,) = make_order(session, [(huipil.price_amount, 8000, [(records["rosa"], 10_000)])])
    line.product_id = huipil.id
    post_sale(session, sale_for(session, order, [line], money="cash"))
    session.commit()
    page = council.get("/taller/certificacion/informe").text
    assert huipil.title_es in page  # 100 hours at 39.38 plus 500 of materials is far above its price
    assert records["rosa"].name in page and "Salario mínimo general 2026" in page
    assert shown(ES.gettext("per person"), page)


@pytest.mark.parametrize(("days", "urgent"), [(60, False), (14, True), (61, None)])
def test_the_home_warns_60_and_14_days_before_an_expiry(app, session, records, days, urgent):
    from datetime import timedelta

    records["certificate"].expires_on = date(2026, 6, 1) + timedelta(days=days)
    session.commit()
    person(session, "carmen", Role.council, name="Carmen López")
    page = signed_in(app, "carmen").get("/taller/inicio").text
    warning = ES.gettext("Certificate %(subject)s expires", subject="SPP-2026-041")
    assert shown(warning, page) is (urgent is not None)
    assert ('class="urgent"' in page) is bool(urgent)


def test_members_see_no_certification_alerts_nor_pages(app, session, records, audit):
    records["certificate"].expires_on = date(2026, 6, 10)
    session.commit()
    person(session, "maria", Role.member, weaver=records["rosa"])
    member = signed_in(app, "maria")
    assert "SPP-2026-041" not in member.get("/taller/inicio").text
    for path in (
        f"/taller/certificacion/auditorias/{audit.id}",
        "/taller/certificacion/hallazgos",
        "/taller/certificacion/inspecciones",
        "/taller/certificacion/informe",
    ):
        assert member.get(path).status_code == 403
