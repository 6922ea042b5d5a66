"""Cells of the CSV files people open in a spreadsheet: free text that must never run as a formula.

A cell that starts with ``= + - @`` (or a tab or carriage return) is what Excel and LibreOffice run as a
formula, so a title typed as ``=HYPERLINK(…)`` would run on the accountant's computer. Such a cell gets a leading
apostrophe, which spreadsheets read as "this is text". Files the shop reads back (the products' CSV) remove it
again with ``original_cell``, so an export imported as it is changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

BOM = "\ufeff"  # so a spreadsheet in Spanish reads the file as UTF-8
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Free text a spreadsheet must not run as a formula (a reason typed as "=HYPERLINK(…)").

    Text that already starts with apostrophes before such a character gets one more, so ``original_cell``
    gives back exactly what was written.
    """
    return "'" + text if text.lstrip("'")[:1] in FORMULA_STARTS else text


def original_cell(cell: str) -> str:
    """The text ``safe_cell`` was given: one apostrophe fewer before a formula's first character."""
    return cell[1:] if cell[:1] == "'" and cell.lstrip("'")[:1] in FORMULA_STARTS else cell


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    """A CSV file a spreadsheet opens as UTF-8, its free text safe from formulas, None as an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return BOM + buffer.getvalue()
