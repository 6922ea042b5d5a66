"""Indicator values the shop already knows, derived from its own registers for a quarter: the trainings
register, the ledger and the cooperative's records. Each source gives a value per community and its own total
for the whole cooperative (a median is not the sum of the communities' medians).

Members of the cooperative are women; a guest counts by the sex recorded on the register. A weaver's community
is the one on her profile; a member's, the one in the register; a session's, where it was held."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.clock import LOCAL_ZONE
from shop.cooperative.assemblies import assembly_quorum
from shop.cooperative.models import (
    Assembly,
    Course,
    CourseSession,
    Member,
    SessionAttendance,
    Sex,
    Term,
    Topic,
)
from shop.cooperative.trainings import completers
from shop.errors import N_, DomainError
from shop.indicators.models import ALL, Measure
from shop.indicators.periods import Quarter
from shop.ledger import rollups
from shop.ledger.fair_earnings import fair_earnings
from shop.partnerships.models import GOVERNMENT, Level
from shop.partnerships.service import agreements_in_force


@dataclass(frozen=True)
class Derived:
    """Cells by community, each keyed by (sex, age band), and the whole cooperative's total."""

    total: int
    by_community: dict[str, dict[tuple[str, str], int]] = field(default_factory=dict)
    by_sex: dict[str, int] = field(default_factory=dict)  # the cooperative's total for each sex, when broken down


@dataclass(frozen=True)
class Source:
    key: str
    name: str
    measure: Measure
    by_sex: bool
    compute: Callable[[Session, Quarter], Derived]


def utc_bounds(quarter: Quarter) -> tuple[datetime, datetime]:
    """The quarter as instants: from its first local midnight to the next quarter's."""
    start = datetime.combine(quarter.starts_on, time(), LOCAL_ZONE)
    end = datetime.combine(quarter.next().starts_on, time(), LOCAL_ZONE)
    return start, end


def _additive(counts: dict[str, int]) -> Derived:
    return Derived(sum(counts.values()), {c: {(ALL, ALL): n} for c, n in sorted(counts.items())})


def _sessions(session: Session, quarter: Quarter, topics: tuple[Topic, ...] | None) -> Derived:
    query = (
        sa.select(CourseSession.community, sa.func.count())
        .join(Course, Course.id == CourseSession.course_id)
        .where(CourseSession.held_on.between(quarter.starts_on, quarter.ends_on))
        .group_by(CourseSession.community)
    )
    if topics is not None:
        query = query.where(Course.topic.in_(topics))
    return _additive(dict(session.execute(query).all()))


def sessions_held(session: Session, quarter: Quarter) -> Derived:
    return _sessions(session, quarter, None)


def vcaw_sessions(session: Session, quarter: Quarter) -> Derived:
    return _sessions(session, quarter, (Topic.vcaw,))


def catalyst_sessions(session: Session, quarter: Quarter) -> Derived:
    return _sessions(session, quarter, (Topic.catalyst, Topic.trainers))


def participants(session: Session, quarter: Quarter) -> Derived:
    """Each person once a quarter in each community: a member by her record, a guest by her name and sex."""
    rows = session.execute(
        sa.select(
            CourseSession.community,
            SessionAttendance.member_id,
            SessionAttendance.guest_name,
            SessionAttendance.guest_sex,
        )
        .join(CourseSession, CourseSession.id == SessionAttendance.session_id)
        .where(CourseSession.held_on.between(quarter.starts_on, quarter.ends_on))
    ).all()
    people: dict[str, set[tuple]] = defaultdict(set)
    for community, member_id, guest, sex in rows:
        who = ("member", member_id, Sex.woman.value) if member_id else ("guest", guest.strip().lower(), sex.value)
        people[community].add(who)
    by_community: dict[str, dict[tuple[str, str], int]] = {}
    by_sex: dict[str, int] = {s.value: 0 for s in Sex}
    for community, found in sorted(people.items()):
        cells = {(s.value, ALL): 0 for s in Sex}
        for who in found:
            cells[(who[2], ALL)] += 1
            by_sex[who[2]] += 1
        by_community[community] = cells
    return Derived(sum(by_sex.values()), by_community, by_sex)


