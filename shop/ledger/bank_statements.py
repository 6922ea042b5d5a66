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

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, load_only

from shop.accounts.models import User
from shop.errors import N_, InvalidState, NotFound, ValidationFailed
from shop.ledger.bank_columns import MAPPING_FIELDS, bank_key, guess_mapping, refuse_all
from shop.ledger.bank_csv import DecodedFile, decode, guess_delimiter, table
from shop.ledger.bank_rows import ParsedStatement, RowProblem, StatementLine, parse_rows
from shop.ledger.models import BankLine, BankMapping, BankStatement, StatementStatus
from shop.ledger.schemas import ColumnMapping

MAX_STATEMENT_BYTES = 2 * 1024 * 1024  # a year of a small cooperative's movements is a few hundred KB
DRAFTS_KEPT = timedelta(days=2)  # a file uploaded but never imported is dropped after this


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
                N_("The file is too large. The limit is %(limit)s."), field="file", limit=megabytes(MAX_STATEMENT_BYTES)
            )
        decoded = decode(data)
        rows = table(decoded.text, guess_delimiter(decoded.text))
        if sum(1 for row in rows if any(row)) < 2:
            raise ValidationFailed(N_("The file has only one row: there are no movements in it."), field="file")
    except ValidationFailed as exc:
        problems.append(exc)
    refuse_all(problems)
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
