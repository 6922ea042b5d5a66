"""Reading a statement's rows into bank lines: dates and amounts as each bank writes them, and a fingerprint
that makes a movement imported twice the same line."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from shop.errors import N_, ValidationFailed
from shop.ledger.bank_columns import amount_fields, column_names, column_positions, comparable
from shop.ledger.bank_csv import MAX_STATEMENT_ROWS
from shop.ledger.models import AmountStyle, DateFormat, DecimalMark
from shop.ledger.schemas import ColumnMapping
from shop.money import MAX_AMOUNT

DATE_EXAMPLES = {DateFormat.dmy: "31/12/2026", DateFormat.ymd: "2026-12-31", DateFormat.mdy: "12/31/2026"}
AMOUNT_EXAMPLES = {DecimalMark.point: "1,234.56", DecimalMark.comma: "1.234,56"}
# Month names and abbreviations Mexican banks print (31/DIC/2026, 31-dic-26), English ones too.
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("ene", "enero", "jan", "january"),
            ("feb", "febrero", "february"),
            ("mar", "marzo", "march"),
            ("abr", "abril", "apr", "april"),
            ("may", "mayo"),
            ("jun", "junio", "june"),
            ("jul", "julio", "july"),
            ("ago", "agosto", "aug", "august"),
            ("sep", "sept", "set", "septiembre", "setiembre", "september"),
            ("oct", "octubre", "october"),
            ("nov", "noviembre", "november"),
            ("dic", "diciembre", "dec", "december"),
        ],
        start=1,
    )
    for name in names
}


class CellProblem(ValueError):
    """A cell that cannot be read; ``message`` is untranslated, with ``params`` for its placeholders."""

    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params


def parse_date(text: str, date_format: DateFormat) -> date:
    """A bank's date: 31/12/2026, 31-12-26, 31.12.2026, 31/DIC/2026 or 2026-12-31 (a time after it is ignored)."""
    cell = text.strip()
    head = re.split(r"[ T]\d{1,2}:", cell, maxsplit=1)[0].strip()
    parts = re.split(r"\s*[/\-.]\s*|\s+", head)
    problem = CellProblem(
        N_("“%(value)s” is not a date like %(example)s."), value=cell[:40], example=DATE_EXAMPLES[date_format]
    )
    if len(parts) != 3:
        raise problem
    order = {DateFormat.dmy: (2, 1, 0), DateFormat.ymd: (0, 1, 2), DateFormat.mdy: (2, 0, 1)}[date_format]
    year_text, month_text, day_text = (parts[i] for i in order)
    month = MONTHS.get(comparable(month_text)) if not month_text.isdigit() else int(month_text)
    if not (year_text.isdigit() and day_text.isdigit() and month) or len(year_text) not in (2, 4):
        raise problem
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    try:
        day = date(year, month, int(day_text))
    except ValueError:
        raise problem from None
    if not 2000 <= day.year <= 2100:
        raise problem
    return day


