"""CLABE checks: length, Banxico's check digit and the bank, against an independent check digit in this file."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.ledger.clabe import (
    BANKS,
    UNKNOWN_BANK,
    WRONG_CHECK_DIGIT,
    WRONG_LENGTH,
    bank_of,
    clabe_check_digit,
    clabe_problem,
    normalize_clabe,
)

DIGITS = "0123456789"


def check_digit(first_17: str) -> str:
    """Banxico's rule, written again here: weights 3, 7, 1 repeating, each product mod 10, then 10 - sum mod 10."""
    assert len(first_17) == 17
    weights = [3, 7, 1] * 6
    total = sum(int(d) * w % 10 for d, w in zip(first_17, weights, strict=False))
    return str((10 - total % 10) % 10)


def valid(first_17: str) -> str:
    return first_17 + check_digit(first_17)


# A real-looking CLABE whose check digit holds, at 032 (IXE, gone: not in BANKS).
UNKNOWN_BANK_CLABE = "032180000118359719"
BBVA = valid("01218000011835971")
STP = valid("64618012345678901")
BANORTE = valid("07232000000000000")
KNOWN = [BBVA, STP, BANORTE]


def test_the_independent_check_digit_agrees_on_the_known_clabe():
    assert check_digit(UNKNOWN_BANK_CLABE[:17]) == "9"
    assert clabe_check_digit(UNKNOWN_BANK_CLABE[:17]) == 9


@pytest.mark.parametrize("clabe", KNOWN)
def test_a_valid_clabe_at_a_known_bank_has_no_problem(clabe):
    assert clabe[:3] in BANKS
    assert clabe_problem(clabe) is None
    assert normalize_clabe(clabe) == clabe


def test_bank_of_names_the_bank():
    assert bank_of(BBVA) == "BBVA MEXICO"
    assert bank_of(STP) == "STP"
    assert bank_of(BANORTE) == "BANORTE"
    assert bank_of("012 180 000118359710") == "BBVA MEXICO"
    assert bank_of(UNKNOWN_BANK_CLABE) is None
    assert bank_of("") is None


@pytest.mark.parametrize(
    "typed",
    [
        "012 180 00011835971{}",
        "012-180-00011835971{}",
        "012\u00a0180\u00a000011835971{}",  # non-breaking spaces pasted from a PDF
        "012\u202f180\u202f00011835971{}",  # narrow non-breaking spaces
        "012\t180\u201300011835971{}",  # a tab and an en dash
        " 0121 8000 0118 3597 1{} ",
        "012 - 180 - 00011835971 - {}",
    ],
)
def test_spaces_and_dashes_are_thrown_away(typed):
    text = typed.format(BBVA[-1])
    assert normalize_clabe(text) == BBVA
    assert clabe_problem(text) is None
    assert bank_of(text) == "BBVA MEXICO"


@pytest.mark.parametrize("text", [BBVA[:17], BBVA + "0", "", "012", BBVA * 2, "0" * 17, "0" * 19])
def test_wrong_number_of_digits(text):
    assert clabe_problem(text) == WRONG_LENGTH


@pytest.mark.parametrize(
    "text",
    [
        "01218000011835971O",  # a letter O for a zero, 18 characters
        "O12180000118359710",
        "abcdefghijklmnopqr",
        "012180000118359.71",
        "012180000118359_71",
        "012,180,000118359710",
        "CLABE 012180000118359710",
    ],
)
def test_letters_and_other_signs_are_refused(text):
    assert clabe_problem(text) == WRONG_LENGTH
    with pytest.raises(ValueError, match="digits only"):
        normalize_clabe(text)


@pytest.mark.parametrize(
    "odd",
    [
        "²",  # superscript two: str.isdigit() says yes
        "\u0662",  # Arabic-Indic two: str.isdecimal() says yes
        "\uff12",  # fullwidth two
        "\u096a",  # Devanagari four
    ],
)
def test_digits_of_other_scripts_are_refused(odd):
    text = BBVA[:-1] + odd
    assert odd.isdigit()
    assert clabe_problem(text) == WRONG_LENGTH
    with pytest.raises(ValueError, match="digits only"):
        normalize_clabe(text)
    with pytest.raises(ValueError, match="17 digits"):
        clabe_check_digit(BBVA[:16] + odd)


@pytest.mark.parametrize("first", ["", BBVA[:16], BBVA, BBVA[:17] + "0", "0121800001183597a"])
def test_check_digit_needs_exactly_17_digits(first):
    with pytest.raises(ValueError, match="17 digits"):
        clabe_check_digit(first)


@pytest.mark.parametrize("clabe", [*KNOWN, UNKNOWN_BANK_CLABE])
def test_a_wrong_last_digit_is_a_typing_mistake(clabe):
    for digit in DIGITS:
        if digit != clabe[-1]:
            assert clabe_problem(clabe[:-1] + digit) == WRONG_CHECK_DIGIT


@pytest.mark.parametrize("clabe", [*KNOWN, UNKNOWN_BANK_CLABE])
def test_every_single_digit_change_is_caught(clabe):
    changed = 0
    for position in range(18):
        for digit in DIGITS:
            if digit == clabe[position]:
                continue
            typo = clabe[:position] + digit + clabe[position + 1 :]
            problem = clabe_problem(typo)
            assert problem is not None, typo
            # Checked before the bank, so even a typo in the bank's digits is reported as a typing mistake.
            assert problem == WRONG_CHECK_DIGIT, typo
            changed += 1
    assert changed == 18 * 9


def test_a_valid_check_digit_at_an_unknown_bank():
    assert clabe_problem(UNKNOWN_BANK_CLABE) == UNKNOWN_BANK
    assert clabe_problem("032 180 000118359719") == UNKNOWN_BANK
    for prefix in ("000", "032", "999", "700"):
        assert prefix not in BANKS
        assert clabe_problem(valid(prefix + "12345678901234")) == UNKNOWN_BANK


def test_bank_codes_are_three_digits():
    assert all(len(code) == 3 and set(code) <= set(DIGITS) for code in BANKS)


seventeen_digits = st.text(alphabet=DIGITS, min_size=17, max_size=17)
# Prefixes in BANKS are under a tenth of all three-digit ones: draw them half the time so both sides are seen.
seventeen_digits_often_at_a_bank = st.one_of(
    seventeen_digits,
    st.tuples(st.sampled_from(sorted(BANKS)), st.text(alphabet=DIGITS, min_size=14, max_size=14)).map("".join),
)


@given(seventeen_digits)
def test_check_digit_agrees_with_the_independent_one(first_17):
    assert str(clabe_check_digit(first_17)) == check_digit(first_17)


@given(seventeen_digits_often_at_a_bank)
def test_appending_the_check_digit_makes_a_clabe_that_passes_iff_its_bank_is_known(first_17):
    clabe = first_17 + str(clabe_check_digit(first_17))
    problem = clabe_problem(clabe)
    assert (problem is None) == (first_17[:3] in BANKS)
    if problem is not None:
        assert problem == UNKNOWN_BANK


@given(seventeen_digits_often_at_a_bank, st.integers(min_value=0, max_value=16))
def test_swapping_neighbours_is_caught_unless_they_differ_by_five(first_17, position):
    clabe = valid(first_17)
    a, b = clabe[position], clabe[position + 1]
    swapped = clabe[:position] + b + a + clabe[position + 2 :]
    if a == b:
        assert swapped == clabe
    elif abs(int(a) - int(b)) == 5:
        assert clabe_problem(swapped) != WRONG_CHECK_DIGIT
    else:
        assert clabe_problem(swapped) == WRONG_CHECK_DIGIT
