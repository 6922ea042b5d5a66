"""Bank statements: reading a bank's CSV export, the column mapping remembered per bank, and importing the
statement's lines all or nothing.

Mexican banks export CSV each their own way: a few lines about the account before the column names, dates as
31/12/2026 or 2026-12-31, one signed amount or separate deposit (abono) and withdrawal (cargo) columns, decimal
points or commas, thousands separators, UTF-8 (with or without a BOM) or Windows-1252 (Latin-1). So:

- An upload is checked for being a readable, not too large CSV file and kept as it came (``BankStatement``,
  status ``uploaded``). The treasurer then picks which column is which (the bank's saved mapping, else a guess
  from the column names) and sees every line the file would give before anything is written.
- Importing is all or nothing: one bad row and nothing is imported; every bad row is reported with its number
  (as a spreadsheet numbers rows) and why. Blank rows, and rows with neither a date nor an amount (notes about
  the account), are skipped.
- Each line has a fingerprint (bank, date, amount, reference, description, and which twin it is among
  identical lines of the same file) under a UNIQUE constraint: importing the same movements again, in the same
  file or an overlapping one, adds nothing.
- A successful import remembers the mapping for that bank.

Services only flush; the caller commits.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, load_only

from shop.accounts.models import User
from shop.errors import N_, InvalidState, NotFound, ValidationFailed
from shop.ledger.models import (
    AmountStyle,
    BankLine,
    BankMapping,
    BankStatement,
    DateFormat,
    DecimalMark,
    Delimiter,
    StatementStatus,
)
from shop.ledger.schemas import ColumnMapping
from shop.money import MAX_AMOUNT

MAX_STATEMENT_BYTES = 2 * 1024 * 1024  # a year of a small cooperative's movements is a few hundred KB
MAX_STATEMENT_ROWS = 5000
DRAFTS_KEPT = timedelta(days=2)  # a file uploaded but never imported is dropped after this
SEPARATORS = {Delimiter.comma: ",", Delimiter.semicolon: ";", Delimiter.tab: "\t", Delimiter.pipe: "|"}
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
NOT_TEXT = {
    b"PK\x03\x04": "Excel (.xlsx)",
    b"\xd0\xcf\x11\xe0": "Excel (.xls)",
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
}


# --- reading the file -----------------------------------------------------------------------------------------


class NotCsv(ValidationFailed):
    """The upload is not a text file at all (a spreadsheet, a PDF, a photo)."""

    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True, slots=True)
class DecodedFile:
    text: str
    encoding: str  # as shown to a person: "UTF-8", "Windows-1252 (Latin-1)", …


def decode(data: bytes) -> DecodedFile:
    """The file's text: UTF-8 (a BOM is dropped), UTF-16 with a BOM, else Windows-1252, which Mexican banks and
    Excel in Spanish write (it reads Latin-1 text the same way). Anything that is not text is refused."""
    if not data.strip():
        raise ValidationFailed(N_("The file is empty."), field="file")
    for magic, kind in NOT_TEXT.items():
        if data.startswith(magic):
            raise NotCsv(
                N_(
                    "This is a %(kind)s file, not CSV. Download the statement from the bank's website as CSV, or "
                    "open it in a spreadsheet and save it as CSV."
                ),
                field="file",
                kind=kind,
            )
    try:
        if data.startswith(codecs.BOM_UTF8):
            decoded = DecodedFile(data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            decoded = DecodedFile(data.decode("utf-16"), "UTF-16")
        else:
            decoded = DecodedFile(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        try:
            decoded = DecodedFile(data.decode("cp1252"), "Windows-1252 (Latin-1)")
        except UnicodeDecodeError:
            decoded = DecodedFile(data.decode("latin-1"), "Latin-1")
    if any(_is_control(ch) for ch in decoded.text):
        raise NotCsv(
            N_("This file is not a CSV text file. Download the statement from the bank's website as CSV."),
            field="file",
        )
    return decoded


def _is_control(ch: str) -> bool:
    return ch not in "\t\r\n" and unicodedata.category(ch) == "Cc"


def guess_delimiter(text: str) -> Delimiter:
    """The separator that cuts the most rows into the same number of cells (ties: the one giving more cells)."""
    sample = text[:20_000]
    best, best_score = Delimiter.comma, 0
    for delimiter, separator in SEPARATORS.items():
        try:
            rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=separator))[:60]
        except csv.Error:
            continue
        widths = Counter(len(row) for row in rows if len(row) > 1)
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        if count * width > best_score:
            best, best_score = delimiter, count * width
    return best


def table(text: str, delimiter: Delimiter) -> list[list[str]]:
    """The file's rows, each a list of its cells (spaces around them removed)."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=SEPARATORS[delimiter])
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
    except csv.Error:
        raise ValidationFailed(
            N_("Row %(row)d cannot be read as CSV (a quote left open?)."), field="file", row=len(rows) + 1
        ) from None
    if sum(1 for row in rows if any(row)) > MAX_STATEMENT_ROWS + 50:
        raise ValidationFailed(
            N_("The file has more than %(count)d rows. Import it in parts, a few months at a time."),
            field="file",
            count=MAX_STATEMENT_ROWS,
        )
    return rows