def parse_amount(text: str, mark: DecimalMark) -> int | None:
    """A bank's amount in centavos: "1,234.56", "-1,234.56", "(1,234.56)", "1,234.56-", "$1,234.56 MXN", or with
    a decimal comma "1.234,56" / "1 234,56". None for an empty cell."""
    cell = text.strip()
    if not cell:
        return None
    raw = re.sub(r"(?i)mxn|m\.n\.|\$|\s|\u00a0|\u202f", "", cell)
    negative = False
    if raw.startswith("(") and raw.endswith(")"):
        negative, raw = True, raw[1:-1]
    if raw[:1] in ("-", "−"):
        negative, raw = not negative, raw[1:]
    elif raw[:1] == "+":
        raw = raw[1:]
    if raw[-1:] in ("-", "−"):
        negative, raw = not negative, raw[:-1]
    decimal, thousands = (".", ",") if mark is DecimalMark.point else (",", ".")
    whole, _, fraction = raw.partition(decimal)
    grouped = re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+", whole) or re.fullmatch(r"\d+", whole)
    if not grouped or (fraction and not fraction.isdigit()) or (raw.endswith(decimal) and not fraction):
        raise CellProblem(
            N_("“%(value)s” is not an amount like %(example)s."), value=cell[:40], example=AMOUNT_EXAMPLES[mark]
        )
    try:
        value = Decimal(f"{whole.replace(thousands, '')}.{fraction or '0'}")
    except InvalidOperation:  # pragma: no cover - the patterns above let only digits through
        raise CellProblem(N_("“%(value)s” is not an amount like %(example)s."), value=cell[:40], example="") from None
    centavos = value.scaleb(2)
    if centavos != centavos.to_integral_value():
        raise CellProblem(N_("“%(value)s” has more than two decimals."), value=cell[:40])
    if centavos > MAX_AMOUNT:
        raise CellProblem(N_("“%(value)s” is too large an amount."), value=cell[:40])
    return -int(centavos) if negative else int(centavos)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why one row of the file cannot be imported. ``message`` is untranslated, with ``params``."""

    row: int
    column: str  # the column's name in the file, or "" for the row as a whole
    message: str
    params: dict = field(default_factory=dict)

    def translated(self, gettext) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


@dataclass(frozen=True, slots=True)
class StatementLine:
    row: int
    booked_on: date
    description: str
    reference: str
    amount: int  # centavos: deposits positive, withdrawals negative
    fingerprint: str


@dataclass(frozen=True, slots=True)
class ParsedStatement:
    lines: list[StatementLine]
    problems: list[RowProblem]
    skipped: int  # blank rows and notes without a date or an amount


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def fingerprint(bank: str, booked_on: date, amount: int, reference: str, description: str, twin: int) -> str:
    """What makes a bank line itself: the same movement in another (or the same) file has the same print."""
    parts = (bank, booked_on.isoformat(), str(amount), _fold(reference), _fold(description), str(twin))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def parse_rows(rows: list[list[str]], mapping: ColumnMapping, bank: str) -> ParsedStatement:
    """Every movement under the header row, and every row that cannot be read (with why).

    Raises ValidationFailed (on the mapping's fields) when a chosen column is not in the file.
    """
    positions = column_positions(rows, mapping)
    names = column_names(rows[mapping.header_row - 1])
    lines: list[StatementLine] = []
    problems: list[RowProblem] = []
    twins: Counter[tuple] = Counter()
    skipped = 0

    def cell(row: list[str], name: str) -> str:
        at = positions.get(name)
        return row[at] if at is not None and at < len(row) else ""

    for number, row in enumerate(rows[mapping.header_row :], start=mapping.header_row + 1):
        day_text = cell(row, "date_column")
        amount_cells = [(name, cell(row, name)) for name in amount_fields(mapping)]
        if not day_text and not any(text for _, text in amount_cells):
            skipped += 1
            continue
        found: list[RowProblem] = []
        booked_on = None
        if not day_text:
            found.append(RowProblem(number, names[positions["date_column"]], N_("There is no date.")))
        else:
            try:
                booked_on = parse_date(day_text, mapping.date_format)
            except CellProblem as exc:
                found.append(RowProblem(number, names[positions["date_column"]], exc.message, exc.params))
        amounts: dict[str, int | None] = {}
        for name, text in amount_cells:
            try:
                amounts[name] = parse_amount(text, mapping.decimal_mark)
            except CellProblem as exc:
                found.append(RowProblem(number, names[positions[name]], exc.message, exc.params))
        amount = 0
        if not found:
            if mapping.amount_style is AmountStyle.signed:
                amount = amounts["amount_column"] or 0
            else:
                deposit, withdrawal = amounts["deposit_column"] or 0, amounts["withdrawal_column"] or 0
                if deposit and withdrawal:
                    found.append(RowProblem(number, "", N_("The row has both a deposit and a withdrawal.")))
                amount = abs(deposit) - abs(withdrawal)
            if not found and amount == 0:
                found.append(RowProblem(number, "", N_("The row has no amount (or it is zero).")))
        if found:
            problems.extend(found)
            continue
        description = cell(row, "description_column")[:500]
        reference = cell(row, "reference_column")[:200]
        same = (booked_on, amount, _fold(reference), _fold(description))
        print_ = fingerprint(bank, booked_on, amount, reference, description, twins[same])
        twins[same] += 1
        lines.append(StatementLine(number, booked_on, description, reference, amount, print_))
    if len(lines) + len(problems) > MAX_STATEMENT_ROWS:
        raise ValidationFailed(
            N_("The file has more than %(count)d rows. Import it in parts, a few months at a time."),
            field="file",
            count=MAX_STATEMENT_ROWS,
        )
    return ParsedStatement(lines, problems, skipped)
