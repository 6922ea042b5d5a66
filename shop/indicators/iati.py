"""The indicators as an IATI 2.03 activity's results: each indicator under a result of its kind (output,
outcome, impact) and pillar, with its measure, whether more is better, its baseline with its year, and each
quarter as a period with its target and actual, the actual also by sex and age band as dimensions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from xml.etree import ElementTree as ET

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.indicators.models import ALL, Indicator, IndicatorValue, Measure, Pillar, Target
from shop.indicators.periods import Quarter
from shop.indicators.rules import Kind
from shop.indicators.service import actuals
from shop.money import basis_points_percent

VERSION = "2.03"
RESULT_TYPES = {Kind.output: "1", Kind.outcome: "2", Kind.impact: "3"}
MEASURES = {Measure.count: "1", Measure.money: "1", Measure.percentage: "2"}  # IndicatorMeasure: unit, percentage
PILLAR_TITLES = {
    Pillar.mobilization: "Mobilization",
    Pillar.gender_equality: "Gender equality",
    Pillar.government_alliances: "Alliances with government",
}
KIND_TITLES = {Kind.output: "outputs", Kind.outcome: "outcomes", Kind.impact: "impact"}
SEXES = {"woman": "female", "man": "male", "other": "other"}


@dataclass(frozen=True)
class Activity:
    identifier: str  # the reporting organisation's reference, a hyphen, the activity's own
    reporting_ref: str
    reporting_name: str
    reporting_type: str  # OrganisationType code: 22 national NGO
    title: str
    description: str
    started_on: date


def figure(measure: Measure, value: int) -> str:
    """A value as IATI writes it: a count as is, pesos with their centavos, a percentage from basis points."""
    if measure is Measure.money:
        return str(Decimal(value).scaleb(-2))
    if measure is Measure.percentage:
        return basis_points_percent(value)
    return str(value)


def _narrative(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "narrative").text = text
    return element


def activities_xml(session: Session, activity: Activity, quarters: list[Quarter], now: datetime) -> bytes:
    root = ET.Element("iati-activities", {"version": VERSION, "generated-datetime": now.isoformat(timespec="seconds")})
    node = ET.SubElement(
        root,
        "iati-activity",
        {
            "last-updated-datetime": now.isoformat(timespec="seconds"),
            "{http://www.w3.org/XML/1998/namespace}lang": "es",
            "default-currency": "MXN",
        },
    )
    ET.SubElement(node, "iati-identifier").text = activity.identifier
    reporting = ET.SubElement(node, "reporting-org", {"ref": activity.reporting_ref, "type": activity.reporting_type})
    ET.SubElement(reporting, "narrative").text = activity.reporting_name
    _narrative(node, "title", activity.title)
    _narrative(node, "description", activity.description)
    implementing = ET.SubElement(node, "participating-org", {"role": "4", "type": "22"})
    ET.SubElement(implementing, "narrative").text = "J'pas Joloviletik"
    ET.SubElement(node, "activity-status", {"code": "2"})  # implementation
    ET.SubElement(node, "activity-date", {"iso-date": activity.started_on.isoformat(), "type": "2"})  # actual start
    order = {**{p: n for n, p in enumerate(Pillar)}, **{k: n for n, k in enumerate(Kind)}}
    indicators = sorted(session.scalars(sa.select(Indicator)), key=lambda i: (order[i.pillar], order[i.kind], i.code))
    keys = [q.key for q in quarters]
    targets = {
        (t.indicator_id, t.period): t.value for t in session.scalars(sa.select(Target).where(Target.period.in_(keys)))
    }
    found = {q.key: actuals(session, q) for q in quarters}
    cells: dict[tuple[int, str], list[IndicatorValue]] = {}
    for cell in session.scalars(
        sa.select(IndicatorValue).where(IndicatorValue.period.in_(keys), IndicatorValue.sex != ALL)
    ):
        cells.setdefault((cell.indicator_id, cell.period), []).append(cell)
    groups: dict[tuple[Pillar, Kind], list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault((indicator.pillar, indicator.kind), []).append(indicator)
    for (pillar, kind), members in groups.items():
        result = ET.SubElement(node, "result", {"type": RESULT_TYPES[kind]})
        _narrative(result, "title", f"{PILLAR_TITLES[pillar]}: {KIND_TITLES[kind]}")
        for indicator in members:
            _indicator(result, indicator, quarters, targets, found, cells)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _indicator(result, indicator: Indicator, quarters, targets, found, cells) -> None:
    element = ET.SubElement(
        result,
        "indicator",
        {"measure": MEASURES[indicator.measure], "ascending": "1" if indicator.ascending else "0"},
    )
    _narrative(element, "title", indicator.name_en)
    if indicator.baseline_year is not None:
        ET.SubElement(
            element,
            "baseline",
            {"year": str(indicator.baseline_year), "value": figure(indicator.measure, indicator.baseline_value)},
        )
    for quarter in quarters:
        target = targets.get((indicator.id, quarter.key))
        actual = found[quarter.key].get(indicator.id)
        if target is None and actual is None:
            continue
        period = ET.SubElement(element, "period")
        ET.SubElement(period, "period-start", {"iso-date": quarter.starts_on.isoformat()})
        ET.SubElement(period, "period-end", {"iso-date": quarter.ends_on.isoformat()})
        if target is not None:
            ET.SubElement(period, "target", {"value": figure(indicator.measure, target)})
        if actual is not None:
            ET.SubElement(period, "actual", {"value": figure(indicator.measure, actual.value)})
        for cell in sorted(cells.get((indicator.id, quarter.key), []), key=lambda c: (c.community, c.sex, c.age_band)):
            one = ET.SubElement(period, "actual", {"value": figure(indicator.measure, cell.value)})
            ET.SubElement(one, "dimension", {"name": "sex", "value": SEXES.get(cell.sex, cell.sex)})
            if cell.age_band:
                ET.SubElement(one, "dimension", {"name": "age", "value": cell.age_band})
            if cell.community:
                ET.SubElement(one, "dimension", {"name": "community", "value": cell.community})
