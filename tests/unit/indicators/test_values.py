"""Indicator values in the database: every cell of a breakdown and their total, the history of every change, a
locked quarter refused with its reason, the council's exception, approval, and the score of a quarter."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from factories import make_user

from shop.accounts.models import Role
from shop.errors import Conflict, InvalidState, ValidationFailed
from shop.i18n import translator
from shop.indicators import service
from shop.indicators.models import ALL, IndicatorValue, Measure, Pillar, ValueChange
from shop.indicators.periods import Quarter
from shop.indicators.rules import Kind
from shop.indicators.service import Cell, Person, Spec

Q2 = Quarter(2026, 2)
IN_WINDOW = date(2026, 7, 10)
DAYS = 30


@pytest.fixture
def lucia(session):
    user = make_user(session, roles=[Role.partner_staff], username="lucia", name="Lucía Gómez")
    return Person(user.id, user.name)


def participants(session, **overrides):
    spec = Spec(
        code="MOB-1",
        name_es="Participantes en talleres",
        name_en="Workshop participants",
        pillar=Pillar.mobilization,
        kind=Kind.output,
        measure=Measure.count,
        by_sex=True,
    )
    return service.define(session, Spec(**{**spec.__dict__, **overrides}))


def by_sex(woman, man, other=0):
    return {("woman", ALL): Cell(woman), ("man", ALL): Cell(man), ("other", ALL): Cell(other)}


def test_a_definition_takes_its_kinds_weight_unless_given_one(session):
    assert participants(session).weight == 1
    impact = participants(session, code="GE-9", kind=Kind.impact)
    assert impact.weight == 3
    assert participants(session, code="GE-10", kind=Kind.impact, weight=5).weight == 5
    with pytest.raises(ValidationFailed) as refused:
        participants(session, code="mob-1", name_en=" ", baseline_value=10)
    fields = {e.field for e in refused.value.errors}
    assert fields == {"code", "name_en", "baseline_year"}


def test_a_breakdown_by_sex_gives_its_total_and_every_change_is_kept(session, lucia):
    indicator = participants(session)
    total = service.enter(
        session, indicator.id, Q2, "Nachij", by_sex(18, 4), by=lucia, today=IN_WINDOW, entry_days=DAYS
    )
    assert total.value == 22 and total.updated_by == "Lucía Gómez"
    carmen = Person(None, "Carmen López")
    service.enter(
        session,
        indicator.id,
        Q2,
        "Nachij",
        by_sex(19, 4),
        by=carmen,
        today=IN_WINDOW,
        entry_days=DAYS,
        note="Faltaba una participante",
    )
    history = session.scalars(
        sa.select(ValueChange).where(ValueChange.indicator_id == indicator.id).order_by(ValueChange.id)
    ).all()
    assert [(h.sex, h.before, h.after, h.by_name) for h in history] == [
        ("woman", None, 18, "Lucía Gómez"),
        ("man", None, 4, "Lucía Gómez"),
        ("other", None, 0, "Lucía Gómez"),
        (ALL, None, 22, "Lucía Gómez"),
        ("woman", 18, 19, "Carmen López"),
        (ALL, 22, 23, "Carmen López"),
    ]
    assert history[-1].note == "Faltaba una participante" and history[0].by_id == lucia.id
    with pytest.raises(ValidationFailed):
        service.enter(
            session, indicator.id, Q2, "Nachij", {(ALL, ALL): Cell(5)}, by=lucia, today=IN_WINDOW, entry_days=DAYS
        )


def test_a_percentage_is_kept_with_its_numerator_and_denominator(session, lucia):
    indicator = participants(session, code="GE-1", measure=Measure.percentage, by_sex=False)
    total = service.enter(
        session,
        indicator.id,
        Q2,
        "",
        {(ALL, ALL): Cell(numerator=12, denominator=30)},
        by=lucia,
        today=IN_WINDOW,
        entry_days=DAYS,
    )
    assert (total.value, total.numerator, total.denominator) == (4000, 12, 30)
    with pytest.raises(ValidationFailed):
        service.enter(
            session,
            indicator.id,
            Q2,
            "",
            {(ALL, ALL): Cell(numerator=31, denominator=30)},
            by=lucia,
            today=IN_WINDOW,
            entry_days=DAYS,
        )


def test_a_locked_quarter_refuses_changes_with_its_reason(session, lucia):
    indicator = participants(session)
    es = translator("es").gettext
    with pytest.raises(InvalidState) as early:
        service.enter(
            session,
            indicator.id,
            Quarter(2026, 3),
            "Nachij",
            by_sex(1, 0),
            by=lucia,
            today=date(2026, 6, 30),
            entry_days=DAYS,
        )
    assert early.value.code == "locked_not_open" and "no ha comenzado" in early.value.translated(es)
    with pytest.raises(InvalidState) as late:
        service.enter(
            session, indicator.id, Q2, "Nachij", by_sex(1, 0), by=lucia, today=date(2026, 7, 31), entry_days=DAYS
        )
    assert late.value.code == "locked_window_closed" and "2026-Q2" in late.value.translated(es)
    service.enter(session, indicator.id, Q2, "Nachij", by_sex(5, 1), by=lucia, today=IN_WINDOW, entry_days=DAYS)
    with pytest.raises(InvalidState):
        service.approve(session, Q2, "Nachij", by=lucia, today=date(2026, 6, 30))  # not ended yet
    service.approve(session, Q2, "Nachij", by=lucia, today=IN_WINDOW)
    with pytest.raises(Conflict):
        service.approve(session, Q2, "Nachij", by=lucia, today=IN_WINDOW)
    with pytest.raises(InvalidState) as approved:
        service.enter(session, indicator.id, Q2, "Nachij", by_sex(6, 1), by=lucia, today=IN_WINDOW, entry_days=DAYS)
    assert approved.value.code == "locked_approved" and "aprobado" in approved.value.translated(es)
    # Another community's values are not locked by Nachij's approval.
    service.enter(session, indicator.id, Q2, "Apas", by_sex(2, 0), by=lucia, today=IN_WINDOW, entry_days=DAYS)
    # The council's exception opens it until a day, and is itself on record.
    carmen = Person(None, "Carmen López")
    with pytest.raises(ValidationFailed):
        service.grant_exception(session, Q2, "Nachij", until=date(2026, 8, 5), reason=" ", by=carmen, today=IN_WINDOW)
    granted = service.grant_exception(
        session,
        Q2,
        "Nachij",
        until=date(2026, 8, 5),
        reason="Corrección de la lista de Nachij",
        by=carmen,
        today=IN_WINDOW,
    )
    assert granted.id and granted.by_name == "Carmen López"
    service.enter(session, indicator.id, Q2, "Nachij", by_sex(6, 1), by=carmen, today=date(2026, 8, 5), entry_days=DAYS)
    with pytest.raises(InvalidState):
        service.enter(
            session, indicator.id, Q2, "Nachij", by_sex(7, 1), by=carmen, today=date(2026, 8, 6), entry_days=DAYS
        )
    stored = session.scalar(
        sa.select(IndicatorValue.value).where(
            IndicatorValue.community == "Nachij", IndicatorValue.sex == ALL, IndicatorValue.age_band == ALL
        )
    )
    assert stored == 7


def test_the_quarter_score_judges_the_summed_actuals_against_the_targets(session, lucia):
    workshops = participants(session, code="MOB-1", by_sex=False)
    women = participants(session, code="GE-1", measure=Measure.percentage, by_sex=False, kind=Kind.outcome)
    incomes = participants(session, code="IG-1", measure=Measure.money, by_sex=False, kind=Kind.impact)
    violence = participants(session, code="GE-2", by_sex=False, ascending=False)
    untargeted = participants(session, code="MOB-9", by_sex=False)
    for indicator, target in ((workshops, 10), (women, 5000), (incomes, 1_000_000), (violence, 2)):
        service.set_target(session, indicator.id, Q2, target)
    enter = lambda i, community, cell: service.enter(  # noqa: E731
        session, i.id, Q2, community, {(ALL, ALL): cell}, by=lucia, today=IN_WINDOW, entry_days=DAYS
    )
    enter(workshops, "Nachij", Cell(6))
    enter(workshops, "Apas", Cell(5))  # 11 ≥ 10: met (output, 1)
    enter(women, "Nachij", Cell(numerator=3, denominator=10))
    enter(women, "Apas", Cell(numerator=6, denominator=10))  # 9/20 = 45% < 50%: missed (outcome, 2)
    enter(incomes, "", Cell(1_250_000))  # met (impact, 3)
    enter(violence, "", Cell(3))  # 3 > 2 where fewer is better: missed (output, 1)
    enter(untargeted, "", Cell(40))  # no target: not judged
    actuals = service.actuals(session, Q2)
    assert actuals[workshops.id].value == 11 and actuals[women.id].value == 4500
    found = service.quarter_score(session, Q2)
    assert [(j.code, j.met) for j in found.judged] == [
        ("GE-1", False),
        ("GE-2", False),
        ("IG-1", True),
        ("MOB-1", True),
    ]
    assert (found.met_weight, found.total_weight, found.bp, found.self_reliant) == (4, 7, 5714, False)
    with pytest.raises(ValidationFailed):
        service.set_target(session, women.id, Q2, 10_001)
