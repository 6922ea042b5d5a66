"""Importing a bank statement, for the treasurer and the council: upload the bank's CSV file, check which column
is which (the bank's saved choice, else a guess) against a preview of every line, then import it all or nothing.

The upload's size is checked before its body is read: the declared length first, then the bytes as they arrive,
so a huge file is refused (413) without being kept in memory or on disk. The file itself is then kept with the
statement (``shop.ledger.bank_statements``), so checking the columns never sends it again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.errors import N_, DomainError, InvalidState, ValidationFailed
from shop.ledger import bank_columns, bank_csv
from shop.ledger import bank_statements as statements
from shop.ledger.bank_columns import MAPPING_FIELDS
from shop.ledger.bank_statements import MAX_STATEMENT_BYTES, Preview, StatementRefused, megabytes
from shop.ledger.models import AmountStyle, BankStatement, DateFormat, DecimalMark, Delimiter, StatementStatus
from shop.ledger.schemas import ColumnMapping
from shop.web.csrf import CSRF_FIELD, check_token, checks_its_own_token
from shop.web.flash import flash_message
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/banco", include_in_schema=False)

BankDesk = Annotated[Signed, Depends(require(Role.treasurer, Role.council))]
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Column = Annotated[str, Form(max_length=120)]
FORM_ROOM = 64 * 1024  # the form's other fields and the multipart boundaries, around the file
SHOWN_ROWS = 15  # rows of the file shown as they are, to find the one with the column names
SHOWN_LINES = 100  # lines of the preview

DELIMITER_NAMES = {
    Delimiter.comma: N_("Commas ( , )"),
    Delimiter.semicolon: N_("Semicolons ( ; )"),
    Delimiter.tab: N_("Tabs"),
    Delimiter.pipe: N_("Vertical bars ( | )"),
}
DATE_FORMAT_NAMES = {
    DateFormat.dmy: N_("Day, month, year: 31/12/2026"),
    DateFormat.ymd: N_("Year, month, day: 2026-12-31"),
    DateFormat.mdy: N_("Month, day, year: 12/31/2026"),
}
DECIMAL_NAMES = {DecimalMark.point: N_("1,234.56 (decimal point)"), DecimalMark.comma: N_("1.234,56 (decimal comma)")}
AMOUNT_STYLE_NAMES = {
    AmountStyle.signed: N_("One column; withdrawals have a minus sign"),
    AmountStyle.split: N_("Two columns: deposits (abonos) and withdrawals (cargos)"),
}


# --- reading the upload ---------------------------------------------------------------------------------------


@dataclass
class Upload:
    """What an upload form sent, read within the size limit; ``refusal`` says why it could not be read."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    data: bytes = b""
    refusal: ValidationFailed | None = None
    status: int = 200