def women_completing(session: Session, quarter: Quarter) -> Derived:
    """Members who completed a course whose last session was held in the quarter, by their community."""
    courses = session.execute(
        sa.select(CourseSession.course_id)
        .group_by(CourseSession.course_id)
        .having(sa.func.max(CourseSession.held_on).between(quarter.starts_on, quarter.ends_on))
    ).scalars()
    counts: dict[str, int] = defaultdict(int)
    done = [member for course_id in courses for member in completers(session, course_id)]
    communities = dict(session.execute(sa.select(Member.id, Member.community).where(Member.id.in_(done))).all())
    for member in done:
        counts[communities[member]] += 1
    return _additive(counts)


def women_in_positions(session: Session, quarter: Quarter) -> Derived:
    """Members holding at least one position at any time in the quarter, once each."""
    rows = session.execute(
        sa.select(Member.community, sa.func.count(sa.distinct(Term.member_id)))
        .join(Member, Member.id == Term.member_id)
        .where(Term.starts_on <= quarter.ends_on, Term.ends_on > quarter.starts_on)
        .group_by(Member.community)
    ).all()
    return _additive(dict(rows))


def assemblies_with_quorum(session: Session, quarter: Quarter) -> Derived:
    held = session.scalars(
        sa.select(Assembly.id).where(Assembly.meets_on.between(quarter.starts_on, quarter.ends_on))
    ).all()
    met = 0
    for assembly_id in held:
        try:
            met += assembly_quorum(session, assembly_id).met
        except DomainError:
            continue  # no bylaws in force that day: no quorum can be counted
    return Derived(met, {ALL: {(ALL, ALL): met}} if held else {})


def gross_sales(session: Session, quarter: Quarter) -> Derived:
    """What the pieces sold for (weavers' shares and the fund, without shipping), net of refunds."""
    total = rollups.gross(session, quarter.starts_on, quarter.next().starts_on)
    return Derived(total, {ALL: {(ALL, ALL): total}} if total else {})


def _earnings(session: Session, quarter: Quarter) -> dict[int, tuple[str, int]]:
    """Each weaver's earnings in the quarter, net of refunds, with her community."""
    earned = rollups.earnings_by_weaver(session, quarter.starts_on, quarter.next().starts_on)
    homes = dict(session.execute(sa.select(Weaver.id, Weaver.community).where(Weaver.id.in_(list(earned)))).all())
    return {weaver: (homes[weaver], amount) for weaver, amount in earned.items()}


def weavers_earnings(session: Session, quarter: Quarter) -> Derived:
    counts: dict[str, int] = defaultdict(int)
    for community, earned in _earnings(session, quarter).values():
        counts[community] += earned
    return _additive(counts)


def weavers_earning(session: Session, quarter: Quarter) -> Derived:
    counts: dict[str, int] = defaultdict(int)
    for community, earned in _earnings(session, quarter).values():
        counts[community] += earned > 0
    return _additive(counts)


def mean(values: list[int]) -> int:
    """In centavos, rounded half up."""
    return (2 * sum(values) + len(values)) // (2 * len(values))


def _per_earner(session: Session, quarter: Quarter, summary: Callable[[list[int]], int]) -> Derived:
    by_community: dict[str, list[int]] = defaultdict(list)
    for community, earned in _earnings(session, quarter).values():
        if earned > 0:
            by_community[community].append(earned)
    everyone = [e for values in by_community.values() for e in values]
    cells = {c: {(ALL, ALL): summary(v)} for c, v in sorted(by_community.items())}
    return Derived(summary(everyone) if everyone else 0, cells)


