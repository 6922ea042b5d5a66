from decimal import Decimal

import pytest

from shop.errors import ValidationFailed
from shop.money import Money, convert_for_display, format_money, parse_amount, split_basis_points


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1850", 185000), ("1,850.50", 185050), ("$1850.5", 185050), (" 0.01 ", 1), ("0", 0)],
)
def test_parse_amount_accepts_what_people_type(text, expected):
    assert parse_amount(text, "MXN") == expected


@pytest.mark.parametrize("text", ["", "abc", "1.005", "-5", "NaN", "Infinity", "1e400000"])
def test_parse_amount_refuses_inexact_or_invalid(text):
    with pytest.raises(ValidationFailed) as caught:
        parse_amount(text, "MXN", field="price")
    assert caught.value.field == "price"


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(10.5, "MXN")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot combine"):
        Money(1, "MXN") + Money(1, "USD")
    assert Money(150, "MXN") - Money(50, "MXN") == Money(100, "MXN")
    assert Money(185050, "MXN").as_decimal() == Decimal("1850.50")


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        (185000, "MXN", "es_MX", "$1,850 MXN"),
        (185050, "MXN", "es_MX", "$1,850.50 MXN"),
        (185000, "MXN", "en_US", "MX$1,850"),
        (10200, "USD", "en_US", "$102 USD"),
        (10200, "USD", "es_MX", "102 USD"),
        (-5000, "MXN", "es_MX", "−$50 MXN"),
    ],
)
def test_format_money_is_never_ambiguous(amount, currency, locale, expected):
    assert format_money(amount, currency, locale) == expected


def test_format_money_keeps_cents_when_asked():
    assert format_money(185000, "MXN", "es_MX", trim_cents=False) == "$1,850.00 MXN"


def test_convert_for_display_rounds_half_up():
    # 1850 MXN at 18.20 MXN per USD is 101.648... USD.
    assert convert_for_display(185000, "MXN", "USD", Decimal("18.20")) == 10165
    assert convert_for_display(185000, "MXN", "USD", Decimal("18.20"), whole_units=True) == 10200


def test_split_basis_points_rounds_down():
    assert split_basis_points(1001, 8000) == 800
    assert split_basis_points(100, 10_000) == 100
    with pytest.raises(ValueError, match="between"):
        split_basis_points(100, 10_001)
