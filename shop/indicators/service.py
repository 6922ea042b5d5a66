"""Defining indicators and their targets, entering their values cell by cell with a history of every change,
approving a quarter (which locks it) and the council's exceptions to a lock, and judging each quarter's score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import product

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.cooperative.models import AgeBand, Member, Sex
from shop.errors import N_, Conflict, InvalidState, NotFound, Phrase, ValidationFailed
from shop.indicators.derived import SOURCES, Derived
from shop.indicators.models import (
    ALL,
    Approval,
    Category,
    Indicator,
    IndicatorValue,
    LockException,
    Measure,
    Pillar,
    Target,
    ValueChange,
)
from shop.indicators.periods import Quarter
from shop.indicators.rules import DEFAULT_WEIGHTS, Judged, Kind, Lock, Score, lock_of, meets, percentage_bp, score

LOCK_REASONS = {
    Lock.approved: N_("the quarter is approved for this community"),
    Lock.window_closed: N_("the quarter's entry window has closed"),
    Lock.not_open: N_("the quarter has not begun"),
}
MAX_VALUE = 10**15

# The history's note on a derived value kept when its quarter was approved; shown translated.
APPROVED_NOTE = N_("kept as it stood when the quarter was approved")


@dataclass(frozen=True)
class Spec:
    code: str
    name_es: str
    name_en: str
    pillar: Pillar
    kind: Kind
    measure: Measure
    category: Category | None = None
    weight: int | None = None  # None: the kind's default
    ascending: bool = True
    by_sex: bool = False
    by_age: bool = False
    baseline_value: int | None = None
    baseline_year: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Person:
    id: int | None
    name: str


def define(session: Session, spec: Spec) -> Indicator:
    problems = []
    code = spec.code.strip().upper()
    if not code:
        problems.append(ValidationFailed(N_("Write the indicator's code."), field="code"))
    elif session.scalar(sa.select(Indicator.id).where(Indicator.code == code)) is not None:
        problems.append(ValidationFailed(N_("Another indicator has this code."), field="code"))
    if not spec.name_es.strip():
        problems.append(ValidationFailed(N_("Write the indicator's name in Spanish."), field="name_es"))
    if not spec.name_en.strip():
        problems.append(ValidationFailed(N_("Write the indicator's name in English."), field="name_en"))
    weight = spec.weight if spec.weight is not None else DEFAULT_WEIGHTS[spec.kind]
    if not 1 <= weight <= 100:
        problems.append(ValidationFailed(N_("The weight is a whole number from 1 to 100."), field="weight"))
    if (spec.baseline_value is None) != (spec.baseline_year is None):
        problems.append(ValidationFailed(N_("A baseline needs both its value and its year."), field="baseline_year"))
    source = SOURCES.get(spec.source) if spec.source else None
    if spec.source and source is None:
        problems.append(ValidationFailed(N_("There is no such source of derived values."), field="source"))
    if spec.measure is Measure.percentage and spec.baseline_value is not None and spec.baseline_value > 10_000:
        problems.append(ValidationFailed(N_("A percentage is at most 100."), field="baseline_value"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    indicator = Indicator(
        code=code,
        name_es=spec.name_es.strip(),
        name_en=spec.name_en.strip(),
        pillar=spec.pillar,
        category=spec.category,
        kind=spec.kind,
        weight=weight,
        measure=source.measure if source else spec.measure,
        ascending=spec.ascending,
        by_sex=source.by_sex if source else spec.by_sex,
        by_age=False if source else spec.by_age,
        baseline_value=spec.baseline_value,
        baseline_year=spec.baseline_year,
        source=spec.source,
    )
    session.add(indicator)
    session.flush()
    return indicator


def find(session: Session, indicator_id: int) -> Indicator:
    indicator = session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound(N_("There is no such indicator."))
    return indicator


def set_target(session: Session, indicator_id: int, quarter: Quarter, value: int) -> Target:
    indicator = find(session, indicator_id)
    if not 0 <= value <= MAX_VALUE or (indicator.measure is Measure.percentage and value > 10_000):
        raise ValidationFailed(N_("The target is out of range."), field="target")
    target = session.scalar(sa.select(Target).where(Target.indicator_id == indicator.id, Target.period == quarter.key))
    if target is None:
        target = Target(indicator_id=indicator.id, period=quarter.key, value=value)
        session.add(target)
    else:
        target.value = value
    session.flush()
    return target


def lock_for(session: Session, quarter: Quarter, community: str, today: date, *, entry_days: int) -> Lock | None:
    approved = session.scalar(
        sa.select(Approval.id).where(Approval.period == quarter.key, Approval.community == community)
    )
    excepted = session.scalar(
        sa.select(LockException.id).where(
            LockException.period == quarter.key, LockException.community == community, LockException.until >= today
        )
    )
    return lock_of(quarter, today, entry_days=entry_days, approved=approved is not None, excepted=excepted is not None)


def refuse_if_locked(session: Session, quarter: Quarter, community: str, today: date, *, entry_days: int) -> None:
    lock = lock_for(session, quarter, community, today, entry_days=entry_days)
    if lock is not None:
        raise InvalidState(
            N_("The values of %(period)s are locked: %(reason)s."),
            period=quarter.key,
            reason=Phrase(LOCK_REASONS[lock]),
            code=f"locked_{lock.value}",
        )


@dataclass(frozen=True)
class Cell:
    """A count or an amount (``value``), or a percentage's numerator and denominator."""

    value: int | None = None
    numerator: int | None = None
    denominator: int | None = None


