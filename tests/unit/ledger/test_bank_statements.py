"""Reading bank statements: each bank's CSV (encodings, separators, dates, amounts, a preamble before the column
names), the mapping remembered per bank, all-or-nothing imports with every bad row named, and importing the same
movements twice adding nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from banking import BANORTE, BBVA, SANTANDER, SIGNED, rows
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.errors import InvalidState, ValidationFailed
from shop.i18n import translator
from shop.ledger import bank_columns, bank_csv, bank_rows
from shop.ledger import bank_statements as statements
from shop.ledger.bank_columns import guess_mapping
from shop.ledger.bank_csv import decode, guess_delimiter, table
from shop.ledger.bank_rows import CellProblem, parse_amount, parse_date
from shop.ledger.bank_statements import StatementRefused
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

es = translator("es")


def guessed(data: bytes) -> ColumnMapping:
    text = decode(data).text
    delimiter = guess_delimiter(text)
    return guess_mapping(table(text, delimiter), delimiter)


def parsed(data: bytes, mapping: ColumnMapping | None = None, bank: str = "banco"):
    text = decode(data).text
    mapping = mapping or guessed(data)
    return bank_rows.parse_rows(table(text, mapping.delimiter), mapping, bank)


def upload_and_import(session, user, data: bytes, *, bank="BBVA", mapping: ColumnMapping | None = None):
    statement = statements.upload(session, bank_name=bank, filename="estado.csv", data=data, by=user, now=utcnow())
    chosen = mapping or statements.starting_mapping(session, statement)[0]
    return statements.import_statement(session, statement.id, chosen, by=user, now=utcnow())


# --- files from three banks -----------------------------------------------------------------------------------


def test_a_bbva_file_in_windows_1252_with_cargo_and_abono_columns():
    decoded = decode(BBVA)
    assert decoded.encoding == "Windows-1252 (Latin-1)"
    assert decoded.text.startswith("Día,")
    mapping = guessed(BBVA)
    assert mapping == ColumnMapping(
        header_row=1,
        delimiter=Delimiter.comma,
        date_column="Día",
        date_format=DateFormat.dmy,
        description_column="Concepto / Referencia",
        reference_column="",
        amount_style=AmountStyle.split,
        amount_column="",
        deposit_column="Abono",
        withdrawal_column="Cargo",
        decimal_mark=DecimalMark.point,
    )
    result = parsed(BBVA, mapping)
    assert result.problems == []
    assert [(line.row, line.booked_on, line.amount) for line in result.lines] == [
        (2, date(2026, 11, 3), 185_000),
        (3, date(2026, 11, 4), -15_000),
        (4, date(2026, 11, 5), -520_000),
    ]
    assert result.lines[2].description == "SPEI ENVIADO MARÍA PÉREZ CLAVE MBAN01002611050012345"
    assert result.lines[1].description == "COMISIÓN MANEJO DE CUENTA"


def test_a_banorte_file_with_a_bom_a_preamble_and_a_signed_amount():
    decoded = decode(BANORTE)
    assert decoded.encoding == "UTF-8" and not decoded.text.startswith("\ufeff")
    mapping = guessed(BANORTE)
    assert mapping.header_row == 5  # after three lines about the account and a blank one
    assert (mapping.date_column, mapping.description_column, mapping.reference_column) == (
        "Fecha",
        "Descripción",
        "Referencia",
    )
    assert (mapping.amount_style, mapping.amount_column) == (AmountStyle.signed, "Importe")
    result = parsed(BANORTE, mapping)
    assert result.problems == []
    assert [(line.row, line.reference, line.amount) for line in result.lines] == [
        (6, "7788123", 185_000),
        (7, "MBAN01002611050012345", -520_000),
    ]
    assert result.skipped == 1  # the blank last line


def test_a_file_with_semicolons_decimal_commas_and_month_names():
    text = decode(SANTANDER).text
    assert guess_delimiter(text) is Delimiter.semicolon
    mapping = guessed(SANTANDER)
    assert mapping.decimal_mark is DecimalMark.comma and mapping.amount_column == "Importe"
    result = parsed(SANTANDER, mapping)
    assert result.problems == []
    assert [(line.booked_on, line.amount) for line in result.lines] == [
        (date(2026, 11, 3), 185_000),
        (date(2026, 12, 6), -15_000),
    ]


def test_the_same_file_read_with_the_wrong_decimal_mark_is_refused_row_by_row():
    mapping = replace(guessed(SANTANDER), decimal_mark=DecimalMark.point)
    result = parsed(SANTANDER, mapping)
    assert [p.row for p in result.problems] == [2, 3]
    assert result.problems[0].translated(es.gettext) == "“1.850,00” no es una cantidad como 1,234.56."


@pytest.mark.parametrize(
    ("text", "mark", "centavos"),
    [
        ("1,850.00", DecimalMark.point, 185_000),
        ("1850", DecimalMark.point, 185_000),
        ("-5,200.50", DecimalMark.point, -520_050),
        ("5,200.50-", DecimalMark.point, -520_050),
        ("(150.00)", DecimalMark.point, -15_000),
        ("$1,234,567.89 MXN", DecimalMark.point, 123_456_789),
        ("+12.5", DecimalMark.point, 1_250),
        ("1.234,56", DecimalMark.comma, 123_456),
        ("1 234,56", DecimalMark.comma, 123_456),
        ("−0,01", DecimalMark.comma, -1),
        ("", DecimalMark.point, None),
    ],
)
def test_amounts_as_banks_write_them(text, mark, centavos):
    assert parse_amount(text, mark) == centavos


@pytest.mark.parametrize(
    ("text", "mark"),
    [
        ("1.234,56", DecimalMark.point),
        ("12,34.50", DecimalMark.point),
        ("1,234.567", DecimalMark.point),
        ("abc", DecimalMark.point),
        ("1.5", DecimalMark.comma),
        ("$", DecimalMark.point),
        ("1e5", DecimalMark.point),
    ],
)
def test_what_is_not_an_amount_is_refused(text, mark):
    with pytest.raises(CellProblem):
        parse_amount(text, mark)


@pytest.mark.parametrize(
    ("text", "form", "day"),
    [
        ("03/11/2026", DateFormat.dmy, date(2026, 11, 3)),
        ("3-11-26", DateFormat.dmy, date(2026, 11, 3)),
        ("03.11.2026 10:32", DateFormat.dmy, date(2026, 11, 3)),
        ("03/NOV/2026", DateFormat.dmy, date(2026, 11, 3)),
        ("3 dic 2026", DateFormat.dmy, date(2026, 12, 3)),
        ("2026-11-03", DateFormat.ymd, date(2026, 11, 3)),
        ("2026-11-03T09:15:00", DateFormat.ymd, date(2026, 11, 3)),
        ("11/03/2026", DateFormat.mdy, date(2026, 11, 3)),
    ],
)
def test_dates_as_banks_write_them(text, form, day):
    assert parse_date(text, form) == day


@pytest.mark.parametrize("text", ["31/02/2026", "2026-11-03", "03/13/2026", "ayer", "03/11", "03/11/1999"])
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(CellProblem):
        parse_date(text, DateFormat.dmy)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"PK\x03\x04 an xlsx", "This is a %(kind)s file"),
        (b"%PDF-1.7", "This is a %(kind)s file"),
        (b"Fecha,Importe\x00\x01\x02", "This file is not a CSV text file."),
    ],
)
def test_files_that_are_not_csv_text_are_refused(data, message):
    with pytest.raises(ValidationFailed) as caught:
        decode(data)
    assert caught.value.message.startswith(message) and caught.value.field == "file"


# --- importing ------------------------------------------------------------------------------------------------


def line_count(session) -> int:
    return session.scalar(select(func.count()).select_from(BankLine))


def test_importing_remembers_the_mapping_for_the_bank(session, teresa):
    statement = upload_and_import(session, teresa, BBVA, bank="BBVA")
    assert (statement.status, statement.lines_total, statement.lines_new) == (StatementStatus.imported, 3, 3)
    assert line_count(session) == 3
    saved = session.scalars(select(BankMapping)).one()
    assert (saved.bank_key, saved.bank_name, saved.deposit_column) == ("bbva", "BBVA", "Abono")
    again = statements.upload(session, bank_name=" bbva ", filename="dic.csv", data=BBVA, by=teresa, now=utcnow())
    mapping, remembered = statements.starting_mapping(session, again)
    assert remembered and mapping == guessed(BBVA)
    assert statements.imported_before(session, again).id == statement.id


def test_the_same_statement_twice_adds_nothing_and_an_overlapping_one_only_its_new_lines(session, teresa):
    upload_and_import(session, teresa, BANORTE, bank="Banorte")
    second = upload_and_import(session, teresa, BANORTE, bank="Banorte")
    assert (second.lines_total, second.lines_new) == (2, 0)
    assert line_count(session) == 2
    longer = BANORTE.rstrip(b"\n") + b'\n07/11/2026,991,DEPOSITO JJ-000124,"980.00","8,130.00"\n'
    third = upload_and_import(session, teresa, longer, bank="BANORTE")
    assert (third.lines_total, third.lines_new) == (3, 1)
    assert line_count(session) == 3


def test_identical_twins_in_one_file_are_two_lines_but_only_once(session, teresa):
    twins = rows("03/11/2026,COMISION,,-10.00", "03/11/2026,COMISION,,-10.00", "03/11/2026,COMISION,,-12.00")
    first = upload_and_import(session, teresa, twins, mapping=SIGNED)
    assert first.lines_new == 3
    prints = session.scalars(select(BankLine.fingerprint)).all()
    assert len(set(prints)) == 3
    assert upload_and_import(session, teresa, twins, mapping=SIGNED).lines_new == 0
    # A later statement with a third identical twin brings only that one.
    triplets = rows(*["03/11/2026,COMISION,,-10.00"] * 3)
    assert upload_and_import(session, teresa, triplets, mapping=SIGNED).lines_new == 1


def test_any_bad_row_means_nothing_is_imported_and_every_bad_row_is_named(session, teresa):
    data = rows(
        "03/11/2026,DEPOSITO JJ-000123,7788123,1850.00",
        "31/02/2026,DEPOSITO,1,100.00",
        "04/11/2026,DEPOSITO,2,100.00",
        "05/11/2026,DEPOSITO,3,cien",
        "06/11/2026,SIN IMPORTE,4,",
        ",NOTA SOBRE LA CUENTA,,",
        ",TOTAL,,2050.00",
    )
    statement = statements.upload(session, bank_name="Banco", filename="x.csv", data=data, by=teresa, now=utcnow())
    with pytest.raises(StatementRefused) as caught:
        statements.import_statement(session, statement.id, SIGNED, by=teresa, now=utcnow())
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(3, "Fecha"), (5, "Importe"), (6, ""), (8, "Fecha")]
    assert [p.translated(es.gettext) for p in problems] == [
        "“31/02/2026” no es una fecha como 31/12/2026.",
        "“cien” no es una cantidad como 1,234.56.",
        "La fila no tiene cantidad (o es cero).",
        "No hay fecha.",
    ]
    assert es.gettext(caught.value.message, **caught.value.params).startswith(
        "No se importó nada. Filas que corregir: 4."
    )
    session.rollback()
    assert line_count(session) == 0
    assert session.scalars(select(BankMapping)).all() == []


def test_a_mapping_naming_columns_the_file_lacks_is_refused_on_its_fields(session, teresa):
    statement = statements.upload(session, bank_name="BBVA", filename="x.csv", data=BBVA, by=teresa, now=utcnow())
    shown = statements.preview(session, statement, SIGNED)
    assert shown.parsed is None
    fields = {e.field for e in shown.mapping_problem.errors}
    assert fields == {"date_column", "description_column", "reference_column", "amount_column"}
    assert shown.rows[0][0] == "Día"  # the file is still there to show
    with pytest.raises(ValidationFailed):
        statements.import_statement(session, statement.id, SIGNED, by=teresa, now=utcnow())


def test_a_header_row_with_nothing_under_it_is_refused(session, teresa):
    notes = rows(",Saldo inicial,,", ",Saldo final,,")
    statement = statements.upload(session, bank_name="BBVA", filename="x.csv", data=notes, by=teresa, now=utcnow())
    with pytest.raises(ValidationFailed) as caught:
        statements.import_statement(session, statement.id, SIGNED, by=teresa, now=utcnow())
    assert caught.value.field == "header_row"
    wrong_row = replace(guessed(BBVA), header_row=4)  # a row of figures, not of names
    statement = statements.upload(session, bank_name="BBVA", filename="x.csv", data=BBVA, by=teresa, now=utcnow())
    assert statements.preview(session, statement, wrong_row).mapping_problem is not None


def test_a_statement_is_imported_once(session, teresa):
    statement = upload_and_import(session, teresa, BBVA)
    with pytest.raises(InvalidState):
        statements.import_statement(session, statement.id, guessed(BBVA), by=teresa, now=utcnow())


def test_too_large_or_too_long_files_and_nameless_banks_are_refused(session, teresa):
    big = b"Fecha,Importe\n" + b"03/11/2026,1.00\n" * (statements.MAX_STATEMENT_BYTES // 16 + 1)
    with pytest.raises(ValidationFailed) as too_big:
        statements.upload(session, bank_name="BBVA", filename="x.csv", data=big, by=teresa, now=utcnow())
    assert too_big.value.field == "file" and "too large" in too_big.value.message
    long = b"Fecha,Importe\n" + b"03/11/2026,1.00\n" * (bank_csv.MAX_STATEMENT_ROWS + 51)
    with pytest.raises(ValidationFailed) as too_long:
        statements.upload(session, bank_name="BBVA", filename="x.csv", data=long, by=teresa, now=utcnow())
    assert too_long.value.field == "file" and too_long.value.params == {"count": bank_csv.MAX_STATEMENT_ROWS}
    with pytest.raises(ValidationFailed) as nameless:
        statements.upload(session, bank_name="  ", filename="x.csv", data=BBVA, by=teresa, now=utcnow())
    assert nameless.value.field == "bank"
    assert session.scalar(select(func.count()).select_from(BankStatement)) == 0


def test_a_new_upload_drops_her_unfinished_one(session, teresa):
    statements.upload(session, bank_name="BBVA", filename="a.csv", data=BBVA, by=teresa, now=utcnow())
    statements.upload(session, bank_name="BBVA", filename="b.csv", data=BBVA, by=teresa, now=utcnow())
    session.expunge_all()
    assert session.scalars(select(BankStatement.filename)).all() == ["b.csv"]


def test_the_mapping_form_reports_every_mistake_at_once():
    with pytest.raises(ValidationFailed) as caught:
        bank_columns.mapping_from_form({"header_row": "cero", "delimiter": "x", "date_format": "dmy"})
    assert {e.field for e in caught.value.errors} == {"header_row", "delimiter", "amount_style", "decimal_mark"}
    chosen = bank_columns.mapping_from_form(
        {
            "header_row": "5",
            "delimiter": "comma",
            "date_column": "Fecha",
            "date_format": "dmy",
            "description_column": "Descripción",
            "amount_style": "signed",
            "amount_column": "Importe",
            "decimal_mark": "point",
        }
    )
    assert chosen.header_row == 5 and chosen.amount_style is AmountStyle.signed and chosen.reference_column == ""
