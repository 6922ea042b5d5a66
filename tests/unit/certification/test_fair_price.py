"""The fair minimum price and the benchmark conversions, in centavos and minutes, rounded up where a minimum is
computed and down where an earning is reported."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.certification.fair_price import (
    WageUnit,
    Worksheet,
    fair_minimum,
    hourly_centavos,
    implied_hourly,
)


def test_the_2026_minimum_wage_a_day_is_an_hourly_rate_of_a_48_hour_week():
    # 315.04 pesos a day, six days of eight hours: 39.38 pesos an hour.
    assert hourly_centavos(31_504, WageUnit.day, 48) == 3_938


def test_a_monthly_benchmark_is_spread_over_the_weeks_of_a_year():
    # The Global Living Wage Coalition's rural Nayarit 13,272 pesos a month: 208 hours a month at 48 a week.
    assert hourly_centavos(1_327_200, WageUnit.month, 48) == 6_381  # 63.807… rounded up
    assert hourly_centavos(1_327_200, WageUnit.month, 40) == 7_657  # a shorter week pays more an hour


def test_an_hourly_benchmark_is_itself_and_the_week_stays_within_the_law():
    assert hourly_centavos(5_000, WageUnit.hour, 48) == 5_000
    for hours in (0, 49):
        with pytest.raises(ValueError, match="between 1 and 48 hours"):
            hourly_centavos(31_504, WageUnit.day, hours)


def test_a_huipil_worksheet_adds_labour_materials_overhead_and_margin():
    # 60 hours at 39.38 an hour, 450 pesos of thread, 10% overhead, 15% margin.
    price = fair_minimum(Worksheet(materials=45_000, minutes=3_600, hourly=3_938, overhead_bp=1_000, margin_bp=1_500))
    assert (price.labour, price.overhead, price.margin) == (236_280, 28_128, 46_412)
    assert price.minimum == 355_820  # 3,558.20 pesos


def test_a_worksheet_refuses_negative_figures():
    with pytest.raises(ValueError, match="no negative figure"):
        Worksheet(materials=-1, minutes=60, hourly=3_938)


def test_implied_hourly_earnings_round_down_and_need_hours():
    assert implied_hourly(100_000, 90) == 66_666
    assert implied_hourly(100_000, 0) is None


@given(
    materials=st.integers(0, 10**8),
    minutes=st.integers(0, 10**6),
    hourly=st.integers(0, 10**6),
    overhead_bp=st.integers(0, 20_000),
    margin_bp=st.integers(0, 20_000),
)
def test_the_minimum_is_never_below_the_exact_figure_and_rounds_by_less_than_a_centavo_a_step(
    materials, minutes, hourly, overhead_bp, margin_bp
):
    price = fair_minimum(Worksheet(materials, minutes, hourly, overhead_bp, margin_bp))
    overhead, margin = Fraction(10_000 + overhead_bp, 10_000), Fraction(10_000 + margin_bp, 10_000)
    exact = (materials + Fraction(minutes * hourly, 60)) * overhead * margin
    assert exact <= price.minimum < exact + overhead * margin + margin + 1