# --- the columns ----------------------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Lowercase, without accents, single spaces: how column names and bank names are compared."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded.casefold()).split())


def bank_key(name: str) -> str:
    """The bank a name stands for: "BBVA", "bbva " and "Bbva" are one bank."""
    return _plain(name).replace(" ", "-")[:60]


def column_names(header: list[str]) -> list[str]:
    """The names of a header row's columns: an empty one is "#3" (its position), a repeated one "Importe (2)"."""
    names: list[str] = []
    seen: Counter[str] = Counter()
    for position, cell in enumerate(header, start=1):
        name = cell[:120] or f"#{position}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})"[:120])
    return names


_NAMES = {
    "date_column": ("fecha operacion", "fecha de operacion", "fecha", "dia", "date"),
    "description_column": ("descripcion", "concepto", "detalle", "movimiento", "description", "leyenda"),
    "reference_column": ("referencia", "clave de rastreo", "rastreo", "ref", "folio", "reference"),
    "amount_column": ("importe", "monto", "cantidad", "amount"),
    "deposit_column": ("abono", "abonos", "deposito", "depositos", "ingreso", "ingresos", "credito", "creditos"),
    "withdrawal_column": ("cargo", "cargos", "retiro", "retiros", "egreso", "egresos", "debito", "debitos"),
}


def _named(names: list[str], wanted: tuple[str, ...], taken: set[str], *, loose: bool = True) -> str:
    """The first free column called one of ``wanted``: exactly, else starting with it ("Fecha de operación"),
    else (when ``loose``) having it as one of its words ("Importe abono")."""
    plain = {name: _plain(name) for name in names if name not in taken}
    tests = [lambda text, word: text == word, lambda text, word: text.startswith(word)]
    if loose:
        tests.append(lambda text, word: word in text.split())
    for test in tests:
        for word in wanted:
            for name, text in plain.items():
                if test(text, word):
                    return name
    return ""


def _looks_like_data(cell: str) -> bool:
    return bool(re.search(r"\d", cell)) and len(re.sub(r"[\d\s.,/:$()+\-]", "", cell)) <= 3


def guess_header_row(rows: list[list[str]]) -> int:
    """The first row as wide as the widest of the file's first rows and made of names, not numbers or dates."""
    sample = rows[:40]
    widths = [sum(1 for cell in row if cell) for row in sample]
    if not widths or max(widths) == 0:
        return 1
    widest = max(widths)
    for number, (row, width) in enumerate(zip(sample, widths, strict=True), start=1):
        if width >= max(2, widest - 1) and not any(_looks_like_data(cell) for cell in row):
            return number
    return widths.index(widest) + 1


def _guess_date_format(cells: Iterable[str]) -> DateFormat:
    firsts, seconds = [], []
    for cell in cells:
        parts = re.split(r"[/\-. ]+", cell.strip())
        if len(parts) < 3:
            continue
        if len(parts[0]) == 4:
            return DateFormat.ymd
        if parts[0].isdigit() and parts[1].isdigit():
            firsts.append(int(parts[0]))
            seconds.append(int(parts[1]))
    if any(n > 12 for n in seconds) and not any(n > 12 for n in firsts):
        return DateFormat.mdy
    return DateFormat.dmy  # how Mexico writes dates


