"""Amounts in words for cash receipts ("importe con letra"): hand-checked examples, refusals and properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.money_words import MAX_CENTAVOS, amount_in_words

# Whole pesos → the words before " 00/100 M.N.".
PESOS = [
    (0, "CERO PESOS"),
    (1, "UN PESO"),
    (2, "DOS PESOS"),
    (9, "NUEVE PESOS"),
    (10, "DIEZ PESOS"),
    (11, "ONCE PESOS"),
    (12, "DOCE PESOS"),
    (13, "TRECE PESOS"),
    (14, "CATORCE PESOS"),
    (15, "QUINCE PESOS"),
    (16, "DIECISÉIS PESOS"),
    (17, "DIECISIETE PESOS"),
    (18, "DIECIOCHO PESOS"),
    (19, "DIECINUEVE PESOS"),
    (20, "VEINTE PESOS"),
    (21, "VEINTIÚN PESOS"),
    (22, "VEINTIDÓS PESOS"),
    (23, "VEINTITRÉS PESOS"),
    (26, "VEINTISÉIS PESOS"),
    (29, "VEINTINUEVE PESOS"),
    (30, "TREINTA PESOS"),
    (31, "TREINTA Y UN PESOS"),
    (40, "CUARENTA PESOS"),
    (45, "CUARENTA Y CINCO PESOS"),
    (50, "CINCUENTA PESOS"),
    (60, "SESENTA PESOS"),
    (70, "SETENTA PESOS"),
    (80, "OCHENTA PESOS"),
    (90, "NOVENTA PESOS"),
    (99, "NOVENTA Y NUEVE PESOS"),
    (100, "CIEN PESOS"),
    (101, "CIENTO UN PESOS"),
    (110, "CIENTO DIEZ PESOS"),
    (121, "CIENTO VEINTIÚN PESOS"),
    (200, "DOSCIENTOS PESOS"),
    (300, "TRESCIENTOS PESOS"),
    (400, "CUATROCIENTOS PESOS"),
    (500, "QUINIENTOS PESOS"),
    (600, "SEISCIENTOS PESOS"),
    (700, "SETECIENTOS PESOS"),
    (800, "OCHOCIENTOS PESOS"),
    (900, "NOVECIENTOS PESOS"),
    (999, "NOVECIENTOS NOVENTA Y NUEVE PESOS"),
    (1_000, "MIL PESOS"),
    (1_001, "MIL UN PESOS"),
    (1_100, "MIL CIEN PESOS"),
    (2_000, "DOS MIL PESOS"),
    (20_000, "VEINTE MIL PESOS"),
    (21_000, "VEINTIÚN MIL PESOS"),
    (31_000, "TREINTA Y UN MIL PESOS"),
    (100_000, "CIEN MIL PESOS"),
    (101_000, "CIENTO UN MIL PESOS"),
    (500_000, "QUINIENTOS MIL PESOS"),
    (999_999, "NOVECIENTOS NOVENTA Y NUEVE MIL NOVECIENTOS NOVENTA Y NUEVE PESOS"),
    (1_000_000, "UN MILLÓN DE PESOS"),
    (1_000_001, "UN MILLÓN UN PESOS"),
    (1_001_000, "UN MILLÓN MIL PESOS"),
    (2_000_000, "DOS MILLONES DE PESOS"),
    (2_500_000, "DOS MILLONES QUINIENTOS MIL PESOS"),
    (21_000_000, "VEINTIÚN MILLONES DE PESOS"),
    (100_000_000, "CIEN MILLONES DE PESOS"),
    (1_000_000_000, "MIL MILLONES DE PESOS"),
    (1_001_000_000, "MIL UN MILLONES DE PESOS"),
    (21_000_000_000, "VEINTIÚN MIL MILLONES DE PESOS"),
    (
        999_999_999_999,
        "NOVECIENTOS NOVENTA Y NUEVE MIL NOVECIENTOS NOVENTA Y NUEVE MILLONES "
        "NOVECIENTOS NOVENTA Y NUEVE MIL NOVECIENTOS NOVENTA Y NUEVE PESOS",
    ),
]


@pytest.mark.parametrize(("pesos", "words"), PESOS)
def test_whole_pesos(pesos, words):
    assert amount_in_words(pesos * 100) == f"{words} 00/100 M.N."


@pytest.mark.parametrize(
    ("centavos", "expected"),
    [
        (185050, "MIL OCHOCIENTOS CINCUENTA PESOS 50/100 M.N."),
        (100, "UN PESO 00/100 M.N."),
        (0, "CERO PESOS 00/100 M.N."),
        (1, "CERO PESOS 01/100 M.N."),
        (99, "CERO PESOS 99/100 M.N."),
        (101, "UN PESO 01/100 M.N."),
        (199, "UN PESO 99/100 M.N."),
        (2100000, "VEINTIÚN MIL PESOS 00/100 M.N."),
        (100000000, "UN MILLÓN DE PESOS 00/100 M.N."),
        (100000050, "UN MILLÓN DE PESOS 50/100 M.N."),
        (250000000, "DOS MILLONES QUINIENTOS MIL PESOS 00/100 M.N."),
        (10000, "CIEN PESOS 00/100 M.N."),
        (10100, "CIENTO UN PESOS 00/100 M.N."),
        (100100000, "UN MILLÓN MIL PESOS 00/100 M.N."),
        (MAX_CENTAVOS, f"{PESOS[-1][1]} 99/100 M.N."),
    ],
)
def test_examples_from_receipts(centavos, expected):
    assert amount_in_words(centavos) == expected


@pytest.mark.parametrize("bad", [-1, -100, MAX_CENTAVOS + 1, 10**20, True, False, 1.0, 100.5, "100", None])
def test_refuses_what_is_not_a_count_of_centavos_in_range(bad):
    with pytest.raises(ValueError, match="amount in words"):
        amount_in_words(bad)


_NUMBER_WORDS = {
    "CERO": 0,
    "UN": 1,
    "DOS": 2,
    "TRES": 3,
    "CUATRO": 4,
    "CINCO": 5,
    "SEIS": 6,
    "SIETE": 7,
    "OCHO": 8,
    "NUEVE": 9,
    "DIEZ": 10,
    "ONCE": 11,
    "DOCE": 12,
    "TRECE": 13,
    "CATORCE": 14,
    "QUINCE": 15,
    "DIECISÉIS": 16,
    "DIECISIETE": 17,
    "DIECIOCHO": 18,
    "DIECINUEVE": 19,
    "VEINTE": 20,
    "VEINTIÚN": 21,
    "VEINTIDÓS": 22,
    "VEINTITRÉS": 23,
    "VEINTICUATRO": 24,
    "VEINTICINCO": 25,
    "VEINTISÉIS": 26,
    "VEINTISIETE": 27,
    "VEINTIOCHO": 28,
    "VEINTINUEVE": 29,
    "TREINTA": 30,
    "CUARENTA": 40,
    "CINCUENTA": 50,
    "SESENTA": 60,
    "SETENTA": 70,
    "OCHENTA": 80,
    "NOVENTA": 90,
    "CIEN": 100,
    "CIENTO": 100,
    "DOSCIENTOS": 200,
    "TRESCIENTOS": 300,
    "CUATROCIENTOS": 400,
    "QUINIENTOS": 500,
    "SEISCIENTOS": 600,
    "SETECIENTOS": 700,
    "OCHOCIENTOS": 800,
    "NOVECIENTOS": 900,
}
SHAPE = re.compile(r"^([A-ZÁÉÍÓÚ ]+) PESOS? (\d\d)/100 M\.N\.$")


def _read_back(words: str) -> int:
    """An independent reader of the words: the number of pesos they say."""
    total = current = 0
    for word in words.split():
        if word in ("Y", "DE"):
            continue
        if word == "MIL":
            current = (current or 1) * 1000
        elif word in ("MILLÓN", "MILLONES"):
            total += current * 1_000_000
            current = 0
        else:
            current += _NUMBER_WORDS[word]
    return total + current


@given(st.integers(min_value=0, max_value=10**9))
def test_every_amount_has_the_receipt_shape_and_its_centavos(centavos):
    match = SHAPE.match(amount_in_words(centavos))
    assert match is not None
    assert int(match.group(2)) == centavos % 100


@given(st.integers(min_value=0, max_value=MAX_CENTAVOS))
def test_words_read_back_to_the_amount(centavos):
    match = SHAPE.match(amount_in_words(centavos))
    assert match is not None
    assert _read_back(match.group(1)) == centavos // 100


def test_no_two_amounts_share_their_words():
    seen: dict[str, int] = {}
    for pesos in range(20_001):
        words = amount_in_words(pesos * 100)
        assert words not in seen, f"{pesos} and {seen[words]} are both {words}"
        seen[words] = pesos
