"""Electing members to positions on the cooperative's bodies, under the law and the bylaws in force on the day
the term starts, and asking who held what on any date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.cooperative.bylaws import in_force
from shop.cooperative.models import Attendance, Body, Member, MemberStatus, Resolution, Term
from shop.cooperative.rules import (
    BodyKind,
    Seat,
    bodies_for,
    check_reelection,
    check_seat,
    check_term,
    check_vigilance,
)
from shop.errors import N_, Conflict, DomainError, NotFound, ValidationFailed

BODY_KINDS = {
    BodyKind.assembly: N_("General Assembly"),
    BodyKind.administration: N_("Consejo de Administración"),
    BodyKind.vigilance: N_("Consejo de Vigilancia"),
    BodyKind.commission: N_("Commission"),
    BodyKind.administrator: N_("Single administrator"),
    BodyKind.vigilance_commissioner: N_("Vigilance commissioner"),
}


def add_body(session: Session, kind: BodyKind, name: str) -> Body:
    """A body of the cooperative: there is one of each kind but commissions, of which there may be several."""
    if not name.strip():
        raise ValidationFailed(N_("Write the body's name."), field="name")
    if kind is not BodyKind.commission and session.scalar(sa.select(Body.id).where(Body.kind == kind)) is not None:
        raise Conflict(N_("The cooperative already has this body."), field="kind")
    if session.scalar(sa.select(Body.id).where(Body.name == name.strip())) is not None:
        raise Conflict(N_("Another body has this name."), field="name")
    body = Body(kind=kind, name=name.strip())
    session.add(body)
    session.flush()
    return body


@dataclass(frozen=True)
class Election:
    member_id: int
    body_id: int
    position: str
    starts_on: date
    ends_on: date
    resolution_id: int
    alternate: bool = False


def _seats(session: Session, member_id: int) -> list[Seat]:
    rows = session.execute(
        sa.select(Term, Body.kind).join(Body, Body.id == Term.body_id).where(Term.member_id == member_id)
    ).all()
    return [Seat(t.member_id, kind, t.position, t.starts_on, t.ends_on) for t, kind in rows]


def present_at(session: Session, assembly_id: int) -> int:
    """Those present at an assembly, in person or by proxy."""
    return session.scalar(
        sa.select(sa.func.count()).select_from(Attendance).where(Attendance.assembly_id == assembly_id)
    )


def elect(session: Session, election: Election) -> Term:
    """A term, refused with the rule it breaks: too long for the bylaws, a re-election without two thirds of
    the assembly, a position neither the law nor the bylaws provide, or a seat incompatible with another."""
    member = session.get(Member, election.member_id)
    if member is None or member.status is not MemberStatus.active:
        raise ValidationFailed(N_("Only an active member can be elected."), field="member_id")
    body = session.get(Body, election.body_id)
    if body is None:
        raise NotFound(N_("There is no such body."))
    resolution = session.get(Resolution, election.resolution_id)
    if resolution is None:
        raise ValidationFailed(N_("Choose the assembly resolution that elected her."), field="resolution_id")
    position = election.position.strip().lower()
    if not position:
        raise ValidationFailed(N_("Write the position."), field="position")
    bylaws = in_force(session, election.starts_on)
    check_term(election.starts_on, election.ends_on, bylaws)
    seat = Seat(member.id, body.kind, position, election.starts_on, election.ends_on)
    earlier = _seats(session, member.id)
    check_seat(seat, earlier, bylaws)
    if body.kind is not BodyKind.commission:
        present = present_at(session, resolution.assembly_id)
        check_reelection(seat, earlier, votes_for=resolution.votes_for, present=present)
    term = Term(
        member_id=member.id,
        body_id=body.id,
        position=position,
        alternate=election.alternate,
        starts_on=election.starts_on,
        ends_on=election.ends_on,
        resolution_id=resolution.id,
    )
    session.add(term)
    session.flush()
    return term


@dataclass(frozen=True)
class Holder:
    body: Body
    position: str
    alternate: bool
    name: str
    term: Term


def holders_on(session: Session, day: date) -> list[Holder]:
    """Who held which position on ``day``, body by body."""
    rows = session.execute(
        sa.select(Term, Body, Weaver.name)
        .join(Body, Body.id == Term.body_id)
        .join(Member, Member.id == Term.member_id)
        .join(Weaver, Weaver.id == Member.weaver_id)
        .where(Term.starts_on <= day, Term.ends_on > day)
        .order_by(Body.name, Term.alternate, Term.position, Weaver.name)
    ).all()
    return [Holder(body, term.position, term.alternate, name, term) for term, body, name in rows]


def _composition(session: Session, kind: BodyKind, day: date) -> tuple[int, int]:
    """How many regular members and alternates the bodies of ``kind`` have on ``day``."""
    rows = session.execute(
        sa.select(Term.alternate, sa.func.count())
        .join(Body, Body.id == Term.body_id)
        .where(Body.kind == kind, Term.starts_on <= day, Term.ends_on > day)
        .group_by(Term.alternate)
    ).all()
    counts = dict(rows)
    return counts.get(False, 0), counts.get(True, 0)


def elect_slate(session: Session, elections: list[Election], *, members: int) -> list[Term]:
    """The terms one resolution elects together, refused as a whole if the bodies they leave break the law: a
    Consejo de Vigilancia of an odd number, at most five, each with an alternate; and with ten members or fewer,
    a single administrator and one vigilance commissioner instead of the councils."""
    runs, watches = bodies_for(members)
    terms = []
    for election in elections:
        try:
            terms.append(elect(session, election))
        except DomainError as exc:
            exc.member_id = election.member_id  # so the form can say whose election was refused
            raise
    for term in terms:
        kind = session.get(Body, term.body_id).kind
        if kind in (
            BodyKind.administration,
            BodyKind.vigilance,
            BodyKind.administrator,
            BodyKind.vigilance_commissioner,
        ) and kind not in (runs, watches):
            small = N_(
                "With %(count)d members the cooperative has a single administrator and one vigilance "
                "commissioner, not councils."
            )
            large = N_(
                "With %(count)d members the cooperative has a Consejo de Administración and a Consejo de Vigilancia."
            )
            raise ValidationFailed(small if runs is BodyKind.administrator else large, field="body_id", count=members)
    starts = {term.starts_on for term in terms}
    for day in sorted(starts):
        regulars, alternates = _composition(session, BodyKind.vigilance, day)
        if regulars:
            check_vigilance(regulars, alternates)
    return terms
