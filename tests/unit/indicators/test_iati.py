"""The IATI export of the indicators validates against the official IATI 2.03 activity schema (shipped in
tests/iati with its notice), and carries each indicator's result type, measure, baseline with its year, and
each quarter's period with target, actual and the actual's sex dimension."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from lxml import etree

from shop.indicators import iati, service
from shop.indicators.models import ALL, Measure, Pillar
from shop.indicators.periods import Quarter
from shop.indicators.rules import Kind
from shop.indicators.service import Cell, Person, Spec

SCHEMA = Path(__file__).resolve().parents[2] / "iati" / "2.03" / "iati-activities-schema.xsd"
Q2, Q3 = Quarter(2026, 2), Quarter(2026, 3)
ACTIVITY = iati.Activity(
    identifier="MX-RFC-THP000000XX0-JPAS-1",
    reporting_ref="MX-RFC-THP000000XX0",
    reporting_name="The Hunger Project México",
    reporting_type="22",
    title="J'pas Joloviletik",
    description="Resultados del programa",
    started_on=date(2026, 1, 1),
)


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def test_the_export_validates_and_carries_results_periods_and_dimensions(session, schema):
    lucia = Person(None, "Lucía")
    people = service.define(
        session,
        Spec(
            "MOB-1",
            "Participantes",
            "Participants",
            Pillar.mobilization,
            Kind.output,
            Measure.count,
            by_sex=True,
            baseline_value=40,
            baseline_year=2025,
        ),
    )
    women = service.define(
        session,
        Spec(
            "GE-1",
            "Mujeres en cargos",
            "Women in positions",
            Pillar.gender_equality,
            Kind.outcome,
            Measure.percentage,
            ascending=True,
        ),
    )
    income = service.define(
        session, Spec("IG-1", "Ingresos", "Income", Pillar.mobilization, Kind.impact, Measure.money)
    )
    service.set_target(session, people.id, Q2, 30)
    service.set_target(session, women.id, Q3, 5000)
    cells = {("woman", ALL): Cell(18), ("man", ALL): Cell(4), ("other", ALL): Cell(0)}
    service.enter(session, people.id, Q2, "Nachij", cells, by=lucia, today=date(2026, 7, 1), entry_days=30)
    service.enter(
        session,
        women.id,
        Q3,
        "",
        {(ALL, ALL): Cell(numerator=9, denominator=20)},
        by=lucia,
        today=date(2026, 9, 1),
        entry_days=30,
    )
    service.enter(
        session, income.id, Q3, "", {(ALL, ALL): Cell(1_234_550)}, by=lucia, today=date(2026, 9, 1), entry_days=30
    )
    body = iati.activities_xml(session, ACTIVITY, [Q2, Q3], datetime(2026, 10, 1, 12, tzinfo=UTC))
    document = etree.fromstring(body)
    schema.assertValid(document)
    assert document.get("version") == "2.03"
    results = document.findall("iati-activity/result")
    assert [r.get("type") for r in results] == ["1", "3", "2"]  # mobilization output, impact; gender outcome
    participants = document.find("iati-activity/result/indicator")
    assert (participants.get("measure"), participants.get("ascending")) == ("1", "1")
    assert participants.find("baseline").attrib == {"year": "2025", "value": "40"}
    (period,) = participants.findall("period")
    assert period.find("period-start").get("iso-date") == "2026-04-01"
    assert period.find("period-end").get("iso-date") == "2026-06-30"
    assert period.find("target").get("value") == "30"
    actuals = [
        (a.get("value"), [(d.get("name"), d.get("value")) for d in a.findall("dimension")])
        for a in period.findall("actual")
    ]
    assert actuals[0] == ("22", [])
    assert ("18", [("sex", "female"), ("community", "Nachij")]) in actuals
    assert ("4", [("sex", "male"), ("community", "Nachij")]) in actuals
    share = document.xpath("//indicator[title/narrative='Women in positions']")[0]
    assert share.get("measure") == "2" and share.find("period/actual").get("value") == "45"
    assert share.find("period/target").get("value") == "50"
    money = document.xpath("//indicator[title/narrative='Income']")[0]
    assert money.find("period/actual").get("value") == "12345.50"


def test_a_file_the_schema_refuses_is_refused(schema):
    """The schema is really checked: an activity without its identifier does not pass."""
    bad = etree.fromstring(b'<iati-activities version="2.03"><iati-activity/></iati-activities>')
    assert not schema.validate(bad)