def _guess_decimal_mark(cells: Iterable[str]) -> DecimalMark:
    commas = points = 0
    for cell in cells:
        if re.search(r",\d{1,2}\)?-?$", cell):
            commas += 1
        elif re.search(r"\.\d{1,2}\)?-?$", cell):
            points += 1
    return DecimalMark.comma if commas > points else DecimalMark.point


def guess_mapping(rows: list[list[str]], delimiter: Delimiter) -> ColumnMapping:
    """A first guess from the column names, for a bank the shop has not seen yet. The treasurer checks it."""
    header_row = guess_header_row(rows)
    names = column_names(rows[header_row - 1]) if len(rows) >= header_row else []
    taken: set[str] = set()
    found: dict[str, str] = {}
    # The description before the reference: "Concepto / Referencia" is a description.
    for name in ("date_column", "deposit_column", "withdrawal_column", "amount_column", "description_column"):
        found[name] = _named(names, _NAMES[name], taken)
        taken.add(found[name])
    found["reference_column"] = _named(names, _NAMES["reference_column"], taken, loose=False)
    split = bool(found["deposit_column"] and found["withdrawal_column"])
    data = rows[header_row : header_row + 200]

    def cells(column: str) -> list[str]:
        if column not in names:
            return []
        at = names.index(column)
        return [row[at] for row in data if at < len(row) and row[at]]

    amounts = [*cells(found["deposit_column"]), *cells(found["withdrawal_column"]), *cells(found["amount_column"])]
    return ColumnMapping(
        header_row=header_row,
        delimiter=delimiter,
        date_column=found["date_column"],
        date_format=_guess_date_format(cells(found["date_column"])),
        description_column=found["description_column"],
        reference_column=found["reference_column"],
        amount_style=AmountStyle.split if split else AmountStyle.signed,
        amount_column="" if split else found["amount_column"],
        deposit_column=found["deposit_column"] if split else "",
        withdrawal_column=found["withdrawal_column"] if split else "",
        decimal_mark=_guess_decimal_mark(amounts),
    )


MAPPING_FIELDS = tuple(f.name for f in fields(ColumnMapping))
_CHOICES = {
    "delimiter": Delimiter,
    "date_format": DateFormat,
    "amount_style": AmountStyle,
    "decimal_mark": DecimalMark,
}


def _refuse(problems: list[ValidationFailed]) -> None:
    """Raise every problem at once, each on its field (nothing when there is none)."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)


def mapping_from_form(values: dict[str, str]) -> ColumnMapping:
    """The mapping a person chose on the form (text as typed), or every mistake at once, each on its field."""
    problems: list[ValidationFailed] = []
    chosen: dict = {}
    for name in MAPPING_FIELDS:
        text = (values.get(name) or "").strip()
        if name == "header_row":
            if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_STATEMENT_ROWS):
                problems.append(ValidationFailed(N_("Write the number of the row, such as 1 or 5."), field=name))
                continue
            chosen[name] = int(text)
        elif name in _CHOICES:
            try:
                chosen[name] = _CHOICES[name](text)
            except ValueError:
                problems.append(ValidationFailed(N_("Choose one of the options."), field=name))
        else:
            chosen[name] = text[:120]
    _refuse(problems)
    return ColumnMapping(**chosen)


def _required_columns(mapping: ColumnMapping) -> list[str]:
    amounts = (
        ["amount_column"] if mapping.amount_style is AmountStyle.signed else ["deposit_column", "withdrawal_column"]
    )
    return ["date_column", "description_column", *amounts]


def _column_positions(rows: list[list[str]], mapping: ColumnMapping) -> dict[str, int]:
    """Where each chosen column is, or ValidationFailed naming each field whose column the file lacks."""
    if mapping.header_row > len(rows):
        raise ValidationFailed(N_("The file has only %(count)d rows."), field="header_row", count=len(rows))
    names = column_names(rows[mapping.header_row - 1])
    problems: list[ValidationFailed] = []
    positions: dict[str, int] = {}
    for name in ("date_column", "description_column", "reference_column", *_amount_fields(mapping)):
        column = getattr(mapping, name)
        if not column:
            if name in _required_columns(mapping):
                problems.append(ValidationFailed(N_("Choose the column."), field=name))
            continue
        if column not in names:
            problems.append(
                ValidationFailed(
                    N_("Row %(row)d has no column “%(column)s”."), field=name, row=mapping.header_row, column=column
                )
            )
            continue
        positions[name] = names.index(column)
    if (
        mapping.amount_style is AmountStyle.split
        and mapping.deposit_column
        and (mapping.deposit_column == mapping.withdrawal_column)
    ):
        problems.append(
            ValidationFailed(N_("Deposits and withdrawals must be two different columns."), field="withdrawal_column")
        )
    _refuse(problems)
    return positions


def _amount_fields(mapping: ColumnMapping) -> tuple[str, ...]:
    if mapping.amount_style is AmountStyle.signed:
        return ("amount_column",)
    return ("deposit_column", "withdrawal_column")


# --- the cells ------------------------------------------------------------------------------------------------


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
    month = MONTHS.get(_plain(month_text)) if not month_text.isdigit() else int(month_text)
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


# --- the lines ------------------------------------------------------------------------------------------------


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
    positions = _column_positions(rows, mapping)
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
        amount_cells = [(name, cell(row, name)) for name in _amount_fields(mapping)]
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


# --- uploads, previews and imports ----------------------------------------------------------------------------


class StatementRefused(ValidationFailed):
    """Rows that cannot be imported: nothing was. ``problems`` says which and why."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(
            N_("Nothing was imported. Rows to correct: %(count)d. Fix them in the file and upload it again."),
            field="rows",
            count=len({p.row for p in problems}),
        )
        self.problems = problems


