"""The fair minimum price of a piece, from what it cost and the hours it took, paid at a wage benchmark: the
arithmetic a certifier can check line by line. Money in centavos and time in minutes, so no float touches it;
every division rounds up, because a minimum that rounds down is no longer a minimum."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

BASIS_POINTS = 10_000
WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
WORKING_DAYS_PER_WEEK = 6  # Mexico's Ley Federal del Trabajo: one rest day in seven


class WageUnit(StrEnum):
    hour = "hour"
    day = "day"
    month = "month"


class WageBasis(StrEnum):
    """Whom a benchmark counts: a wage earned per worker, or an income needed per person of a household."""

    per_worker = "per_worker"
    per_person = "per_person"


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def hourly_centavos(amount: int, unit: WageUnit, week_hours: int) -> int:
    """A benchmark's amount (centavos per ``unit``) as centavos per hour of a standard week of ``week_hours``
    hours (at most 48, the legal week) worked over six days."""
    if not 0 < week_hours <= 48:
        raise ValueError("a standard working week has between 1 and 48 hours")
    if unit is WageUnit.hour:
        return amount
    if unit is WageUnit.day:
        return _ceil_div(amount * WORKING_DAYS_PER_WEEK, week_hours)
    return _ceil_div(amount * MONTHS_PER_YEAR, WEEKS_PER_YEAR * week_hours)


@dataclass(frozen=True)
class Worksheet:
    """One product's inputs: what its materials cost, how long it took, and what is added on top."""

    materials: int  # centavos
    minutes: int  # of work, every weaver together
    hourly: int  # centavos an hour, from the chosen benchmark
    overhead_bp: int = 0
    margin_bp: int = 0

    def __post_init__(self) -> None:
        if min(self.materials, self.minutes, self.hourly, self.overhead_bp, self.margin_bp) < 0:
            raise ValueError("a worksheet has no negative figure")


@dataclass(frozen=True)
class FairPrice:
    labour: int
    materials: int
    overhead: int
    margin: int

    @property
    def minimum(self) -> int:
        return self.labour + self.materials + self.overhead + self.margin


def fair_minimum(sheet: Worksheet) -> FairPrice:
    """Labour (hours at the benchmark) plus materials, then overhead on that cost, then the margin on the
    whole; each step rounded up to the centavo."""
    labour = _ceil_div(sheet.minutes * sheet.hourly, 60)
    cost = labour + sheet.materials
    overhead = _ceil_div(cost * sheet.overhead_bp, BASIS_POINTS)
    margin = _ceil_div((cost + overhead) * sheet.margin_bp, BASIS_POINTS)
    return FairPrice(labour=labour, materials=sheet.materials, overhead=overhead, margin=margin)


def implied_hourly(earned: int, minutes: int) -> int | None:
    """What a weaver earned an hour (centavos, rounded down: never flattering), or None without hours."""
    return None if minutes <= 0 else earned * 60 // minutes
