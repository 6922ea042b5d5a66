"""The cooperative's records the screen tests share: founding bylaws that allow proxies and add a tesorera, an
assembly in 2020 that admitted twelve active members, and the two councils. Import the fixture ``coop``."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from factories import make_weaver

from shop.cooperative import bylaws, members
from shop.cooperative.governance import add_body
from shop.cooperative.models import Assembly, AssemblyKind, Caller, MemberStatus
from shop.cooperative.rules import BodyKind, Bylaws

NAMES = [
    "Rosa Pérez",
    "Pascuala Gómez",
    "María Hernández",
    "Juana López",
    "Catarina Díaz",
    "Petrona Sántiz",
    "Manuela Vázquez",
    "Antonia Girón",
    "Verónica Pérez",
    "Lucía Jiménez",
    "Micaela Ruiz",
    "Dominga Méndez",
]


@pytest.fixture
def coop(session):
    bylaws.adopt(
        session,
        Bylaws(date(2020, 1, 1), 3, 5_100, True, frozenset({"tesorera"})),
        resolution_id=None,
        founding=True,
    )
    founding = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=date(2020, 1, 20),
        place="Casa de la cooperativa, Nachij",
        notice_posted_on=date(2020, 1, 10),
        notice_posted_at="Tablero de la casa",
        agenda="Admisión de socias",
    )
    session.add(founding)
    session.flush()
    people = []
    for name in NAMES:
        weaver = make_weaver(session, name=name)
        member = members.register(session, weaver.id, curp="", community="Nachij", municipio="Zinacantán")
        members.change_status(
            session, member, MemberStatus.active, on=date(2020, 1, 20), act="Acta 1", assembly_id=founding.id
        )
        people.append(member)
    administration = add_body(session, BodyKind.administration, "Consejo de Administración")
    vigilance = add_body(session, BodyKind.vigilance, "Consejo de Vigilancia")
    session.commit()
    return SimpleNamespace(
        members=people, founding=founding, administration=administration, vigilance=vigilance, names=NAMES
    )
