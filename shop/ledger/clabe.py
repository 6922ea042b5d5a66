"""CLABE (Clave Bancaria Estandarizada) checks for the SPEI transfers that pay weavers.

The treasurer types each weaver's 18-digit CLABE from a bank paper or a phone photo. SPEI delivers money to
whatever CLABE it is given, and a transfer to a stranger's account is very hard to get back. So the CLABE is
checked when it is saved, not when the money is sent:

* it has 18 digits (spaces and dashes are allowed while typing and thrown away);
* its last digit is the Banxico check digit of the first 17 (weights 3, 7, 1 repeating, each product taken
  mod 10, the check digit is ``(10 - sum % 10) % 10``). Because 3, 7 and 1 share no factor with 10, changing
  any *one* digit always breaks it. Swapping two neighbouring digits is caught unless they differ by exactly
  5 (e.g. 1 and 6): no check digit catches everything, so the bank's name is shown to confirm as well;
* its first three digits are a bank that takes part in SPEI.

Pure functions on strings: no database, no network.

Why not the ``clabe`` package at run time: its check digit is these same five lines, but its names are not
the catalogue's short names that the SPEI export and the statements show ("Bmonex", "Uala" for BMONEX and
ABC CAPITAL), its ``validate_clabe`` takes any Unicode digit (``str.isdigit``) and then fails on it, and its
table lists participants that keep no one's account (001 Banxico, 903 CoDi Valida). It is a well-kept list,
though, so tests/unit/ledger/test_clabe_library.py checks that our check digit and :data:`BANKS` agree with it
and fails when it learns a bank we have not decided about.
"""

from __future__ import annotations

from shop.errors import N_

CLABE_LENGTH = 18
_WEIGHTS = (3, 7, 1)
_DIGITS = frozenset("0123456789")
# Thrown away before checking: what people type or paste between groups of digits (spaces, including the
# non-breaking ones of PDFs and web pages, and hyphens or dashes).
_SEPARATORS = frozenset(" \t\u00a0\u202f-\u2010\u2011\u2012\u2013\u2014\u2212")

WRONG_LENGTH = N_("A CLABE has 18 digits.")
UNKNOWN_BANK = N_("The first three digits of this CLABE are not a bank we know.")
WRONG_CHECK_DIGIT = N_(
    "This CLABE has a typing mistake: its last digit does not match. Check it against the bank's paper."
)

