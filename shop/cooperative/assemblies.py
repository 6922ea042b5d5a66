"""Assemblies: the notice given in time, who called an extraordinary one, attendance with proxies as the law
and the bylaws allow, the quorum computed from the members active that day, and the resolutions with their vote."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.cooperative.bylaws import in_force
from shop.cooperative.models import (
    Assembly,
    AssemblyKind,
    Attendance,
    Caller,
    Member,
    MemberStatus,
    MemberStatusChange,
    Resolution,
)
from shop.cooperative.rules import Call, Presence, Quorum, check_notice, check_proxies, quorum
from shop.errors import N_, NotFound, ValidationFailed


@dataclass(frozen=True)
class Notice:
    kind: AssemblyKind
    called_by: Caller
    meets_on: date
    place: str
    posted_on: date
    posted_at: str
    agenda: str
    call: Call = Call.first
    second_call_announced: bool = False


def call_assembly(session: Session, notice: Notice) -> Assembly:
    """An assembly called in time, by whom the law allows (an ordinary one by the Consejo de Administración)."""
    problems = []
    if notice.kind is AssemblyKind.ordinary and notice.called_by is not Caller.administration:
        problems.append(
            ValidationFailed(N_("An ordinary assembly is called by the Consejo de Administración."), field="called_by")
        )
    for name, value, message in (
        ("place", notice.place, N_("Write where the assembly meets.")),
        ("posted_at", notice.posted_at, N_("Write where the notice was posted.")),
        ("agenda", notice.agenda, N_("Write the agenda.")),
    ):
        if not value.strip():
            problems.append(ValidationFailed(message, field=name))
    try:
        check_notice(notice.call, notice.posted_on, notice.meets_on, second_call_announced=notice.second_call_announced)
    except ValidationFailed as exc:
        problems.append(exc)
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    assembly = Assembly(
        kind=notice.kind,
        called_by=notice.called_by,
        call=notice.call,
        meets_on=notice.meets_on,
        place=notice.place.strip(),
        notice_posted_on=notice.posted_on,
        notice_posted_at=notice.posted_at.strip(),
        agenda=notice.agenda.strip(),
        second_call_announced=notice.second_call_announced,
    )
    session.add(assembly)
    session.flush()
    return assembly


def active_on(session: Session, day: date) -> set[int]:
    """The members whose status on ``day`` (their last change by then) was active."""
    latest = (
        sa.select(MemberStatusChange.member_id, sa.func.max(MemberStatusChange.id).label("last"))
        .where(MemberStatusChange.on <= day)
        .group_by(MemberStatusChange.member_id)
        .subquery()
    )
    return set(
        session.scalars(
            sa.select(MemberStatusChange.member_id)
            .join(latest, latest.c.last == MemberStatusChange.id)
            .where(MemberStatusChange.status == MemberStatus.active)
        )
    )


def _assembly(session: Session, assembly_id: int) -> Assembly:
    assembly = session.get(Assembly, assembly_id, with_for_update=True)
    if assembly is None:
        raise NotFound(N_("There is no such assembly."))
    return assembly


def record_attendance(
    session: Session,
    assembly_id: int,
    *,
    present: set[int],
    proxies: dict[int, set[int]],
    witnessed: set[int],
) -> Quorum:
    """Who came and whom each proxy holder represented (replacing what was recorded); returns the quorum."""
    assembly = _assembly(session, assembly_id)
    active = active_on(session, assembly.meets_on)
    represented = {m for members in proxies.values() for m in members}
    strangers = (present | represented) - active
    if strangers:
        raise ValidationFailed(
            N_("Only members active on the day of the assembly can attend or be represented."), field="present"
        )
    presence = Presence(frozenset(present), {h: frozenset(r) for h, r in proxies.items()})
    bylaws = in_force(session, assembly.meets_on)
    check_proxies(presence, bylaws, signed_with_witnesses=witnessed)
    session.execute(sa.delete(Attendance).where(Attendance.assembly_id == assembly.id))
    session.add_all(Attendance(assembly_id=assembly.id, member_id=m) for m in sorted(present))
    session.add_all(
        Attendance(assembly_id=assembly.id, member_id=m, represented_by_id=holder, letter_witnessed=True)
        for holder, members in proxies.items()
        for m in sorted(members)
    )
    session.flush()
    return quorum(presence, len(active), bylaws, assembly.call)


def assembly_quorum(session: Session, assembly_id: int) -> Quorum:
    assembly = _assembly(session, assembly_id)
    rows = session.execute(
        sa.select(Attendance.member_id, Attendance.represented_by_id).where(Attendance.assembly_id == assembly.id)
    ).all()
    present = frozenset(m for m, holder in rows if holder is None)
    proxies: dict[int, set[int]] = {}
    for member, holder in rows:
        if holder is not None:
            proxies.setdefault(holder, set()).add(member)
    presence = Presence(present, {h: frozenset(r) for h, r in proxies.items()})
    active = active_on(session, assembly.meets_on)
    return quorum(presence, len(active), in_force(session, assembly.meets_on), assembly.call)


def resolve(
    session: Session, assembly_id: int, *, text: str, votes_for: int, votes_against: int, votes_abstaining: int
) -> Resolution:
    """A resolution with its vote, which can count no more votes than those present or represented, and only
    at an assembly that had its quorum."""
    assembly = _assembly(session, assembly_id)
    if not text.strip():
        raise ValidationFailed(N_("Write what the assembly resolved."), field="text")
    if min(votes_for, votes_against, votes_abstaining) < 0:
        raise ValidationFailed(N_("Votes cannot be negative."), field="votes_for")
    found = assembly_quorum(session, assembly.id)
    if not found.met:
        raise ValidationFailed(
            N_("The assembly had no quorum (%(counted)d of the %(needed)d needed): it cannot resolve."),
            field="text",
            counted=found.counted,
            needed=found.needed,
        )
    if votes_for + votes_against + votes_abstaining > found.counted:
        raise ValidationFailed(
            N_("%(votes)d votes, but only %(counted)d members were present or represented."),
            field="votes_for",
            votes=votes_for + votes_against + votes_abstaining,
            counted=found.counted,
        )
    number = (
        session.scalar(sa.select(sa.func.max(Resolution.number)).where(Resolution.assembly_id == assembly.id)) or 0
    ) + 1
    resolution = Resolution(
        assembly_id=assembly.id,
        number=number,
        text=text.strip(),
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstaining=votes_abstaining,
    )
    session.add(resolution)
    session.flush()
    return resolution


def members_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(Member).where(Member.status == MemberStatus.active))
