"""A peso amount in words, as Mexican receipts and cheques write it ("importe con letra").

The cash receipts given to weavers carry the amount in words as well as in figures: a figure can be altered
with one stroke of a pen (1,000 into 7,000 or 10,000), the words cannot without it showing. The form is the
usual one: upper case, "UN" rather than "UNO" before PESOS, MIL or MILLONES, "DE PESOS" after whole millions,
then the centavos as a fraction and "M.N." (moneda nacional):
``185050`` → ``"MIL OCHOCIENTOS CINCUENTA PESOS 50/100 M.N."``.

A pure function on an integer count of centavos; money is never a float here.

Not ``num2words``: it agrees word for word except after whole millions, where it drops the DE ("UN MILLÓN
PESOS"); tests/unit/test_money_words_num2words.py compares both and fails once it is fixed.
"""

from __future__ import annotations

CENTAVOS_PER_PESO = 100
MAX_PESOS = 999_999_999_999
MAX_CENTAVOS = MAX_PESOS * CENTAVOS_PER_PESO + (CENTAVOS_PER_PESO - 1)

# 0-29 are single words. Every number written here stands before a noun (PESOS, MIL, MILLONES), so 1 and 21
# are already in their shortened forms, UN and VEINTIÚN.
_UP_TO_29 = (
    "CERO",
    "UN",
    "DOS",
    "TRES",
    "CUATRO",
    "CINCO",
    "SEIS",
    "SIETE",
    "OCHO",
    "NUEVE",
    "DIEZ",
    "ONCE",
    "DOCE",
    "TRECE",
    "CATORCE",
    "QUINCE",
    "DIECISÉIS",
    "DIECISIETE",
    "DIECIOCHO",
    "DIECINUEVE",
    "VEINTE",
    "VEINTIÚN",
    "VEINTIDÓS",
    "VEINTITRÉS",
    "VEINTICUATRO",
    "VEINTICINCO",
    "VEINTISÉIS",
    "VEINTISIETE",
    "VEINTIOCHO",
    "VEINTINUEVE",
)
_TENS = {3: "TREINTA", 4: "CUARENTA", 5: "CINCUENTA", 6: "SESENTA", 7: "SETENTA", 8: "OCHENTA", 9: "NOVENTA"}
# 100 alone is CIEN; 101-199 are CIENTO ...
_HUNDREDS = {
    1: "CIENTO",
    2: "DOSCIENTOS",
    3: "TRESCIENTOS",
    4: "CUATROCIENTOS",
    5: "QUINIENTOS",
    6: "SEISCIENTOS",
    7: "SETECIENTOS",
    8: "OCHOCIENTOS",
    9: "NOVECIENTOS",
}


def _below_thousand(n: int) -> str:
    """1-999 in words (never called with 0)."""
    hundreds, rest = divmod(n, 100)
    words = []
    if hundreds:
        words.append("CIEN" if n == 100 else _HUNDREDS[hundreds])
    if rest >= 30:
        tens, units = divmod(rest, 10)
        words.append(f"{_TENS[tens]} Y {_UP_TO_29[units]}" if units else _TENS[tens])
    elif rest:
        words.append(_UP_TO_29[rest])
    return " ".join(words)


def _below_million(n: int) -> str:
    """1-999,999 in words: 1,000 is MIL, never UN MIL."""
    thousands, rest = divmod(n, 1000)
    words = []
    if thousands:
        words.append("MIL" if thousands == 1 else f"{_below_thousand(thousands)} MIL")
    if rest:
        words.append(_below_thousand(rest))
    return " ".join(words)


def _pesos_in_words(pesos: int) -> str:
    if pesos == 0:
        return "CERO PESOS"
    if pesos == 1:
        return "UN PESO"
    millions, rest = divmod(pesos, 1_000_000)
    words = []
    if millions:
        words.append("UN MILLÓN" if millions == 1 else f"{_below_million(millions)} MILLONES")
    if rest:
        words.append(_below_million(rest))
    # Whole millions take DE: UN MILLÓN DE PESOS, DOS MILLONES DE PESOS (but UN MILLÓN MIL PESOS).
    words.append("PESOS" if rest else "DE PESOS")
    return " ".join(words)


def amount_in_words(centavos: int) -> str:
    """``centavos`` (an integer count, e.g. 185050 for $1,850.50) as ``"... PESOS 50/100 M.N."``.

    Raises ValueError for anything but an int from 0 to 999,999,999,999.99 pesos (bools and floats included).
    """
    if isinstance(centavos, bool) or not isinstance(centavos, int):
        raise ValueError(f"an amount in words needs an integer count of centavos, not {type(centavos).__name__}")
    if not 0 <= centavos <= MAX_CENTAVOS:
        raise ValueError(f"an amount in words must be from 0 to {MAX_CENTAVOS} centavos, not {centavos}")
    pesos, cents = divmod(centavos, CENTAVOS_PER_PESO)
    return f"{_pesos_in_words(pesos)} {cents:02d}/100 M.N."
