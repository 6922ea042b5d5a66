"""The demo's cooperative records: the founding bylaws, thirty members, the assembly that elected today's bodies
with the thirty positions the women hold, the basic computer course ten women completed, and the first Vision,
Commitment and Action Workshop (VCAW) held in Tzotzil, with its participants. Dated around ``today``."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.catalogue.schemas import WeaverCreate
from shop.catalogue.service import create_weaver
from shop.cooperative import bylaws, members, trainings
from shop.cooperative.governance import Election, elect
from shop.cooperative.models import (
    AgeBand,
    Assembly,
    AssemblyKind,
    Attendance,
    Body,
    Caller,
    CompletionRule,
    MemberStatus,
    Resolution,
    SessionLanguage,
    Sex,
    Topic,
)
from shop.cooperative.rules import BodyKind, Bylaws
from shop.cooperative.trainings import Rule

# Members who keep their profile private: not in the store, only in the cooperative's own records.
MORE_MEMBERS = [
    ("Manuela Pérez Pérez", "Nachij"),
    ("Lucía Hernández Sántiz", "Nachij"),
    ("Magdalena Gómez López", "Nachij"),
    ("Marcela Díaz Pérez", "Nachij"),
    ("Teresa López Hernández", "Nachij"),
    ("Sebastiana Pérez Gómez", "Nachij"),
    ("Dominga Sántiz López", "Nachij"),
    ("Francisca Girón Pérez", "Nachij"),
    ("Agustina López Díaz", "Nachij"),
    ("Josefa Hernández Gómez", "Navenchauc"),
    ("Andrea Méndez Pérez", "Navenchauc"),
    ("Angélica Ruiz Hernández", "Navenchauc"),
    ("Verónica Collazo Pérez", "Navenchauc"),
    ("Margarita Pérez Sántiz", "Navenchauc"),
    ("Juliana Gómez Díaz", "Navenchauc"),
    ("Isabel López Méndez", "Apas"),
    ("Martha Hernández López", "Apas"),
    ("Cristina Díaz Girón", "Apas"),
    ("Elena Vázquez Pérez", "Apas"),
    ("Susana Pérez Collazo", "Apas"),
    ("Rosalinda Gómez Hernández", "Apas"),
    ("Verónica Sántiz Gómez", "Nachij"),
]
COMMISSIONS = [
    "Comisión de Educación",
    "Comisión de Comercialización",
    "Comisión de Calidad",
    "Comisión de Comercio Justo",
    "Comisión de Producción",
    "Comisión de Previsión Social",
]
FOUNDING = Bylaws(
    effective_from=date(2019, 3, 1),
    term_years=3,
    first_call_quorum_bp=5_100,
    proxies_allowed=True,
    extra_positions=frozenset({"tesorera"}),
)


def _assembly(session: Session, meets_on: date, agenda: str) -> Assembly:
    assembly = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=meets_on,
        place="Casa de la cooperativa, Nachij",
        notice_posted_on=meets_on - timedelta(days=10),
        notice_posted_at="Tablero de la cooperativa y tienda de la comunidad",
        agenda=agenda,
    )
    session.add(assembly)
    session.flush()
    return assembly


def _members(session: Session, founding: Assembly) -> list:
    for n, (name, community) in enumerate(MORE_MEMBERS):
        create_weaver(
            session,
            WeaverCreate(
                slug=f"socia-{n + 1}",
                name=name,
                community=community,
                municipio="Zinacantán",
                languages=["tzo", "es"],
                consent_to_publish=False,
            ),
        )
    registered = []
    for weaver in session.scalars(sa.select(Weaver).order_by(Weaver.id)):
        member = members.register(session, weaver.id, curp="", community=weaver.community, municipio=weaver.municipio)
        members.change_status(
            session, member, MemberStatus.active, on=founding.meets_on, act="Acta constitutiva", assembly_id=founding.id
        )
        registered.append(member)
    return registered


def _positions() -> list[tuple[str, BodyKind, str, bool]]:
    """(body, kind, position, alternate): thirty positions on today's bodies."""
    seats = [
        ("Consejo de Administración", BodyKind.administration, p, False)
        for p in ("presidenta", "secretaria", "tesorera", "vocal", "vocal")
    ]
    for position in ("presidenta", "secretaria", "vocal"):
        seats.append(("Consejo de Vigilancia", BodyKind.vigilance, position, False))
        seats.append(("Consejo de Vigilancia", BodyKind.vigilance, position, True))
    for name in COMMISSIONS:
        seats += [(name, BodyKind.commission, p, False) for p in ("presidenta", "secretaria", "vocal")]
    seats.append(("Comisión de Educación", BodyKind.commission, "vocal", False))
    return seats


def load_cooperative(session: Session, *, today: date) -> dict[str, int]:
    bylaws.adopt(session, FOUNDING, resolution_id=None, founding=True)
    founding = _assembly(session, FOUNDING.effective_from, "Constitución de la cooperativa y sus bases")
    women = _members(session, founding)
    election = _assembly(session, today - timedelta(days=270), "1. Informe del consejo\n2. Elección de los órganos")
    session.add_all(Attendance(assembly_id=election.id, member_id=m.id) for m in women[:26])
    elected = Resolution(
        assembly_id=election.id, number=1, text="Se eligen los consejos y las comisiones por tres años.", votes_for=24
    )
    session.add(elected)
    session.flush()
    bodies: dict[str, Body] = {}
    for member, (body_name, kind, position, alternate) in zip(women, _positions(), strict=False):
        if body_name not in bodies:
            bodies[body_name] = Body(kind=kind, name=body_name)
            session.add(bodies[body_name])
            session.flush()
        elect(
            session,
            Election(
                member.id,
                bodies[body_name].id,
                position,
                election.meets_on,
                election.meets_on.replace(year=election.meets_on.year + 3),
                elected.id,
                alternate=alternate,
            ),
        )
    computing = trainings.add_course(
        session, topic=Topic.computer_skills, title="Computación básica", rule=Rule(CompletionRule.sessions, 8)
    )
    lessons = [
        trainings.add_session(
            session,
            computing.id,
            held_on=today - timedelta(days=120 - 7 * week),
            place="Casa de la cooperativa",
            community="Nachij",
            facilitator="Ana Ruiz (organización aliada)",
            language=SessionLanguage.both,
        )
        for week in range(10)
    ]
    for n, member in enumerate(women[:12]):
        for lesson in lessons[: 9 if n < 10 else 4]:
            trainings.attend(session, lesson.id, member_id=member.id)
    vcaw = trainings.add_course(
        session,
        topic=Topic.vcaw,
        title="Taller de Visión, Compromiso y Acción, en tsotsil",
        rule=Rule(CompletionRule.required),
    )
    days = [
        trainings.add_session(
            session,
            vcaw.id,
            held_on=today - timedelta(days=40 - day),
            place="Casa de la cooperativa",
            community="Nachij",
            facilitator="Rosa Patishtán López",
            language=SessionLanguage.tzo,
            required=True,
        )
        for day in range(3)
    ]
    for member in women[8:26]:
        for day in days:
            trainings.attend(session, day.id, member_id=member.id)
    trainings.attend_as_guest(session, days[0].id, name="Laura Méndez", sex=Sex.woman, age_band=AgeBand.from_18_to_29)
    session.flush()
    return {"members": len(women), "positions": len(_positions()), "courses": 2}
