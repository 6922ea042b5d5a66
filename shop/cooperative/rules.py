"""The rules of Mexico's cooperatives law (Ley General de Sociedades Cooperativas, LGSC) and of the
cooperative's own bylaws that its records must obey, as pure functions over plain values.

They read no database and no clock, so each rule is tested alone and every screen asks the same question. A
refusal names the rule it applies, so a council member can read why and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.mx import curp as curp_number

from shop.errors import N_, ValidationFailed

BASIS_POINTS = 10_000
MAX_TERM_YEARS = 5  # LGSC art. 42: councils are elected for at most five years
FIRST_CALL_NOTICE_DAYS = 7  # LGSC art. 37: at least seven days' notice
SECOND_CALL_NOTICE_DAYS = 5
MAX_REPRESENTED = 2  # a proxy may represent at most two members
SMALL_COOPERATIVE = 10  # with ten members or fewer, one administrator and one vigilance commissioner
MAX_VIGILANCE = 5


def clean_curp(text: str) -> str:
    """A CURP as the registry writes it, checked for its format, its date and its check digit."""
    compact = "".join((text or "").split()).upper()
    try:
        return curp_number.validate(compact)
    except StdnumError:
        raise ValidationFailed(
            N_("“%(curp)s” is not a valid CURP: check its 18 characters and its last digit."),
            field="curp",
            curp=compact[:24],
        ) from None


@dataclass(frozen=True)
class Bylaws:
    """One version of the bylaws' values, in force from ``effective_from`` (set by an assembly resolution)."""

    effective_from: date
    term_years: int
    first_call_quorum_bp: int  # of active members present or represented, for a first call
    proxies_allowed: bool
    extra_positions: frozenset[str] = frozenset()  # positions beyond the law's, e.g. "tesorera"
    payout_minimum: int | None = None  # centavos
    weavers_bp: int | None = None  # the weavers' share of new sales

    def __post_init__(self) -> None:
        if not 1 <= self.term_years <= MAX_TERM_YEARS:
            raise ValueError("a term of office is from one to five years")
        if not 0 < self.first_call_quorum_bp <= BASIS_POINTS:
            raise ValueError("a quorum is a share of the members")


def bylaws_on(versions: Iterable[Bylaws], day: date) -> Bylaws | None:
    """The version in force on ``day``: the latest one that had taken effect by then."""
    in_force = [version for version in versions if version.effective_from <= day]
    return max(in_force, key=lambda version: version.effective_from, default=None)


# --- assemblies ------------------------------------------------------------------------------------------


class Call(StrEnum):
    first = "first"
    second = "second"


def check_notice(call: Call, posted_on: date, meets_on: date, *, second_call_announced: bool = False) -> None:
    """A notice given in time: seven calendar days before a first call, five before a second one, which may
    meet with whoever attends only when the first notice said so."""
    days = (meets_on - posted_on).days
    needed = FIRST_CALL_NOTICE_DAYS if call is Call.first else SECOND_CALL_NOTICE_DAYS
    if days < needed:
        late = (
            N_("The notice was posted on %(posted)s for %(meets)s: %(days)d days. A first call needs at least 7.")
            if call is Call.first
            else N_("The notice was posted on %(posted)s for %(meets)s: %(days)d days. A second call needs at least 5.")
        )
        raise ValidationFailed(
            late, field="posted_on", posted=posted_on.isoformat(), meets=meets_on.isoformat(), days=days
        )
    if call is Call.second and not second_call_announced:
        raise ValidationFailed(
            N_("A second call may meet with whoever attends only if the first notice said so."),
            field="call",
        )


@dataclass(frozen=True)
class Presence:
    """Who is at the assembly: members in person, and each proxy holder with those she represents."""

    present: frozenset[int]
    proxies: dict[int, frozenset[int]] = field(default_factory=dict)  # holder (present) -> represented


def check_proxies(presence: Presence, bylaws: Bylaws, *, signed_with_witnesses: set[int]) -> None:
    """Proxies only where the bylaws allow them, each with a letter signed before two witnesses, each holder
    present and representing at most two members who are not present themselves."""
    if not presence.proxies:
        return
    if not bylaws.proxies_allowed:
        raise ValidationFailed(N_("The bylaws in force do not allow proxies."), field="proxies")
    for holder, represented in presence.proxies.items():
        if holder not in presence.present:
            raise ValidationFailed(N_("A proxy holder must be present at the assembly."), field="proxies")
        if len(represented) > MAX_REPRESENTED:
            raise ValidationFailed(
                N_("A member may represent at most %(count)d others."), field="proxies", count=MAX_REPRESENTED
            )
        if represented & presence.present:
            raise ValidationFailed(N_("A member who is present cannot be represented too."), field="proxies")
        if not represented <= signed_with_witnesses:
            raise ValidationFailed(N_("Each proxy needs a letter signed before two witnesses."), field="proxies")
    holders = [set(r) for r in presence.proxies.values()]
    if sum(len(r) for r in holders) != len(set().union(*holders)):
        raise ValidationFailed(N_("A member can give only one proxy."), field="proxies")