def cells_of(indicator: Indicator) -> list[tuple[str, str]]:
    """The (sex, age band) cells an indicator's values are entered in: one total, or its breakdown."""
    sexes = [s.value for s in Sex] if indicator.by_sex else [ALL]
    ages = [a.value for a in AgeBand] if indicator.by_age else [ALL]
    return list(product(sexes, ages))


def _checked(indicator: Indicator, cell: Cell) -> tuple[int, int | None, int | None]:
    if indicator.measure is Measure.percentage:
        numerator, denominator = cell.numerator, cell.denominator
        if numerator is None or denominator is None or not 0 <= numerator <= denominator <= MAX_VALUE:
            raise ValidationFailed(N_("A percentage needs how many of how many, such as 12 of 30."), field="value")
        return percentage_bp(numerator, denominator), numerator, denominator
    if cell.value is None or not 0 <= cell.value <= MAX_VALUE:
        raise ValidationFailed(N_("Enter a whole number, such as 3."), field="value")
    return cell.value, None, None


def enter(
    session: Session,
    indicator_id: int,
    quarter: Quarter,
    community: str,
    cells: dict[tuple[str, str], Cell],
    *,
    by: Person,
    today: date,
    entry_days: int,
    note: str = "",
) -> IndicatorValue:
    """Every cell of the indicator's breakdown for a quarter and a community, and their total; each change is
    kept in the history. Refused whole, with its reason, when the quarter is locked."""
    indicator = find(session, indicator_id)
    if indicator.source:
        raise InvalidState(N_("This indicator is derived from the shop's registers: it is not typed in."))
    community = community.strip()
    refuse_if_locked(session, quarter, community, today, entry_days=entry_days)
    wanted = cells_of(indicator)
    if set(cells) != set(wanted):
        raise ValidationFailed(N_("Enter every cell of the indicator's breakdown."), field="value")
    checked = {key: _checked(indicator, cells[key]) for key in wanted}
    if wanted != [(ALL, ALL)]:
        if indicator.measure is Measure.percentage:
            numerator = sum(c[1] for c in checked.values())
            denominator = sum(c[2] for c in checked.values())
            checked[(ALL, ALL)] = (percentage_bp(numerator, denominator), numerator, denominator)
        else:
            checked[(ALL, ALL)] = (sum(c[0] for c in checked.values()), None, None)
    return _write(session, indicator, quarter, community, checked, by=by, note=note)


