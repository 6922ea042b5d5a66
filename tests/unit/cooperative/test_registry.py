"""The registry in the database: the bylaws in force change on their date, members join and change status
through the legal moves with their act, and elections obey the law and the bylaws in force when the term
starts, including the two-thirds re-election counted from the assembly's attendance."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_user, make_weaver
from sqlalchemy import select

from shop.accounts.models import Role
from shop.audit import act_as
from shop.audit.models import AuditEvent
from shop.cooperative import bylaws, members
from shop.cooperative.governance import Election, elect, holders_on
from shop.cooperative.models import (
    Assembly,
    AssemblyKind,
    Attendance,
    Body,
    Caller,
    MemberStatus,
    Resolution,
)
from shop.cooperative.rules import BodyKind, Bylaws
from shop.errors import InvalidState, NotFound, ValidationFailed

FOUNDING = Bylaws(date(2020, 1, 1), 3, 5_100, True, frozenset({"tesorera"}), payout_minimum=10_000, weavers_bp=8_000)


def assembly(session, day: date, *, votes_for: int = 0, attending=()) -> Resolution:
    held = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=day,
        place="Casa de la cooperativa, Nachij",
        notice_posted_on=day.replace(day=1),
        notice_posted_at="Tablero de la cooperativa",
        agenda="Elección del consejo",
    )
    session.add(held)
    session.flush()
    session.add_all(Attendance(assembly_id=held.id, member_id=m.id) for m in attending)
    resolution = Resolution(assembly_id=held.id, number=1, text="Se elige el consejo", votes_for=votes_for)
    session.add(resolution)
    session.flush()
    return resolution


@pytest.fixture
def coop(session):
    bylaws.adopt(session, FOUNDING, resolution_id=None, founding=True)
    founding = assembly(session, date(2020, 1, 10))
    women = []
    for curp in ["BOXW310820HNERXN09", "", "", "", "", ""]:
        member = members.register(
            session, make_weaver(session).id, curp=curp, community="Nachij", municipio="Zinacantán"
        )
        members.change_status(
            session, member, MemberStatus.active, on=date(2020, 1, 10), act="Acta 1", assembly_id=founding.assembly_id
        )
        women.append(member)
    administration = Body(kind=BodyKind.administration, name="Consejo de Administración")
    vigilance = Body(kind=BodyKind.vigilance, name="Consejo de Vigilancia")
    session.add_all([administration, vigilance])
    session.commit()
    return {"women": women, "administration": administration, "vigilance": vigilance, "founding": founding}


def test_the_bylaws_in_force_change_on_their_date(session, coop):
    change = assembly(session, date(2026, 6, 20))
    later = Bylaws(date(2026, 7, 1), 2, 6_000, False, weavers_bp=8_200)
    bylaws.adopt(session, later, resolution_id=change.id)
    assert bylaws.in_force(session, date(2026, 6, 30)).term_years == 3
    assert bylaws.in_force(session, date(2026, 7, 1)) == later
    with pytest.raises(NotFound):
        bylaws.in_force(session, date(2019, 12, 31))
    with pytest.raises(ValidationFailed):
        bylaws.adopt(session, Bylaws(date(2027, 1, 1), 2, 6_000, False), resolution_id=None)


def test_a_member_joins_with_a_checked_curp_and_moves_only_along_the_legal_moves(session, coop):
    with pytest.raises(ValidationFailed) as refused:
        members.register(session, make_weaver(session).id, curp="BOXW310820HNERXN08", community="", municipio="Z")
    assert {e.field for e in refused.value.errors} == {"curp", "community"}
    with pytest.raises(ValidationFailed):  # the same CURP twice
        members.register(session, make_weaver(session).id, curp="boxw310820hnerxn09", community="N", municipio="Z")
    rosa = coop["women"][1]
    with pytest.raises(ValidationFailed):  # exclusion is the assembly's
        members.change_status(session, rosa, MemberStatus.excluded, on=date(2026, 1, 1), act="Acta 9")
    members.change_status(session, rosa, MemberStatus.deceased, on=date(2026, 1, 1), act="Acta de defunción")
    with pytest.raises(InvalidState):
        members.change_status(session, rosa, MemberStatus.active, on=date(2026, 2, 1), act="x", assembly_id=1)
    assert (coop["women"][0].admitted_on, coop["women"][0].curp) == (date(2020, 1, 10), "BOXW310820HNERXN09")


def test_a_term_longer_than_the_bylaws_allow_is_refused(session, coop):
    woman = coop["women"][0]
    election = Election(
        woman.id, coop["administration"].id, "presidenta", date(2023, 1, 10), date(2026, 1, 11), coop["founding"].id
    )
    with pytest.raises(ValidationFailed) as refused:
        elect(session, election)
    assert refused.value.field == "ends_on"
    elect(
        session,
        Election(
            woman.id, coop["administration"].id, "Presidenta", date(2023, 1, 10), date(2026, 1, 10), coop["founding"].id
        ),
    )


def test_a_reelection_needs_two_thirds_of_those_present(session, coop):
    woman, body = coop["women"][0], coop["administration"]
    elect(session, Election(woman.id, body.id, "presidenta", date(2023, 1, 10), date(2026, 1, 10), coop["founding"].id))
    short = assembly(session, date(2026, 1, 10), votes_for=3, attending=coop["women"])  # 3 of 6
    again = Election(woman.id, body.id, "presidenta", date(2026, 1, 10), date(2029, 1, 10), short.id)
    with pytest.raises(ValidationFailed) as refused:
        elect(session, again)
    assert refused.value.field == "votes_for"
    enough = assembly(session, date(2026, 1, 11), votes_for=4, attending=coop["women"])  # 4 of 6
    elect(session, Election(woman.id, body.id, "presidenta", date(2026, 1, 11), date(2029, 1, 11), enough.id))


def test_incompatible_seats_and_unknown_positions_are_refused(session, coop):
    woman = coop["women"][0]
    founding = coop["founding"].id
    elect(
        session,
        Election(woman.id, coop["administration"].id, "tesorera", date(2023, 1, 10), date(2026, 1, 10), founding),
    )
    with pytest.raises(ValidationFailed) as refused:
        elect(
            session, Election(woman.id, coop["vigilance"].id, "vocal", date(2024, 1, 10), date(2027, 1, 10), founding)
        )
    assert refused.value.field == "person"
    with pytest.raises(ValidationFailed) as refused:
        elect(
            session,
            Election(
                coop["women"][1].id, coop["administration"].id, "reina", date(2023, 1, 10), date(2026, 1, 10), founding
            ),
        )
    assert refused.value.field == "position"


def test_who_held_what_on_a_past_date_and_every_change_is_audited(session, coop):
    act_as(session, make_user(session, roles=[Role.council], username="carmen", name="Carmen López"))
    founding = coop["founding"].id
    first, second = coop["women"][0], coop["women"][1]
    elect(
        session,
        Election(first.id, coop["administration"].id, "presidenta", date(2020, 1, 10), date(2023, 1, 10), founding),
    )
    elect(
        session,
        Election(second.id, coop["administration"].id, "presidenta", date(2023, 1, 10), date(2026, 1, 10), founding),
    )
    session.commit()
    assert [h.term.member_id for h in holders_on(session, date(2022, 6, 1))] == [first.id]
    assert [h.term.member_id for h in holders_on(session, date(2023, 1, 10))] == [second.id]  # the day she took over
    assert holders_on(session, date(2026, 1, 10)) == []
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "terms")).all()
    assert [(e.action, e.actor_name) for e in events] == [("create", "Carmen López"), ("create", "Carmen López")]


def test_a_refused_move_names_both_statuses_in_spanish(session, coop):
    from shop.i18n import translator

    rosa = coop["women"][2]
    members.change_status(session, rosa, MemberStatus.deceased, on=date(2026, 1, 1), act="Acta de defunción")
    with pytest.raises(InvalidState) as refused:
        members.change_status(session, rosa, MemberStatus.withdrawn, on=date(2026, 2, 1), act="x")
    assert refused.value.translated(translator("es").gettext) == (
        "Su situación es «fallecida», así que no puede pasar a «socia retirada»."
    )


def test_a_slate_that_leaves_an_even_consejo_de_vigilancia_is_refused_as_a_whole(session, coop):
    from shop.cooperative.governance import elect_slate
    from shop.cooperative.models import Term

    women, body, founding = coop["women"], coop["vigilance"], coop["founding"].id
    start, end = date(2026, 3, 1), date(2029, 3, 1)

    def seat(n: int, position: str, alternate: bool = False) -> Election:
        return Election(women[n].id, body.id, position, start, end, founding, alternate=alternate)

    with pytest.raises(ValidationFailed) as refused:
        elect_slate(
            session,
            [seat(0, "presidenta"), seat(1, "secretaria"), seat(2, "presidenta", True), seat(3, "secretaria", True)],
            members=30,
        )
    assert refused.value.field == "vigilance"
    session.rollback()
    with pytest.raises(ValidationFailed) as refused:  # three, but only two alternates
        elect_slate(
            session,
            [
                seat(0, "presidenta"),
                seat(1, "secretaria"),
                seat(2, "vocal"),
                seat(3, "presidenta", True),
                seat(4, "secretaria", True),
            ],
            members=30,
        )
    session.rollback()
    terms = elect_slate(
        session,
        [
            seat(0, "presidenta"),
            seat(1, "secretaria"),
            seat(2, "vocal"),
            seat(3, "presidenta", True),
            seat(4, "secretaria", True),
            seat(5, "vocal", True),
        ],
        members=30,
    )
    assert len(terms) == 6 and all(isinstance(t, Term) for t in terms)


def test_a_small_cooperative_elects_an_administrator_not_a_council(session, coop):
    from shop.cooperative.governance import elect_slate

    with pytest.raises(ValidationFailed) as refused:
        elect_slate(
            session,
            [
                Election(
                    coop["women"][0].id,
                    coop["administration"].id,
                    "presidenta",
                    date(2026, 3, 1),
                    date(2029, 3, 1),
                    coop["founding"].id,
                )
            ],
            members=6,
        )
    assert refused.value.params == {"count": 6}
