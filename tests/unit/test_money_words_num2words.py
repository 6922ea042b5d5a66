"""Our amount in words against `num2words`, the maintained library, on real outputs of both.

`num2words` (lang "es", currency "MXN") writes the same words as shop.money_words for every amount but whole
millions, where it leaves out the DE that Spanish needs before a noun: "UN MILLÓN PESOS", not "UN MILLÓN DE
PESOS". A receipt with that wording looks wrong to the person who signs it, so the shop keeps its own code.
If a later num2words gets whole millions right, test_num2words_still_drops_de_after_whole_millions fails:
then shop.money_words can become a wrapper around it (its centavos are "con cincuenta centavos", so the
"50/100 M.N." tail stays ours).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num2words import num2words

from shop.money_words import MAX_PESOS, amount_in_words


def theirs(pesos: int) -> str:
    """num2words' pesos, upper case, without its centavos ("con cero centavos")."""
    words = num2words(Decimal(pesos), lang="es", to="currency", currency="MXN")
    return words.removesuffix(" con cero centavos").upper()


def ours(pesos: int) -> str:
    return amount_in_words(pesos * 100).removesuffix(" 00/100 M.N.")


@pytest.mark.parametrize(
    ("pesos", "words"),
    [
        (0, "CERO PESOS"),
        (1, "UN PESO"),
        (21, "VEINTIÚN PESOS"),
        (100, "CIEN PESOS"),
        (101, "CIENTO UN PESOS"),
        (1000, "MIL PESOS"),
        (21_000, "VEINTIÚN MIL PESOS"),
        (1_001_000, "UN MILLÓN MIL PESOS"),
        (2_001_021, "DOS MILLONES MIL VEINTIÚN PESOS"),
    ],
)
def test_both_write_the_same_words(pesos, words):
    assert ours(pesos) == words
    assert theirs(pesos) == words


@pytest.mark.parametrize(
    ("pesos", "right", "num2words_says"),
    [
        (1_000_000, "UN MILLÓN DE PESOS", "UN MILLÓN PESOS"),
        (2_000_000, "DOS MILLONES DE PESOS", "DOS MILLONES PESOS"),
        (21_000_000, "VEINTIÚN MILLONES DE PESOS", "VEINTIÚN MILLONES PESOS"),
        (1_000_000_000, "MIL MILLONES DE PESOS", "MIL MILLONES PESOS"),
    ],
)
def test_num2words_still_drops_de_after_whole_millions(pesos, right, num2words_says):
    assert ours(pesos) == right
    assert theirs(pesos) == num2words_says


def test_num2words_writes_centavos_in_words_where_a_receipt_writes_a_fraction():
    assert amount_in_words(185050) == "MIL OCHOCIENTOS CINCUENTA PESOS 50/100 M.N."
    assert num2words(Decimal("1850.50"), lang="es", to="currency", currency="MXN") == (
        "mil ochocientos cincuenta pesos con cincuenta centavos"
    )


@settings(max_examples=1000)
@given(st.integers(0, MAX_PESOS).filter(lambda pesos: pesos % 1_000_000 or pesos == 0))
def test_both_agree_on_every_amount_but_whole_millions(pesos):
    assert ours(pesos) == theirs(pesos)