# The first three digits of a CLABE are the institution's code in Banxico's catalogue of SPEI participants
# (the last three digits of its five-digit SPEI key: 40012 is BBVA, 90646 is STP). To update this list, compare
# it with the catalogue Banxico publishes with the CEP (Comprobante Electrónico de Pago) service,
# https://www.banxico.org.mx/cep/ (the institutions list of its search form), and add or rename entries;
# leave out any code you cannot confirm there. Names are the catalogue's short names. A code missing here
# only stops a payout to that institution with UNKNOWN_BANK until it is added; it never lets a typo through.
BANKS: dict[str, str] = {
    "002": "BANAMEX",
    "006": "BANCOMEXT",
    "009": "BANOBRAS",
    "012": "BBVA MEXICO",  # BBVA BANCOMER in older catalogues
    "014": "SANTANDER",
    "019": "BANJERCITO",
    "021": "HSBC",
    "030": "BAJIO",
    "036": "INBURSA",
    "042": "MIFEL",
    "044": "SCOTIABANK",
    "058": "BANREGIO",
    "059": "INVEX",
    "060": "BANSI",
    "062": "AFIRME",
    "072": "BANORTE",  # also the old IXE accounts, which Banorte absorbed (IXE's own 032 is gone)
    "106": "BANK OF AMERICA",
    "108": "MUFG",
    "110": "JP MORGAN",
    "112": "BMONEX",
    "113": "VE POR MAS",
    "127": "AZTECA",
    "128": "AUTOFIN",  # newer catalogues call it KAPITAL
    "129": "BARCLAYS",
    "130": "COMPARTAMOS",
    "132": "MULTIVA BANCO",
    "133": "ACTINVER",
    "135": "NAFIN",
    "136": "INTERCAM BANCO",
    "137": "BANCOPPEL",
    "138": "ABC CAPITAL",  # newer catalogues call it UALA
    "140": "CONSUBANCO",
    "141": "VOLKSWAGEN",
    "143": "CIBANCO",
    "145": "BBASE",
    "147": "BANKAOOL",
    "148": "PAGATODO",
    "150": "INMOBILIARIO",
    "151": "DONDE",
    "152": "BANCREA",
    "154": "BANCO COVALTO",  # formerly BANCO FINTERRA
    "155": "ICBC",
    "156": "SABADELL",
    "157": "SHINHAN",
    "158": "MIZUHO BANK",
    "159": "BANK OF CHINA",
    "160": "BANCO S3",
    "166": "BANCO DEL BIENESTAR",  # formerly BANSEFI; short name BABIEN in newer catalogues
    "167": "HEY BANCO",
    "168": "HIPOTECARIA FEDERAL",
    "600": "MONEXCB",
    "601": "GBM",
    "602": "MASARI",
    "605": "VALUE",
    "616": "FINAMEX",
    "617": "VALMEX",
    "620": "PROFUTURO",
    "630": "CB INTERCAM",
    "631": "CI BOLSA",
    "634": "FINCOMUN",
    "638": "NU MEXICO",  # formerly AKALA
    "646": "STP",
    "652": "CREDICAPITAL",  # formerly ASEA
    "653": "KUSPIT",
    "656": "UNAGRA",
    "659": "ASP INTEGRA OPC",
    "661": "ALTERNATIVOS",  # Servicios Financieros Alternativos (Klar); some lists call it KLAR
    "670": "LIBERTAD",
    "677": "CAJA POP MEXICA",
    "680": "CRISTOBAL COLON",
    "683": "CAJA TELEFONIST",
    "684": "TRANSFER",
    "685": "FONDO (FIRA)",
    "686": "INVERCAP",
    "688": "CREDICLUB",
    "689": "FOMPED",
    "699": "FONDEADORA",
    "703": "TESORED",
    "706": "ARCUS",
    "710": "NVIO",
    "715": "CASHI CUENTA",
    "720": "MexPago",
    "721": "ALBO",
    "722": "MERCADO PAGO W",
    "723": "CUENCA",
    "727": "TRANSFER DIRECTO",
    "728": "SPIN BY OXXO",
    "730": "SWAP",
    "732": "PEIBO",
    "734": "FINCO PAY",
    "738": "FINTOC",
    "901": "CLS",
    "902": "INDEVAL",
}


def _strip(text: str) -> str:
    return "".join(ch for ch in text if ch not in _SEPARATORS)


def _is_digits(text: str) -> bool:
    # Not str.isdigit(): that also accepts "²" and digits of other scripts, which SPEI does not.
    return all(ch in _DIGITS for ch in text)


def normalize_clabe(text: str) -> str:
    """The CLABE as stored and sent to SPEI: what was typed without its spaces and dashes.

    Raises ValueError when anything but digits is left; the length is :func:`clabe_problem`'s business.
    """
    digits = _strip(text)
    if not _is_digits(digits):
        raise ValueError("a CLABE is made of digits only")
    return digits


def clabe_check_digit(first_17: str) -> int:
    """Banxico's check digit of the first 17 digits of a CLABE (weights 3, 7, 1; each product mod 10)."""
    if len(first_17) != CLABE_LENGTH - 1 or not _is_digits(first_17):
        raise ValueError("the check digit is computed from exactly 17 digits")
    total = sum(int(digit) * _WEIGHTS[i % 3] % 10 for i, digit in enumerate(first_17))
    return (10 - total % 10) % 10


def bank_of(clabe: str) -> str | None:
    """The short name of the bank a CLABE belongs to (its first three digits), or None if we don't know it."""
    return BANKS.get(_strip(clabe)[:3])


def clabe_problem(text: str) -> str | None:
    """None when ``text`` is a CLABE we can pay to, else why not (a message marked for translation).

    The check digit is checked before the bank: a typo in the first three digits nearly always breaks the
    check digit too, and "typing mistake" is then the right thing to say. A CLABE whose check digit holds but
    whose bank is unknown is more likely a real account at an institution missing from :data:`BANKS`.
    """
    digits = _strip(text)
    if len(digits) != CLABE_LENGTH or not _is_digits(digits):
        return WRONG_LENGTH
    if clabe_check_digit(digits[:-1]) != int(digits[-1]):
        return WRONG_CHECK_DIGIT
    if digits[:3] not in BANKS:
        return UNKNOWN_BANK
    return None


def mask_clabe(clabe: str) -> str:
    """A CLABE as history shows it: only its last four digits, enough to tell two accounts apart."""
    digits = _strip(clabe)
    return "…" + digits[-4:]
