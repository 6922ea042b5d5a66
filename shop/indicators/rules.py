"""The indicators' rules, pure: a percentage from its numerator and denominator, whether an actual meets its
target, the weighted score of targets met (80% or more reads "self-reliant"), and why a quarter's values are
locked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shop.indicators.periods import Quarter

BASIS_POINTS = 10_000
SELF_RELIANT_BP = 8_000


class Kind(StrEnum):
    output = "output"
    outcome = "outcome"
    impact = "impact"


DEFAULT_WEIGHTS = {Kind.output: 1, Kind.outcome: 2, Kind.impact: 3}


def percentage_bp(numerator: int, denominator: int) -> int:
    """Basis points, rounded half up once, here; 0 when there is nothing to divide by."""
    if denominator <= 0:
        return 0
    return (numerator * BASIS_POINTS * 2 + denominator) // (denominator * 2)


def meets(actual: int, target: int, *, ascending: bool) -> bool:
    """An ascending indicator meets its target at or above it; a descending one (fewer is better) at or below."""
    return actual >= target if ascending else actual <= target


@dataclass(frozen=True)
class Judged:
    """One indicator in a period: its weight and whether its actual met its target."""

    code: str
    weight: int
    met: bool


@dataclass(frozen=True)
class Score:
    met_weight: int
    total_weight: int
    judged: tuple[Judged, ...]

    @property
    def bp(self) -> int:
        return percentage_bp(self.met_weight, self.total_weight)

    @property
    def self_reliant(self) -> bool:
        return self.total_weight > 0 and self.bp >= SELF_RELIANT_BP


def score(judged: Iterable[Judged]) -> Score:
    """The weighted share of targets met: each indicator counts its weight when met. Indicators without a target
    or without an actual in the period are left out by the caller, not counted as missed."""
    items = tuple(judged)
    return Score(sum(j.weight for j in items if j.met), sum(j.weight for j in items), items)


class Lock(StrEnum):
    approved = "approved"
    window_closed = "window_closed"  # past the entry window
    not_open = "not_open"  # the quarter has not begun


def lock_of(quarter: Quarter, today: date, *, entry_days: int, approved: bool, excepted: bool) -> Lock | None:
    """Why the quarter's values cannot be changed today, or None when they can. The council's exception opens an
    approved quarter or one past its window, never one that has not begun."""
    if today < quarter.starts_on:
        return Lock.not_open
    if excepted:
        return None
    if approved:
        return Lock.approved
    if today > quarter.entry_closes_on(entry_days):
        return Lock.window_closed
    return None
