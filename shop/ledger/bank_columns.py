"""Which column of a bank's CSV export is which: a first guess from the column names, or the treasurer's choice
on the form, and where each chosen column sits in the file."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import fields

from shop.errors import N_, ValidationFailed
from shop.ledger.bank_csv import MAX_STATEMENT_ROWS
from shop.ledger.models import AmountStyle, DateFormat, DecimalMark, Delimiter
from shop.ledger.schemas import ColumnMapping


def comparable(text: str) -> str:
    """Lowercase, without accents, single spaces: how column names and bank names are compared."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded.casefold()).split())


def bank_key(name: str) -> str:
    """The bank a name stands for: "BBVA", "bbva " and "Bbva" are one bank."""
    return comparable(name).replace(" ", "-")[:60]


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
    plain = {name: comparable(name) for name in names if name not in taken}
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
_CHOICES = {"delimiter": Delimiter, "date_format": DateFormat, "amount_style": AmountStyle, "decimal_mark": DecimalMark}


def refuse_all(problems: list[ValidationFailed]) -> None:
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
    refuse_all(problems)
    return ColumnMapping(**chosen)


def _required_columns(mapping: ColumnMapping) -> list[str]:
    amounts = (
        ["amount_column"] if mapping.amount_style is AmountStyle.signed else ["deposit_column", "withdrawal_column"]
    )
    return ["date_column", "description_column", *amounts]


def column_positions(rows: list[list[str]], mapping: ColumnMapping) -> dict[str, int]:
    """Where each chosen column is, or ValidationFailed naming each field whose column the file lacks."""
    if mapping.header_row > len(rows):
        raise ValidationFailed(N_("The file has only %(count)d rows."), field="header_row", count=len(rows))
    names = column_names(rows[mapping.header_row - 1])
    problems: list[ValidationFailed] = []
    positions: dict[str, int] = {}
    for name in ("date_column", "description_column", "reference_column", *amount_fields(mapping)):
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
    refuse_all(problems)
    return positions


def amount_fields(mapping: ColumnMapping) -> tuple[str, ...]:
    if mapping.amount_style is AmountStyle.signed:
        return ("amount_column",)
    return ("deposit_column", "withdrawal_column")