def _write(
    session: Session,
    indicator: Indicator,
    quarter: Quarter,
    community: str,
    checked: dict[tuple[str, str], tuple[int, int | None, int | None]],
    *,
    by: Person,
    note: str,
) -> IndicatorValue:
    """Store each cell that changed, with its line in the history; returns the total cell."""
    existing = {
        (row.sex, row.age_band): row
        for row in session.scalars(
            sa.select(IndicatorValue).where(
                IndicatorValue.indicator_id == indicator.id,
                IndicatorValue.period == quarter.key,
                IndicatorValue.community == community,
            )
        )
    }
    now = utcnow()
    for (sex, age), (value, numerator, denominator) in checked.items():
        row = existing.get((sex, age))
        before = row.value if row is not None else None
        if row is not None and (row.value, row.numerator, row.denominator) == (value, numerator, denominator):
            continue
        if row is None:
            row = IndicatorValue(
                indicator_id=indicator.id, period=quarter.key, community=community, sex=sex, age_band=age, value=0
            )
            session.add(row)
        row.value, row.numerator, row.denominator = value, numerator, denominator
        row.updated_at, row.updated_by = now, by.name
        session.add(
            ValueChange(
                indicator_id=indicator.id,
                period=quarter.key,
                community=community,
                sex=sex,
                age_band=age,
                before=before,
                after=value,
                numerator=numerator,
                denominator=denominator,
                by_id=by.id,
                by_name=by.name,
                at=now,
                note=note.strip()[:300],
            )
        )
    session.flush()
    return session.scalar(
        sa.select(IndicatorValue).where(
            IndicatorValue.indicator_id == indicator.id,
            IndicatorValue.period == quarter.key,
            IndicatorValue.community == community,
            IndicatorValue.sex == ALL,
            IndicatorValue.age_band == ALL,
        )
    )


def approve(session: Session, quarter: Quarter, community: str, *, by: Person, today: date) -> Approval:
    """Approving a quarter for a community locks its values; only once the quarter has ended."""
    if today <= quarter.ends_on:
        raise InvalidState(N_("%(period)s can be approved once it has ended."), period=quarter.key)
    taken = sa.select(Approval.id).where(Approval.period == quarter.key, Approval.community == community.strip())
    if session.scalar(taken) is not None:
        raise Conflict(N_("%(period)s is already approved for this community."), period=quarter.key)
    approval = Approval(period=quarter.key, community=community.strip(), by_id=by.id, by_name=by.name)
    session.add(approval)
    for indicator in session.scalars(sa.select(Indicator).where(Indicator.source.is_not(None))):
        found = SOURCES[indicator.source].compute(session, quarter)
        _write(
            session,
            indicator,
            quarter,
            approval.community,
            snapshot(indicator, found, approval.community),
            by=by,
            note=APPROVED_NOTE,
        )
    session.flush()
    return approval


def snapshot(indicator: Indicator, found: Derived, community: str) -> dict[tuple[str, str], tuple[int, None, None]]:
    """The cells a derived indicator keeps when a quarter is approved: a community's own, or for the whole
    cooperative ("") its total and, when broken down, its total for each sex."""
    if community == ALL:
        cells = {(ALL, ALL): found.total}
        cells |= {(sex, ALL): n for sex, n in found.by_sex.items()} if indicator.by_sex else {}
    else:
        own = found.by_community.get(community, {})
        cells = {key: own.get(key, 0) for key in cells_of(indicator)}
        if indicator.by_sex:
            cells[(ALL, ALL)] = sum(cells.values())
    return {key: (value, None, None) for key, value in cells.items()}


def grant_exception(
    session: Session, quarter: Quarter, community: str, *, until: date, reason: str, by: Person, today: date
) -> LockException:
    """The council opens a locked quarter for a community until a day, for a reason that stays on record."""
    if today < quarter.starts_on:
        raise InvalidState(N_("%(period)s has not begun: there is nothing to open."), period=quarter.key)
    if until < today:
        raise ValidationFailed(N_("The exception must last until today or later."), field="until")
    if not reason.strip():
        raise ValidationFailed(N_("Write why the quarter is opened again."), field="reason")
    granted = LockException(
        period=quarter.key,
        community=community.strip(),
        until=until,
        reason=reason.strip(),
        by_id=by.id,
        by_name=by.name,
    )
    session.add(granted)
    session.flush()
    return granted


@dataclass(frozen=True)
class Actual:
    value: int
    numerator: int | None = None
    denominator: int | None = None


