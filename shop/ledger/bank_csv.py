"""Reading a bank statement file: its encoding, its delimiter and its rows, refusing what is not a CSV file."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass

from shop.errors import N_, ValidationFailed
from shop.ledger.models import Delimiter

MAX_STATEMENT_ROWS = 5000
SEPARATORS = {Delimiter.comma: ",", Delimiter.semicolon: ";", Delimiter.tab: "\t", Delimiter.pipe: "|"}
NOT_TEXT = {
    b"PK\x03\x04": "Excel (.xlsx)",
    b"\xd0\xcf\x11\xe0": "Excel (.xls)",
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"\xff\xd8\xff": "JPEG",
}


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
            N_("This file is not a CSV text file. Download the statement from the bank's website as CSV."), field="file"
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
