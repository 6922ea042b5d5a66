"""Derived indicator values equal the ones computed by hand from the registers: the ledger (sales, earnings,
weavers earning, median and mean), the trainings register (sessions, participants by sex, women completing)
and the cooperative's records (positions held, assemblies with quorum); each only within its quarter."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import make_order, make_weaver, sale_for

from shop.clock import LOCAL_ZONE
from shop.cooperative import bylaws, members, trainings
from shop.cooperative.models import (
    AgeBand,
    Assembly,
    Attendance,
    Body,
    CompletionRule,
    MemberStatus,
    Resolution,
    SessionLanguage,
    Sex,
    Term,
    Topic,
)
from shop.cooperative.rules import BodyKind, Bylaws
from shop.cooperative.trainings import Rule
from shop.indicators import derived
from shop.indicators.models import ALL
from shop.indicators.periods import Quarter
from shop.ledger import rollups
from shop.ledger.sales import post_sale

Q3 = Quarter(2026, 3)


def sold(session, lines, *, at: datetime, shipping: int = 0):
    order, order_lines = make_order(session, lines, shipping=shipping)
    post_sale(session, sale_for(session, order, order_lines, money="cash"), booked_at=at)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_ZONE)


def test_the_ledger_values_of_a_quarter(session):
    maria = make_weaver(session, name="María", community="Nachij")
    juana = make_weaver(session, name="Juana", community="Nachij")
    petrona = make_weaver(session, name="Petrona", community="Apas")
    in_q3 = local(2026, 8, 15, 12, 0)
    sold(session, [(100_000, 8000, [(maria, 10_000)])], at=in_q3, shipping=15_000)
    sold(session, [(50_000, 8000, [(juana, 10_000)])], at=local(2026, 7, 1, 0, 10))  # first minutes of Q3
    sold(session, [(30_000, 8000, [(maria, 5000), (petrona, 5000)])], at=in_q3)
    sold(session, [(70_000, 8000, [(juana, 10_000)])], at=local(2026, 6, 30, 23, 59))  # Q2
    sold(session, [(90_000, 8000, [(petrona, 10_000)])], at=local(2026, 10, 1, 0, 0))  # Q4
    # By hand: pieces 100,000 + 50,000 + 30,000 = 180,000 (shipping apart); the weavers 80%: María 80,000 + 12,000,
    # Juana 40,000, Petrona 12,000.
    assert derived.gross_sales(session, Q3).total == 180_000
    earnings = derived.weavers_earnings(session, Q3)
    assert earnings.total == 144_000
    assert earnings.by_community == {"Apas": {(ALL, ALL): 12_000}, "Nachij": {(ALL, ALL): 132_000}}
    earning = derived.weavers_earning(session, Q3)
    assert (earning.total, earning.by_community["Nachij"][(ALL, ALL)]) == (3, 2)
    middle = derived.median_earnings(session, Q3)
    assert middle.total == 40_000  # of 12,000, 40,000 and 92,000
    assert middle.by_community["Nachij"][(ALL, ALL)] == 66_000  # (40,000 + 92,000) / 2
    assert derived.average_earnings(session, Q3).total == 48_000  # 144,000 / 3
    assert derived.gross_sales(session, Quarter(2026, 2)).total == 70_000


def test_integer_median_and_mean_round_half_up():
    assert rollups.median([1, 2]) == 2 and rollups.median([5, 1, 3]) == 3 and rollups.median([2, 4]) == 3
    assert derived.mean([1, 2]) == 2 and derived.mean([1, 1, 2]) == 1


def register(session, name: str, community: str, assembly: Assembly):
    member = members.register(session, make_weaver(session, name=name).id, curp="", community=community, municipio="Z")
    members.change_status(
        session, member, MemberStatus.active, on=date(2020, 1, 20), act="Acta", assembly_id=assembly.id
    )
    return member


def founding(session) -> Assembly:
    bylaws.adopt(session, Bylaws(date(2020, 1, 1), 3, 5_000, True), resolution_id=None, founding=True)
    held = Assembly(
        kind="ordinary",
        called_by="administration",
        meets_on=date(2020, 1, 20),
        place="Casa",
        notice_posted_on=date(2020, 1, 1),
        notice_posted_at="Tablero",
        agenda="Admisión",
    )
    session.add(held)
    session.flush()
    return held


def test_the_trainings_values_of_a_quarter(session):
    first = founding(session)
    ana, rosa, luz = (
        register(session, n, c, first) for n, c in (("Ana", "Nachij"), ("Rosa", "Nachij"), ("Luz", "Apas"))
    )
    vcaw = trainings.add_course(session, topic=Topic.vcaw, title="VCAW", rule=Rule(CompletionRule.sessions, 2))
    computing = trainings.add_course(
        session, topic=Topic.computer_skills, title="Computación", rule=Rule(CompletionRule.sessions, 1)
    )
    catalyst = trainings.add_course(
        session, topic=Topic.catalyst, title="Catalizadoras", rule=Rule(CompletionRule.sessions, 1)
    )

    def held(course, day, community):
        return trainings.add_session(
            session,
            course.id,
            held_on=day,
            place="Casa",
            community=community,
            facilitator="X",
            language=SessionLanguage.tzo,
        )

    first_vcaw, second_vcaw = held(vcaw, date(2026, 7, 8), "Nachij"), held(vcaw, date(2026, 9, 30), "Nachij")
    for lesson in (first_vcaw, second_vcaw):
        trainings.attend(session, lesson.id, member_id=ana.id)
        trainings.attend(session, lesson.id, member_id=rosa.id)
        trainings.attend_as_guest(session, lesson.id, name="Pedro Pérez", sex=Sex.man, age_band=AgeBand.from_18_to_29)
    trainings.attend_as_guest(session, first_vcaw.id, name="Marta Díaz", sex=Sex.woman, age_band=AgeBand.from_60)
    trainings.attend(session, held(computing, date(2026, 8, 1), "Apas").id, member_id=luz.id)
    trainings.attend(session, held(catalyst, date(2026, 6, 30), "Nachij").id, member_id=ana.id)  # Q2
    # By hand: Nachij had 3 women (Ana, Rosa, Marta) and 1 man (Pedro, twice); Apas 1 woman (Luz).
    people = derived.participants(session, Q3)
    assert people.total == 5 and people.by_sex == {"woman": 4, "man": 1, "other": 0}
    assert people.by_community["Nachij"][("woman", ALL)] == 3 and people.by_community["Nachij"][("man", ALL)] == 1
    assert derived.sessions_held(session, Q3).by_community == {"Apas": {(ALL, ALL): 1}, "Nachij": {(ALL, ALL): 2}}
    assert derived.vcaw_sessions(session, Q3).total == 2
    assert (
        derived.catalyst_sessions(session, Q3).total == 0
        and derived.catalyst_sessions(session, Quarter(2026, 2)).total == 1
    )
    completing = derived.women_completing(session, Q3)  # Ana and Rosa the VCAW (2 of 2), Luz computing
    assert completing.total == 3 and completing.by_community["Nachij"] == {(ALL, ALL): 2}
    assert derived.women_completing(session, Quarter(2026, 2)).total == 1  # Ana, the catalyst training


def test_the_records_values_of_a_quarter(session):
    first = founding(session)
    people = [register(session, f"Socia {n}", "Nachij" if n < 3 else "Apas", first) for n in range(4)]
    council = Body(kind=BodyKind.administration, name="Consejo de Administración")
    elected = Resolution(assembly_id=first.id, number=1, text="Elección", votes_for=4)
    session.add_all([council, elected])
    session.flush()
    for member, starts, ends in (
        (people[0], date(2023, 7, 1), date(2026, 7, 1)),  # ends on Q3's first day: held until then
        (people[1], date(2026, 9, 30), date(2029, 9, 30)),
        (people[3], date(2026, 10, 1), date(2029, 10, 1)),  # starts in Q4
    ):
        session.add(
            Term(
                member_id=member.id,
                body_id=council.id,
                position="vocal",
                starts_on=starts,
                ends_on=ends,
                resolution_id=elected.id,
            )
        )
    with_quorum, without = (
        Assembly(
            kind="extraordinary",
            called_by="vigilance",
            meets_on=day,
            place="Casa",
            notice_posted_on=date(2026, 7, 1),
            notice_posted_at="Tablero",
            agenda="Informe",
        )
        for day in (date(2026, 8, 1), date(2026, 9, 1))
    )
    session.add_all([with_quorum, without])
    session.flush()
    session.add_all(Attendance(assembly_id=with_quorum.id, member_id=m.id) for m in people[:2])  # 2 of 4: 50%
    session.add(Attendance(assembly_id=without.id, member_id=people[0].id))
    session.flush()
    positions = derived.women_in_positions(session, Q3)
    assert positions.total == 1 and positions.by_community == {"Nachij": {(ALL, ALL): 1}}
    assert derived.women_in_positions(session, Quarter(2026, 2)).total == 1
    assert derived.assemblies_with_quorum(session, Q3).total == 1
    assert set(derived.SOURCES) >= {"ledger.median_earnings", "trainings.participants", "records.women_in_positions"}


def test_a_derived_indicator_is_live_until_its_quarter_is_approved_then_kept(session):
    from shop.errors import InvalidState
    from shop.indicators import service
    from shop.indicators.models import IndicatorValue, Measure, Pillar
    from shop.indicators.rules import Kind
    from shop.indicators.service import Cell, Person, Spec

    maria = make_weaver(session, name="María", community="Nachij")
    earned = service.define(
        session,
        Spec(
            code="IG-2",
            name_es="Ingresos",
            name_en="Earnings",
            pillar=Pillar.mobilization,
            kind=Kind.impact,
            measure=Measure.count,
            source="ledger.weavers_earnings",
        ),
    )
    assert earned.measure is Measure.money  # the source decides
    service.set_target(session, earned.id, Q3, 50_000)
    sold(session, [(50_000, 8000, [(maria, 10_000)])], at=local(2026, 8, 1, 10, 0))
    assert service.actuals(session, Q3)[earned.id].value == 40_000
    assert not service.quarter_score(session, Q3).judged[0].met
    sold(session, [(20_000, 8000, [(maria, 10_000)])], at=local(2026, 9, 1, 10, 0))
    assert service.quarter_score(session, Q3).judged[0].met  # 56,000: live
    lucia = Person(None, "Lucía Gómez")
    with pytest.raises(InvalidState):
        service.enter(
            session, earned.id, Q3, "", {(ALL, ALL): Cell(1)}, by=lucia, today=date(2026, 10, 5), entry_days=30
        )
    service.approve(session, Q3, "", by=lucia, today=date(2026, 10, 5))
    service.approve(session, Q3, "Nachij", by=lucia, today=date(2026, 10, 5))
    kept = {
        row.community: row.value
        for row in session.scalars(sa.select(IndicatorValue).where(IndicatorValue.indicator_id == earned.id))
    }
    assert kept == {"": 56_000, "Nachij": 56_000}
    sold(session, [(100_000, 8000, [(maria, 10_000)])], at=local(2026, 9, 2, 10, 0))  # booked late into Q3
    assert derived.weavers_earnings(session, Q3).total == 136_000
    assert service.actuals(session, Q3)[earned.id].value == 56_000  # what was approved