@dataclass(frozen=True)
class Quorum:
    counted: int  # present plus represented
    needed: int
    members: int

    @property
    def met(self) -> bool:
        return self.counted >= self.needed


def quorum(presence: Presence, active_members: int, bylaws: Bylaws, call: Call) -> Quorum:
    """A first call needs the bylaws' share of active members, present or represented (rounded up); a second
    call, announced as such, meets with whoever attends."""
    counted = len(presence.present) + sum(len(r) for r in presence.proxies.values())
    if call is Call.second:
        return Quorum(counted, 1, active_members)
    needed = -(-active_members * bylaws.first_call_quorum_bp // BASIS_POINTS)
    return Quorum(counted, max(needed, 1), active_members)


def two_thirds(votes_for: int, present: int) -> bool:
    """At least two thirds of those present (in person or by proxy) voted for."""
    return present > 0 and votes_for * 3 >= present * 2


# --- governing bodies and terms -------------------------------------------------------------------------


class BodyKind(StrEnum):
    assembly = "assembly"
    administration = "administration"  # Consejo de Administración
    vigilance = "vigilance"  # Consejo de Vigilancia
    commission = "commission"
    administrator = "administrator"  # a single administrator, in a cooperative of ten members or fewer
    vigilance_commissioner = "vigilance_commissioner"


LAW_POSITIONS = ("presidenta", "secretaria", "vocal")
# One person cannot watch over what she runs: a seat on the administration and on vigilance together.
INCOMPATIBLE = frozenset(
    {
        frozenset({BodyKind.administration, BodyKind.vigilance}),
        frozenset({BodyKind.administrator, BodyKind.vigilance_commissioner}),
    }
)


def bodies_for(members: int) -> tuple[BodyKind, BodyKind]:
    """Who runs and who watches: councils, or with ten members or fewer a single administrator and one
    vigilance commissioner."""
    if members <= SMALL_COOPERATIVE:
        return BodyKind.administrator, BodyKind.vigilance_commissioner
    return BodyKind.administration, BodyKind.vigilance


def allowed_positions(bylaws: Bylaws) -> frozenset[str]:
    return frozenset(LAW_POSITIONS) | bylaws.extra_positions


def years_between(start: date, end: date) -> float:
    return (end - start).days / 365.25


def check_term(start: date, end: date, bylaws: Bylaws) -> None:
    """A term ends after it starts and lasts no longer than the bylaws allow (never beyond the law's five years)."""
    if end <= start:
        raise ValidationFailed(N_("A term ends after it starts."), field="ends_on")
    limit = min(bylaws.term_years, MAX_TERM_YEARS)
    latest = _add_years(start, limit)
    if end > latest:
        raise ValidationFailed(
            N_("A term may last at most %(years)d years under the bylaws in force (until %(latest)s)."),
            field="ends_on",
            years=limit,
            latest=latest.isoformat(),
        )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Seat:
    """A term as the rules see it: who, which body, which position, from ``starts`` until ``ends`` (the day it
    ends, on which a successor may start)."""

    person: int
    body: BodyKind
    position: str
    starts: date
    ends: date

    def overlaps(self, other: Seat) -> bool:
        return self.starts < other.ends and other.starts < self.ends


def check_reelection(new: Seat, earlier: Sequence[Seat], *, votes_for: int | None, present: int | None) -> None:
    """Being elected again to a body she served on needs a recorded two-thirds vote of the assembly."""
    again = any(s.person == new.person and s.body == new.body and s.starts < new.starts for s in earlier)
    if not again:
        return
    if votes_for is None or present is None or not two_thirds(votes_for, present):
        raise ValidationFailed(
            N_(
                "This is a re-election: it needs the assembly's recorded vote of at least two thirds of those "
                "present (LGSC art. 42)."
            ),
            field="votes_for",
        )


def check_seat(new: Seat, current: Sequence[Seat], bylaws: Bylaws) -> None:
    """A position the law or the bylaws provide for, and no two incompatible seats held at once."""
    if new.body in (BodyKind.administration, BodyKind.vigilance) and new.position not in allowed_positions(bylaws):
        raise ValidationFailed(
            N_("“%(position)s” is not a position of the law or of the bylaws in force."),
            field="position",
            position=new.position,
        )
    for seat in current:
        if seat.person != new.person or not seat.overlaps(new):
            continue
        if seat.body == new.body or frozenset({seat.body, new.body}) in INCOMPATIBLE:
            raise ValidationFailed(
                N_("She already holds “%(position)s” then; the two cannot be held together."),
                field="person",
                position=seat.position,
            )


def check_vigilance(members: int, alternates: int) -> None:
    """The Consejo de Vigilancia has an odd number of members, at most five, each with an alternate."""
    if members % 2 == 0 or not 1 <= members <= MAX_VIGILANCE:
        raise ValidationFailed(
            N_("The Consejo de Vigilancia has an odd number of members, at most %(most)d: it would have %(count)d."),
            field="vigilance",
            most=MAX_VIGILANCE,
            count=members,
        )
    if alternates < members:
        raise ValidationFailed(N_("Each member of the Consejo de Vigilancia needs an alternate."), field="vigilance")
