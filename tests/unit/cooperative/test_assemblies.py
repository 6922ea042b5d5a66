"""Assemblies in the database: the notice refused when late, who may call an extraordinary one, attendance with
proxies checked against the bylaws in force that day, the quorum from the members active that day, and
resolutions only with quorum and with no more votes than those present or represented."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_weaver

from shop.cooperative import bylaws, members
from shop.cooperative.assemblies import Notice, assembly_quorum, call_assembly, record_attendance, resolve
from shop.cooperative.models import Assembly, AssemblyKind, Caller, MemberStatus
from shop.cooperative.rules import Bylaws, Call
from shop.errors import ValidationFailed

MEETS = date(2026, 3, 14)


def notice(**changes) -> Notice:
    values = {
        "kind": AssemblyKind.ordinary,
        "called_by": Caller.administration,
        "meets_on": MEETS,
        "place": "Casa de la cooperativa, Nachij",
        "posted_on": date(2026, 3, 7),
        "posted_at": "Tablero de la cooperativa y la iglesia",
        "agenda": "1. Informe\n2. Elección",
    }
    return Notice(**(values | changes))


@pytest.fixture
def women(session):
    bylaws.adopt(session, Bylaws(date(2020, 1, 1), 3, 5_100, True), resolution_id=None, founding=True)
    founding = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=date(2020, 1, 10),
        place="Nachij",
        notice_posted_on=date(2020, 1, 1),
        notice_posted_at="Tablero",
        agenda="Fundación",
    )
    session.add(founding)
    session.flush()
    found = []
    for _ in range(10):
        member = members.register(session, make_weaver(session).id, curp="", community="Nachij", municipio="Zinacantán")
        members.change_status(
            session, member, MemberStatus.active, on=date(2020, 1, 10), act="Acta 1", assembly_id=founding.id
        )
        found.append(member.id)
    session.commit()
    return found


def test_a_late_notice_is_refused_with_its_dates_and_an_ordinary_one_is_the_councils(session, women):
    with pytest.raises(ValidationFailed) as refused:
        call_assembly(session, notice(posted_on=date(2026, 3, 8), called_by=Caller.members))
    assert {e.field for e in refused.value.errors} == {"posted_on", "called_by"}
    extraordinary = call_assembly(session, notice(kind=AssemblyKind.extraordinary, called_by=Caller.members))
    assert extraordinary.called_by is Caller.members


def test_quorum_with_proxies_and_resolutions_only_with_it(session, women):
    assembly = call_assembly(session, notice())
    found = record_attendance(
        session,
        assembly.id,
        present=set(women[:4]),
        proxies={women[0]: {women[8], women[9]}},
        witnessed={women[8], women[9]},
    )
    assert (found.counted, found.needed, found.met) == (6, 6, True)  # 51% of 10, rounded up
    with pytest.raises(ValidationFailed):
        resolve(session, assembly.id, text="Se aprueba el informe", votes_for=7, votes_against=0, votes_abstaining=0)
    first = resolve(
        session, assembly.id, text="Se aprueba el informe", votes_for=5, votes_against=1, votes_abstaining=0
    )
    second = resolve(session, assembly.id, text="Se elige el consejo", votes_for=4, votes_against=0, votes_abstaining=2)
    assert (first.number, second.number) == (1, 2)
    thin = record_attendance(session, assembly.id, present=set(women[:3]), proxies={}, witnessed=set())
    assert not thin.met and not assembly_quorum(session, assembly.id).met
    with pytest.raises(ValidationFailed) as refused:
        resolve(session, assembly.id, text="Otro", votes_for=3, votes_against=0, votes_abstaining=0)
    assert refused.value.params == {"counted": 3, "needed": 6}


def test_proxies_are_refused_when_the_bylaws_in_force_that_day_forbid_them(session, women):
    bylaws.adopt(session, Bylaws(date(2026, 3, 1), 3, 5_100, False), resolution_id=None, founding=True)
    assembly = call_assembly(session, notice())
    with pytest.raises(ValidationFailed) as refused:
        record_attendance(
            session, assembly.id, present={women[0]}, proxies={women[0]: {women[1]}}, witnessed={women[1]}
        )
    assert refused.value.field == "proxies"


def test_only_members_active_that_day_attend_and_a_second_call_meets_with_whoever_comes(session, women):
    leaving = members.change_status  # a withdrawal before the assembly
    from shop.cooperative.models import Member

    leaving(session, session.get(Member, women[9]), MemberStatus.withdrawn, on=date(2026, 2, 1), act="Renuncia")
    assembly = call_assembly(session, notice(call=Call.second, posted_on=date(2026, 3, 9), second_call_announced=True))
    with pytest.raises(ValidationFailed):
        record_attendance(session, assembly.id, present={women[9]}, proxies={}, witnessed=set())
    assert record_attendance(session, assembly.id, present={women[0], women[1]}, proxies={}, witnessed=set()).met