async def limited_upload(request: Request) -> Upload:
    """The form with its file, refused from its declared length or as soon as more than the limit arrives."""
    limit = MAX_STATEMENT_BYTES + FORM_ROOM
    too_large = ValidationFailed(
        N_("The file is too large. The limit is %(limit)s."), field="file", limit=megabytes(MAX_STATEMENT_BYTES)
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return Upload(refusal=too_large, status=413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return Upload(refusal=too_large, status=413)

    async def replay():
        yield bytes(body)

    content_type = request.headers.get("content-type", "")
    options = {"max_fields": 20, "max_part_size": FORM_ROOM}
    if content_type.startswith("multipart/form-data"):
        parser = MultiPartParser(request.headers, replay(), max_files=1, **options)
    else:
        parser = FormParser(request.headers, replay(), **options)
    try:
        form = await parser.parse()
    except MultiPartException:
        unreadable = ValidationFailed(N_("Choose the bank's CSV file."), field="file")
        return Upload(refusal=unreadable, status=400)
    upload = Upload(fields={k: v for k, v in form.multi_items() if isinstance(v, str)})
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            if name == "file":
                upload.filename, upload.data = value.filename or "", await value.read()
            await value.close()
    return upload


StatementUpload = Annotated[Upload, Depends(limited_upload)]


# --- step 1: the file -----------------------------------------------------------------------------------------


def _upload_page(request: Request, session, *, values=None, problems: Problems | None = None, status: int = 200):
    return ws_render(
        request,
        "workspace/bank_import.html",
        {
            "banks": statements.banks(session),
            "values": values or {},
            "errors": problems.items if problems else {},
            "limit": megabytes(MAX_STATEMENT_BYTES),
            "max_rows": bank_csv.MAX_STATEMENT_ROWS,
        },
        status_code=status,
    )


@router.get("/importar")
def upload_form(request: Request, session: SessionDep, who: BankDesk):
    return _upload_page(request, session)


def _status_of(exc: DomainError) -> int:
    nested = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
    return max(problem.status_code for problem in nested)


@router.post("/importar")
@checks_its_own_token
def upload(request: Request, session: SessionDep, who: BankDesk, sent: StatementUpload):
    """Keep the file and go on to its columns; or say, next to the file, why it cannot be a bank statement."""
    values = {"bank": sent.fields.get("bank", ""), "new_bank": sent.fields.get("new_bank", "")}
    problems = Problems(request)
    if sent.refusal is not None:
        problems.add_error(sent.refusal)
        return _upload_page(request, session, values=values, problems=problems, status=sent.status)
    check_token(request, sent.fields.get(CSRF_FIELD))
    bank_name = values["new_bank"].strip() or values["bank"]
    try:
        if not sent.data and not sent.filename:
            raise ValidationFailed(N_("Choose the bank's CSV file."), field="file")
        statement = statements.upload(
            session, bank_name=bank_name, filename=sent.filename, data=sent.data, by=who.user, now=utcnow()
        )
    except DomainError as exc:
        problems.add_error(exc)
        status = _status_of(exc)
        raise ErrorPage(lambda db: _upload_page(request, db, values=values, problems=problems, status=status)) from exc
    return RedirectResponse(f"/taller/banco/importar/{statement.id}", status_code=303)


# --- step 2: the columns, the preview, the import -------------------------------------------------------------


@dataclass
class PreviewPage:
    statement: BankStatement
    mapping: ColumnMapping | None
    values: dict[str, str]
    remembered: bool = False
    shown: Preview | None = None
    problems: Problems | None = None
    refused: list = field(default_factory=list)  # RowProblem: the rows that keep the file from being imported


def _values(mapping: ColumnMapping) -> dict[str, str]:
    return {name: str(getattr(mapping, name)) for name in MAPPING_FIELDS}


def _read_mapping(page: PreviewPage, sent: dict[str, str]) -> None:
    """The mapping she chose on the form; mistakes go next to their fields."""
    page.values = {name: sent.get(name, "") for name in MAPPING_FIELDS}
    try:
        page.mapping = bank_columns.mapping_from_form(page.values)
    except ValidationFailed as exc:
        page.problems.add_error(exc)
        page.mapping = None


def _show(session, page: PreviewPage) -> None:
    """Read the file with the page's mapping; a mapping the file does not fit is marked on its fields."""
    if page.mapping is None:
        return
    page.shown = statements.preview(session, page.statement, page.mapping)
    if page.shown.mapping_problem is not None:
        page.problems.add_error(page.shown.mapping_problem)
    elif page.shown.parsed.problems and not page.refused:
        page.refused = page.shown.parsed.problems


def _preview_page(request: Request, session, page: PreviewPage):
    shown = page.shown
    rows = shown.rows if shown else bank_csv.table(*_text_and_delimiter(page))
    header_row = page.mapping.header_row if page.mapping else 1
    names = bank_columns.column_names(rows[header_row - 1]) if len(rows) >= header_row else []
    chosen = [page.values.get(name, "") for name in MAPPING_FIELDS if name.endswith("_column")]
    lines = shown.parsed.lines if shown and shown.parsed else []
    trouble = bool(page.problems) or bool(page.refused)
    context = {
        "statement": page.statement,
        "values": page.values,
        "errors": page.problems.items if page.problems else {},
        "remembered": page.remembered,
        "encoding": shown.decoded.encoding if shown else "",
        "raw_rows": rows[: max(SHOWN_ROWS, header_row + 3)],
        "header_row": header_row,
        "column_choices": names + [c for c in chosen if c and c not in names],
        "refused": page.refused[:200],
        "refused_rows": len({p.row for p in page.refused}),
        "lines": lines[:SHOWN_LINES],
        "more_lines": max(0, len(lines) - SHOWN_LINES),
        "already": shown.already if shown else frozenset(),
        "new_count": len(shown.new_lines) if shown else 0,
        "old_count": len(lines) - len(shown.new_lines) if shown else 0,
        "deposits": [line.amount for line in lines if line.amount > 0],
        "withdrawals": [-line.amount for line in lines if line.amount < 0],
        "can_import": bool(lines) and not trouble,
        "earlier": statements.imported_before(session, page.statement),
        "delimiter_names": DELIMITER_NAMES,
        "date_format_names": DATE_FORMAT_NAMES,
        "decimal_names": DECIMAL_NAMES,
        "amount_style_names": AMOUNT_STYLE_NAMES,
        "currency": request.app.state.settings.default_currency,
    }
    return ws_render(request, "workspace/bank_preview.html", context, status_code=422 if trouble else 200)


def _text_and_delimiter(page: PreviewPage) -> tuple[str, Delimiter]:
    """The file and the separator chosen (or guessed, when what was chosen cannot be read)."""
    text = bank_csv.decode(page.statement.content).text
    try:
        return text, Delimiter(page.values.get("delimiter", ""))
    except ValueError:
        return text, bank_csv.guess_delimiter(text)


def _uploaded(request: Request, session, statement_id: int) -> BankStatement | RedirectResponse:
    statement = statements.statement_by_id(session, statement_id)
    if statement.status is StatementStatus.imported:
        response = RedirectResponse("/taller/banco", status_code=303)
        flash_message(request, response, N_("This file was already imported. Upload the next statement."), "error")
        return response
    return statement


@router.get("/importar/{statement_id}")
def columns(request: Request, session: SessionDep, who: BankDesk, statement_id: RowId):
    """The file's first rows, the columns (as chosen, saved for the bank, or guessed) and every line they give."""
    found = _uploaded(request, session, statement_id)
    if isinstance(found, RedirectResponse):
        return found
    page = PreviewPage(found, None, {}, problems=Problems(request))
    if "header_row" in request.query_params:
        _read_mapping(page, dict(request.query_params))
    else:
        page.mapping, page.remembered = statements.starting_mapping(session, found)
        page.values = _values(page.mapping)
    _show(session, page)
    return _preview_page(request, session, page)


@router.post("/importar/{statement_id}")
def import_statement(
    request: Request,
    session: SessionDep,
    who: BankDesk,
    statement_id: RowId,
    header_row: Annotated[str, Form(max_length=10)] = "",
    delimiter: Column = "",
    date_column: Column = "",
    date_format: Column = "",
    description_column: Column = "",
    reference_column: Column = "",
    amount_style: Column = "",
    amount_column: Column = "",
    deposit_column: Column = "",
    withdrawal_column: Column = "",
    decimal_mark: Column = "",
):
    """Import the lines the preview showed, all of them or none, and remember the columns for this bank."""
    sent = {
        "header_row": header_row,
        "delimiter": delimiter,
        "date_column": date_column,
        "date_format": date_format,
        "description_column": description_column,
        "reference_column": reference_column,
        "amount_style": amount_style,
        "amount_column": amount_column,
        "deposit_column": deposit_column,
        "withdrawal_column": withdrawal_column,
        "decimal_mark": decimal_mark,
    }
    found = _uploaded(request, session, statement_id)
    if isinstance(found, RedirectResponse):
        return found
    page = PreviewPage(found, None, {}, problems=Problems(request))
    _read_mapping(page, sent)
    if page.mapping is None:
        return _preview_page(request, session, page)

    def preview_again(db):
        page.statement = statements.statement_by_id(db, statement_id)
        _show(db, page)
        return _preview_page(request, db, page)

    try:
        imported = statements.import_statement(session, statement_id, page.mapping, by=who.user, now=utcnow())
    except StatementRefused as exc:
        page.refused = exc.problems
        raise ErrorPage(preview_again) from exc
    except InvalidState as exc:
        response = RedirectResponse("/taller/banco", status_code=303)
        flash_message(request, response, exc.message, "error", **exc.params)
        raise ErrorPage(lambda db: response) from exc
    except ValidationFailed as exc:
        page.problems.add_error(exc)
        raise ErrorPage(preview_again) from exc
    response = RedirectResponse("/taller/banco/conciliar", status_code=303)
    if imported.lines_new:
        flash_message(
            request,
            response,
            N_("Imported: %(new)d new movements from the bank (%(old)d were already here). Now match them."),
            new=imported.lines_new,
            old=imported.lines_total - imported.lines_new,
        )
    else:
        flash_message(
            request,
            response,
            N_("Nothing new: all %(count)d movements were imported before."),
            count=imported.lines_total,
        )
    return response