def banks(session: Session) -> list[BankMapping]:
    """The banks whose statements were imported before, by name."""
    return list(session.scalars(select(BankMapping).order_by(BankMapping.bank_name, BankMapping.id)))


def saved_mapping(session: Session, key: str) -> ColumnMapping | None:
    row = session.scalar(select(BankMapping).where(BankMapping.bank_key == key))
    if row is None:
        return None
    return ColumnMapping(**{name: getattr(row, name) for name in MAPPING_FIELDS})


def upload(session: Session, *, bank_name: str, filename: str, data: bytes, by: User, now: datetime) -> BankStatement:
    """Keep an uploaded statement until its columns are checked; refuse what cannot be a bank's CSV export."""
    bank_name = " ".join(bank_name.split())[:60]
    problems: list[ValidationFailed] = []
    if not bank_key(bank_name):
        problems.append(ValidationFailed(N_("Choose the bank, or write its name."), field="bank"))
    try:
        if len(data) > MAX_STATEMENT_BYTES:
            raise ValidationFailed(
                N_("The file is too large. The limit is %(limit)s."),
                field="file",
                limit=megabytes(MAX_STATEMENT_BYTES),
            )
        decoded = decode(data)
        rows = table(decoded.text, guess_delimiter(decoded.text))
        if sum(1 for row in rows if any(row)) < 2:
            raise ValidationFailed(N_("The file has only one row: there are no movements in it."), field="file")
    except ValidationFailed as exc:
        problems.append(exc)
    _refuse(problems)
    # Her earlier unfinished uploads, and anybody's forgotten ones, are not needed any more.
    session.execute(
        delete(BankStatement).where(
            BankStatement.status == StatementStatus.uploaded,
            (BankStatement.uploaded_by_id == by.id) | (BankStatement.uploaded_at < now - DRAFTS_KEPT),
        )
    )
    statement = BankStatement(
        bank_key=bank_key(bank_name),
        bank_name=bank_name,
        filename=filename.strip()[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by_id=by.id,
        uploaded_by=by.name[:120],
        uploaded_at=now,
    )
    session.add(statement)
    session.flush()
    return statement


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def statement_by_id(session: Session, statement_id: int, *, lock: bool = False) -> BankStatement:
    query = select(BankStatement).where(BankStatement.id == statement_id).execution_options(populate_existing=True)
    found = session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(N_("There is no uploaded statement %(number)s. Upload the file again."), number=statement_id)
    return found


def imported_before(session: Session, statement: BankStatement) -> BankStatement | None:
    """An earlier import of exactly this file, if there was one."""
    return session.scalar(
        select(BankStatement)
        .options(load_only(BankStatement.id, BankStatement.imported_at, BankStatement.uploaded_by))
        .where(
            BankStatement.sha256 == statement.sha256,
            BankStatement.status == StatementStatus.imported,
            BankStatement.id != statement.id,
        )
        .order_by(BankStatement.id.desc())
        .limit(1)
    )


@dataclass(frozen=True, slots=True)
class Preview:
    decoded: DecodedFile
    rows: list[list[str]]  # the file as a table, for showing its first rows
    mapping: ColumnMapping
    parsed: ParsedStatement | None  # None when the mapping itself does not fit the file
    mapping_problem: ValidationFailed | None = None  # why not: each chosen column the file lacks
    already: frozenset[str] = frozenset()  # fingerprints imported before

    @property
    def new_lines(self) -> list[StatementLine]:
        return [line for line in self.parsed.lines if line.fingerprint not in self.already] if self.parsed else []


def starting_mapping(session: Session, statement: BankStatement) -> tuple[ColumnMapping, bool]:
    """The bank's saved mapping, else a guess from the file's column names; and whether it was saved."""
    saved = saved_mapping(session, statement.bank_key)
    if saved is not None:
        return saved, True
    decoded = decode(statement.content)
    delimiter = guess_delimiter(decoded.text)
    return guess_mapping(table(decoded.text, delimiter), delimiter), False


def preview(session: Session, statement: BankStatement, mapping: ColumnMapping) -> Preview:
    """What importing the statement with this mapping would do; nothing is written."""
    decoded = decode(statement.content)
    rows = table(decoded.text, mapping.delimiter)
    try:
        parsed = parse_rows(rows, mapping, statement.bank_key)
    except ValidationFailed as exc:
        return Preview(decoded, rows, mapping, None, exc)
    return Preview(
        decoded, rows, mapping, parsed, None, _imported(session, [line.fingerprint for line in parsed.lines])
    )


def _imported(session: Session, prints: list[str]) -> frozenset[str]:
    found: set[str] = set()
    for start in range(0, len(prints), 500):
        chunk = prints[start : start + 500]
        found.update(session.scalars(select(BankLine.fingerprint).where(BankLine.fingerprint.in_(chunk))))
    return frozenset(found)


def import_statement(
    session: Session, statement_id: int, mapping: ColumnMapping, *, by: User, now: datetime
) -> BankStatement:
    """Import every line of the statement not imported before, or none if any row is bad (StatementRefused).

    Remembers the mapping for the bank. Two imports of the same movements at once add them once: a line whose
    fingerprint is already there is left out by the database itself (ON CONFLICT DO NOTHING).
    """
    statement = statement_by_id(session, statement_id, lock=True)
    if statement.status is not StatementStatus.uploaded:
        raise InvalidState(N_("This file was already imported. Upload the next statement."))
    result = preview(session, statement, mapping)
    if result.mapping_problem is not None:
        raise result.mapping_problem
    if result.parsed.problems:
        raise StatementRefused(result.parsed.problems)
    if not result.parsed.lines:
        raise ValidationFailed(
            N_("There are no movements under row %(row)d. Is that the row with the column names?"),
            field="header_row",
            row=mapping.header_row,
        )
    remember_mapping(session, statement, mapping, by=by, now=now)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    added = 0
    values = [
        {
            "statement_id": statement.id,
            "bank_key": statement.bank_key,
            "row_number": line.row,
            "booked_on": line.booked_on,
            "description": line.description,
            "reference": line.reference,
            "amount": line.amount,
            "currency": "MXN",
            "fingerprint": line.fingerprint,
            "set_aside_by": "",
            "created_at": now,
        }
        for line in result.new_lines
    ]
    for start in range(0, len(values), 500):
        statement_sql = (
            insert(BankLine)
            .values(values[start : start + 500])
            .on_conflict_do_nothing(index_elements=["fingerprint"])
            .returning(BankLine.id)
        )
        added += len(session.execute(statement_sql).all())
    statement.status, statement.imported_at = StatementStatus.imported, now
    statement.lines_total, statement.lines_new = len(result.parsed.lines), added
    session.flush()
    return statement


def remember_mapping(session: Session, statement: BankStatement, mapping: ColumnMapping, *, by: User, now: datetime):
    """Save the mapping as this bank's (one row per bank, safe when two imports save it at once)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    chosen = {name: getattr(mapping, name) for name in MAPPING_FIELDS}
    values = {**chosen, "bank_name": statement.bank_name, "updated_by": by.name[:120], "updated_at": now}
    session.execute(
        insert(BankMapping)
        .values(bank_key=statement.bank_key, **values)
        .on_conflict_do_update(index_elements=["bank_key"], set_=values)
    )
