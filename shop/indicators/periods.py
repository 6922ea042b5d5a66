"""Indicators are reported by calendar quarter ("2026-Q3"), the partner's reporting rhythm, and each quarter has
an entry window: values may be entered from its first day until some days after its last."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shop.errors import N_, ValidationFailed

PATTERN = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = PATTERN.fullmatch((text or "").strip().upper())
        if not found or not 2000 <= int(found.group(1)) <= 2999:
            raise ValidationFailed(N_("Write the quarter as 2026-Q3."), field="period")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> date:
        """Its last day."""
        return self.next().starts_on - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def entry_closes_on(self, entry_days: int) -> date:
        """The last day values may be entered without an exception."""
        return self.ends_on + timedelta(days=entry_days)

    def __str__(self) -> str:
        return self.key


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    found, current = [], first
    while current <= last:
        found.append(current)
        current = current.next()
    return found