def median_earnings(session: Session, quarter: Quarter) -> Derived:
    return _per_earner(session, quarter, rollups.median)


def average_earnings(session: Session, quarter: Quarter) -> Derived:
    return _per_earner(session, quarter, mean)


def hourly_earnings(session: Session, quarter: Quarter) -> Derived:
    """The median of what each weaver earned an hour in the quarter, from the hours her sold pieces took by their
    fair-price worksheets (centavos an hour), by community."""
    by_community: dict[str, list[int]] = defaultdict(list)
    # The working week's hours only turn the wage benchmarks into hourly ones, which this value does not use:
    # what she earned an hour is her earnings over the hours her pieces took, whatever the week.
    found = fair_earnings(session, 48, utc_bounds(quarter))
    communities = dict(
        session.execute(sa.select(Weaver.id, Weaver.community).where(Weaver.id.in_([w.weaver_id for w in found]))).all()
    )
    for weaver in found:
        by_community[communities[weaver.weaver_id]].append(weaver.hourly)
    everyone = [w.hourly for w in found]
    cells = {c: {(ALL, ALL): rollups.median(v)} for c, v in sorted(by_community.items())}
    return Derived(rollups.median(everyone) if everyone else 0, cells)


def _agreements(levels: tuple[Level, ...]) -> Callable[[Session, Quarter], Derived]:
    def compute(session: Session, quarter: Quarter) -> Derived:
        found = agreements_in_force(session, quarter.starts_on, quarter.ends_on)
        total = sum(found[level] for level in levels)
        return Derived(total, {ALL: {(ALL, ALL): total}} if total else {})

    return compute


SOURCES: dict[str, Source] = {
    source.key: source
    for source in (
        Source("trainings.sessions_held", N_("Workshop sessions held"), Measure.count, False, sessions_held),
        Source("trainings.vcaw_sessions", N_("VCAW sessions held"), Measure.count, False, vcaw_sessions),
        Source("trainings.catalyst_sessions", N_("Catalyst trainings held"), Measure.count, False, catalyst_sessions),
        Source("trainings.participants", N_("Participants in trainings, by sex"), Measure.count, True, participants),
        Source("trainings.women_completing", N_("Women completing a course"), Measure.count, False, women_completing),
        Source("ledger.gross_sales", N_("Gross sales of pieces"), Measure.money, False, gross_sales),
        Source("ledger.weavers_earnings", N_("Weavers' earnings"), Measure.money, False, weavers_earnings),
        Source("ledger.weavers_earning", N_("Weavers with income"), Measure.count, False, weavers_earning),
        Source("ledger.median_earnings", N_("Median income per earning weaver"), Measure.money, False, median_earnings),
        Source(
            "ledger.average_earnings", N_("Average income per earning weaver"), Measure.money, False, average_earnings
        ),
        Source("ledger.hourly_earnings", N_("Implied earnings an hour, median"), Measure.money, False, hourly_earnings),
        Source("records.women_in_positions", N_("Women holding positions"), Measure.count, False, women_in_positions),
        Source(
            "records.assemblies_with_quorum",
            N_("Assemblies held with quorum"),
            Measure.count,
            False,
            assemblies_with_quorum,
        ),
        Source(
            "partnerships.government_agreements",
            N_("Government agencies with a signed agreement"),
            Measure.count,
            False,
            _agreements(GOVERNMENT),
        ),
        Source(
            "partnerships.municipal_agreements",
            N_("Municipal agencies with a signed agreement"),
            Measure.count,
            False,
            _agreements((Level.municipal,)),
        ),
        Source(
            "partnerships.state_agreements",
            N_("State agencies with a signed agreement"),
            Measure.count,
            False,
            _agreements((Level.state,)),
        ),
        Source(
            "partnerships.federal_agreements",
            N_("Federal agencies with a signed agreement"),
            Measure.count,
            False,
            _agreements((Level.federal,)),
        ),
    )
}
