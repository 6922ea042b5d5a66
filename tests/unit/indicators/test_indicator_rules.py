"""The indicators' pure rules: quarters and their entry window, percentages, targets met either way, the
weighted score with a worked example, and why a quarter is locked."""

from __future__ import annotations

from datetime import date

import pytest

from shop.errors import ValidationFailed
from shop.indicators.periods import Quarter, quarters_between
from shop.indicators.rules import Judged, Lock, lock_of, meets, percentage_bp, score


def test_a_quarter_knows_its_days_and_its_neighbours():
    q = Quarter.parse(" 2026-q4 ")
    assert (q.key, q.starts_on, q.ends_on) == ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31))
    assert (q.next().key, q.previous().key) == ("2027-Q1", "2026-Q3")
    assert Quarter.of(date(2026, 2, 28)) == Quarter(2026, 1)
    assert Quarter(2024, 1).ends_on == date(2024, 3, 31)
    assert Quarter(2026, 1).entry_closes_on(30) == date(2026, 4, 30)
    assert [x.key for x in quarters_between(Quarter(2025, 3), Quarter(2026, 1))] == ["2025-Q3", "2025-Q4", "2026-Q1"]


@pytest.mark.parametrize("text", ["2026-Q5", "2026Q1", "26-Q1", "", "1999-Q1", "2026-Q0"])
def test_a_mistyped_quarter_is_refused(text):
    with pytest.raises(ValidationFailed):
        Quarter.parse(text)


def test_a_percentage_is_rounded_half_up_once():
    assert percentage_bp(1, 3) == 3333
    assert percentage_bp(2, 3) == 6667
    assert percentage_bp(1, 8) == 1250
    assert percentage_bp(0, 0) == 0
    assert percentage_bp(7, 7) == 10_000


def test_a_target_is_met_at_or_above_or_for_fewer_is_better_at_or_below():
    assert meets(10, 10, ascending=True) and not meets(9, 10, ascending=True)
    assert meets(3, 5, ascending=False) and not meets(6, 5, ascending=False)


def test_the_score_is_the_weighted_share_of_targets_met():
    # Worked example: two outputs (weight 1), an outcome (2) and an impact (3); the impact and one output met:
    # (3 + 1) / (1 + 1 + 2 + 3) = 4/7 = 57.14%, not self-reliant. With the outcome met too: 6/7 = 85.71%.
    judged = [Judged("A", 1, True), Judged("B", 1, False), Judged("C", 2, False), Judged("D", 3, True)]
    found = score(judged)
    assert (found.met_weight, found.total_weight, found.bp, found.self_reliant) == (4, 7, 5714, False)
    judged[2] = Judged("C", 2, True)
    assert (score(judged).bp, score(judged).self_reliant) == (8571, True)
    assert score([Judged("A", 4, True), Judged("B", 1, False)]).bp == 8000  # exactly 80% reads self-reliant
    assert score([Judged("A", 4, True), Judged("B", 1, False)]).self_reliant
    assert not score([]).self_reliant and score([]).bp == 0


def test_why_a_quarter_is_locked():
    q = Quarter(2026, 2)  # April to June; entry until 30 July with 30 days
    open_day, late = date(2026, 7, 30), date(2026, 7, 31)
    assert lock_of(q, open_day, entry_days=30, approved=False, excepted=False) is None
    assert lock_of(q, late, entry_days=30, approved=False, excepted=False) is Lock.window_closed
    assert lock_of(q, date(2026, 3, 31), entry_days=30, approved=False, excepted=True) is Lock.not_open
    assert lock_of(q, open_day, entry_days=30, approved=True, excepted=False) is Lock.approved
    assert lock_of(q, late, entry_days=30, approved=True, excepted=True) is None  # the council's exception
