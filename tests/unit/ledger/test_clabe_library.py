"""Our CLABE table and check digit against the `clabe` package, a maintained list of SPEI participants.

The shop keeps its own table (see shop.ledger.clabe for why); this test is what tells us when `clabe` learns
a bank or renames one: raising its pin in constraints.txt then fails here until BANKS, or the lists of known
differences below, say what we decided.
"""

from __future__ import annotations

import clabe as library
import clabe.banks as library_banks
from hypothesis import given, settings
from hypothesis import strategies as st

from shop.ledger.clabe import BANKS, clabe_check_digit, clabe_problem

DIGITS = "0123456789"

# Codes `clabe` knows that BANKS leaves out, and why.
LEFT_OUT = {
    "001": "Banxico itself: it keeps no weaver's account",
    "903": "CoDi Valida, Banxico's account-checking service, not an account",
    "124": "Citi Mexico: not confirmed against Banxico's CEP catalogue yet (124 was Deutsche Bank before)",
    "714": "PPBALANCEMX: not confirmed against Banxico's CEP catalogue yet",
    "725": "COOPDESARROLLO: not confirmed against Banxico's CEP catalogue yet",
    "729": "Depósitos y Pagos Digitales: not confirmed against Banxico's CEP catalogue yet",
}
# Codes in BANKS that `clabe` does not know.
ONLY_OURS = {"686"}  # INVERCAP
# Same code, another short name (compared without case): ours is the name Banxico's catalogue shows.
OTHER_NAMES = {
    "138": ("ABC CAPITAL", "Uala"),
    "166": ("BANCO DEL BIENESTAR", "BaBien"),
    "168": ("HIPOTECARIA FEDERAL", "Hipotecaria Fed"),
    "638": ("NU MEXICO", "NUBANK"),
    "661": ("ALTERNATIVOS", "KLAR"),
    "706": ("ARCUS", "Arcus Fi"),
}


def library_name(code: str) -> str:
    return library_banks.BANK_NAMES[library_banks.BANKS[code]]


def test_every_bank_code_the_library_knows_is_ours_or_left_out_on_purpose():
    theirs, ours = set(library_banks.BANKS), set(BANKS)
    assert theirs - ours == set(LEFT_OUT)
    assert ours - theirs == ONLY_OURS


def test_the_banks_both_know_have_the_same_name_but_for_the_listed_renames():
    differ = {
        code: (BANKS[code], library_name(code))
        for code in set(BANKS) & set(library_banks.BANKS)
        if BANKS[code].casefold() != library_name(code).casefold()
    }
    assert differ == OTHER_NAMES


@settings(max_examples=1000)
@given(st.text(DIGITS, min_size=17, max_size=17))
def test_the_check_digit_agrees_with_the_library(first_17):
    assert clabe_check_digit(first_17) == int(library.compute_control_digit(first_17))


@settings(max_examples=1000)
@given(
    st.sampled_from(sorted(set(BANKS) & set(library_banks.BANKS))),
    st.text(DIGITS, min_size=14, max_size=14),
    st.sampled_from(DIGITS),
)
def test_a_clabe_at_a_bank_both_know_is_accepted_by_both_or_by_neither(bank, middle, last):
    clabe = bank + middle + last
    assert (clabe_problem(clabe) is None) == library.validate_clabe(clabe)