def actuals(session: Session, quarter: Quarter) -> dict[int, Actual]:
    """Each indicator's actual in the quarter: its total cells summed over the communities (a percentage from
    the summed numerators and denominators)."""
    rows = session.execute(
        sa.select(
            IndicatorValue.indicator_id,
            sa.func.sum(IndicatorValue.value),
            sa.func.sum(IndicatorValue.numerator),
            sa.func.sum(IndicatorValue.denominator),
            sa.func.count(IndicatorValue.numerator),
        )
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(
            IndicatorValue.period == quarter.key,
            IndicatorValue.sex == ALL,
            IndicatorValue.age_band == ALL,
            Indicator.source.is_(None),
        )
        .group_by(IndicatorValue.indicator_id)
    ).all()
    found = {}
    for indicator_id, total, numerator, denominator, fractions in rows:
        if fractions:
            found[indicator_id] = Actual(
                percentage_bp(int(numerator), int(denominator)), int(numerator), int(denominator)
            )
        else:
            found[indicator_id] = Actual(int(total))
    return found | derived_actuals(session, quarter)


def derived_actuals(session: Session, quarter: Quarter) -> dict[int, Actual]:
    """A derived indicator's actual is the whole cooperative's total: as kept when the quarter was approved for
    the whole cooperative, else computed now from the registers."""
    kept = dict(
        session.execute(
            sa.select(IndicatorValue.indicator_id, IndicatorValue.value)
            .join(Approval, sa.and_(Approval.period == IndicatorValue.period, Approval.community == ALL))
            .where(
                IndicatorValue.period == quarter.key,
                IndicatorValue.community == ALL,
                IndicatorValue.sex == ALL,
                IndicatorValue.age_band == ALL,
            )
        ).all()
    )
    found = {}
    for indicator in session.scalars(sa.select(Indicator).where(Indicator.source.is_not(None))):
        value = kept.get(indicator.id)
        found[indicator.id] = Actual(
            value if value is not None else SOURCES[indicator.source].compute(session, quarter).total
        )
    return found


@dataclass(frozen=True)
class Row:
    """An indicator in a quarter: its target, its actual, and whether the actual met it."""

    indicator: Indicator
    target: int | None
    actual: Actual | None

    @property
    def met(self) -> bool | None:
        if self.target is None or self.actual is None:
            return None
        return meets(self.actual.value, self.target, ascending=self.indicator.ascending)


def quarter_rows(session: Session, quarter: Quarter) -> list[Row]:
    """Every indicator with its target and actual in the quarter, by pillar and code."""
    targets = dict(
        session.execute(sa.select(Target.indicator_id, Target.value).where(Target.period == quarter.key)).all()
    )
    found = actuals(session, quarter)
    pillars = {pillar: n for n, pillar in enumerate(Pillar)}  # as the partner lists them
    indicators = sorted(session.scalars(sa.select(Indicator)), key=lambda i: (pillars[i.pillar], i.code))
    return [Row(i, targets.get(i.id), found.get(i.id)) for i in indicators]


def communities(session: Session) -> list[str]:
    """Where the cooperative's members and weavers live, and any community a value was entered for."""
    names = set(session.scalars(sa.select(Member.community)))
    names |= set(session.scalars(sa.select(Weaver.community)))
    names |= set(session.scalars(sa.select(IndicatorValue.community).distinct()))
    return sorted(n for n in names if n)


def by_pillar(rows: list[Row]) -> list[tuple[Pillar, list[Row]]]:
    """Rows grouped by pillar, in the partner's order (rows come sorted by pillar)."""
    groups: dict[Pillar, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.indicator.pillar, []).append(row)
    return list(groups.items())


def score_of(rows: list[Row]) -> Score:
    """The weighted score of the rows with both a target and an actual, judged in the order of their codes."""
    return score(
        Judged(r.indicator.code, r.indicator.weight, r.met)
        for r in sorted(rows, key=lambda r: r.indicator.code)
        if r.met is not None
    )


def quarter_score(session: Session, quarter: Quarter) -> Score:
    """The weighted score of the targets met in the quarter, over the indicators with both a target and an
    actual."""
    return score_of(quarter_rows(session, quarter))
