"""The register of partnerships and grants: statuses move only along their moves, an agreement counts once
signed and while in force (by agency and level), and reports due alert 30 and 7 days ahead."""

from __future__ import annotations

from datetime import date

import pytest

from shop.errors import InvalidState, ValidationFailed
from shop.indicators import derived
from shop.indicators.periods import Quarter
from shop.partnerships import service
from shop.partnerships.models import Kind, Level, Status
from shop.partnerships.service import Terms


def agreement(
    session, partner: str, level: Level, *, signed: date | None, ends: date | None = None, kind=Kind.agreement
):
    made = service.record(session, Terms(partner, "Convenio de colaboración", level, kind, ends_on=ends))
    service.move(session, made.id, Status.submitted, on=date(2026, 1, 5), by_name="Lucía")
    if signed is not None:
        service.move(session, made.id, Status.granted, on=signed, by_name="Lucía", signed_on=signed)
        service.move(session, made.id, Status.active, on=signed, by_name="Lucía")
    return made


def test_a_grant_moves_along_its_statuses_only_and_needs_its_signature(session):
    grant = service.record(
        session, Terms("INMUJERES", "Tienda en línea", Level.federal, Kind.grant, amount=45_000_000, currency="mxn")
    )
    assert (grant.status, grant.currency) == (Status.proposal, "MXN")
    with pytest.raises(InvalidState):
        service.move(session, grant.id, Status.active, on=date(2026, 2, 1), by_name="Lucía")
    service.move(session, grant.id, Status.submitted, on=date(2026, 2, 1), by_name="Lucía")
    with pytest.raises(ValidationFailed) as unsigned:
        service.move(session, grant.id, Status.granted, on=date(2026, 3, 1), by_name="Lucía")
    assert unsigned.value.field == "signed_on"
    service.move(session, grant.id, Status.granted, on=date(2026, 3, 1), by_name="Lucía", signed_on=date(2026, 3, 1))
    assert grant.status is Status.granted and grant.signed_on == date(2026, 3, 1)
    with pytest.raises(ValidationFailed) as refused:
        service.record(session, Terms(" ", "", Level.state, Kind.grant, amount=-1, currency="pesos"))
    assert {e.field for e in refused.value.errors} == {"partner", "title", "amount", "currency"}


def test_agencies_with_a_signed_agreement_count_once_by_level_while_in_force(session):
    agreement(session, "CDI", Level.federal, signed=date(2026, 2, 10))
    agreement(session, "CDI", Level.federal, signed=date(2026, 3, 1))  # the same agency again: once
    agreement(session, "SEDESOL", Level.federal, signed=date(2026, 5, 2))  # signed in Q2
    agreement(session, "Instituto de la Mujer de Chiapas", Level.state, signed=date(2025, 6, 1), ends=date(2026, 1, 31))
    agreement(session, "Ayuntamiento de Zinacantán", Level.municipal, signed=None)  # not signed
    agreement(session, "Fundación X", Level.civil_society, signed=date(2026, 1, 2))  # not government
    found = service.agreements_in_force(session, date(2026, 1, 1), date(2026, 3, 31))
    assert found == {Level.municipal: 0, Level.state: 1, Level.federal: 1}
    q2 = Quarter(2026, 2)
    assert service.agreements_in_force(session, q2.starts_on, q2.ends_on)[Level.federal] == 2
    assert derived.SOURCES["partnerships.government_agreements"].compute(session, Quarter(2026, 1)).total == 2
    assert derived.SOURCES["partnerships.state_agreements"].compute(session, q2).total == 0  # ended in January


def test_reports_due_alert_thirty_and_seven_days_ahead(session):
    grant = agreement(session, "INMUJERES", Level.federal, signed=date(2026, 1, 10))
    today = date(2026, 6, 1)
    far = service.add_report(session, grant.id, title="Informe final", due_on=date(2026, 7, 2))  # 31 days
    month = service.add_report(session, grant.id, title="Informe semestral", due_on=date(2026, 7, 1))  # 30 days
    week = service.add_report(session, grant.id, title="Informe financiero", due_on=date(2026, 6, 8))  # 7 days
    late = service.add_report(session, grant.id, title="Informe trimestral", due_on=date(2026, 5, 30))
    done = service.add_report(session, grant.id, title="Informe inicial", due_on=date(2026, 6, 3))
    service.submit_report(session, done.id, on=date(2026, 6, 1))
    with pytest.raises(InvalidState):
        service.submit_report(session, done.id, on=date(2026, 6, 2))
    alerts = service.report_alerts(session, today)
    assert [(a.report.id, a.days_left, a.urgent) for a in alerts] == [
        (late.id, -2, True),
        (week.id, 7, True),
        (month.id, 30, False),
    ]
    assert far.id not in {a.report.id for a in alerts}
