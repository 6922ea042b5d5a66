"""Accounting, for the treasurer, the council and admins: the cooperative fund net of processor fees, the trial
balance of the whole ledger, every ledger entry over chosen days as a CSV file for a spreadsheet or the
cooperative's accountant, and the fund's monthly statement to print.

The trial balance lists the cooperative's own accounts first (assets, liabilities, income, expenses), then
one payable account per weaver, by name. Every balance is debits minus credits, so the balances of a sound
ledger add up to zero; the page says so, or says loudly that they do not.

The export's days are Mexico City days, both included, at most three years at a time. Dates that cannot be
read are refused (422) on this same page, with the form there to correct them. The fund's statement takes a
month (``?mes=YYYY-MM``, Mexico City months; this month when none is given); one that cannot be read is
refused (422) on the statement's page, with the month picker there to choose another.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session

from shop.api.http.auth import Staff
from shop.api.http.deps import SessionDep
from shop.clock import to_local, utcnow
from shop.db import session_scope
from shop.errors import N_, ValidationFailed
from shop.i18n import Translator, translator
from shop.ledger.balances import trial_balance
from shop.ledger.chart import WEAVER_PREFIX
from shop.ledger.export import ledger_csv
from shop.ledger.fund import fund_position, fund_statement
from shop.ledger.settled import weaver_totals
from shop.ledger.statements import month_of, parse_month
from shop.web.workspace.render import ws_render
from shop.web.workspace.thumbs import first_photos

router = APIRouter(prefix="/taller", include_in_schema=False)

PAGE = "/taller/contabilidad"
EXPORT = "/taller/contabilidad/movimientos.csv"
FUND_STATEMENT = "/taller/contabilidad/fondo"
BOM = "\ufeff".encode()  # so Excel (in Spanish) reads the file as UTF-8 and shows accents right
MAX_DAYS = 3 * 365 + 1  # three years, a leap day included
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)  # beyond these, a date is surely mistyped

KINDS = {"asset": N_("Asset"), "liability": N_("Liability"), "income": N_("Income"), "expense": N_("Expense")}
KIND_ORDER = tuple(KINDS)
# The cooperative's own accounts are stored with English names (shop.ledger.chart); shown translated.
SYSTEM_NAMES = {
    "fund": N_("Cooperative fund"),
    "processor_fees": N_("Processor fees"),
    "shipping_income": N_("Shipping income"),
    "stripe_clearing": N_("Stripe clearing"),
    "cash": N_("Cash on hand"),
    "bank": N_("Bank account"),
    "pending_offline": N_("Offline payments to reconcile"),
    "unallocated": N_("Payments to resolve"),
}
NOT_A_DATE = N_("“%(value)s” is not a date (%(which)s). Write it as YYYY-MM-DD, for example 2026-11-27.")
OUT_OF_RANGE = N_("“%(value)s” is too far in the past or in the future (%(which)s).")
SWAPPED = N_("The first date is after the last one. Swap them and try again.")
TOO_LONG = N_("Choose at most three years at a time.")


@dataclass
class Line:
    code: str
    name: str
    kind: str  # translated
    debit: int
    credit: int
    net: int  # debit - credit


@dataclass
class Group:
    title: str
    lines: list[Line]


def _sort_key(name: str) -> tuple[str, str]:
    """Names in alphabetical order as people expect it: "Ángela" before "Beatriz", whatever the capitals."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return plain.casefold(), name


def groups(session: Session, t: Translator) -> list[Group]:
    """The trial balance in two groups: the cooperative's accounts, then each weaver's, by name."""
    ours: list[tuple[int, tuple[str, str], Line]] = []
    weavers: list[Line] = []
    for row in trial_balance(session):
        kind = t.gettext(KINDS[row.kind]) if row.kind in KINDS else row.kind
        if row.code.startswith(WEAVER_PREFIX):
            # A weaver's account is named after her when it is opened (shop.ledger.chart.weaver_account).
            weavers.append(Line(row.code, row.name, kind, row.debit, row.credit, row.net))
            continue
        name = t.gettext(SYSTEM_NAMES[row.code]) if row.code in SYSTEM_NAMES else row.name
        order = KIND_ORDER.index(row.kind) if row.kind in KIND_ORDER else len(KIND_ORDER)
        ours.append((order, _sort_key(name), Line(row.code, name, kind, row.debit, row.credit, row.net)))
    ours.sort(key=lambda item: item[:2])
    weavers.sort(key=lambda line: (_sort_key(line.name), line.code))
    found = [
        Group(t.gettext("The cooperative"), [line for *_, line in ours]),
        Group(t.gettext("Weavers"), weavers),
    ]
    return [group for group in found if group.lines]


def _today() -> date:
    return to_local(utcnow()).date()


def _day(value: str, field: str, which: str) -> date:
    """A ``YYYY-MM-DD`` date, or ValidationFailed naming the form field (``which`` is its translated label)."""
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(NOT_A_DATE, field=field, value=value[:20], which=which) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed(OUT_OF_RANGE, field=field, value=value, which=which)
    return day


def read_range(desde: str, hasta: str, t: Translator) -> tuple[date, date]:
    """The export's days, both included. A missing last day is today; a missing first day, the first of the
    last day's month. Unreadable, swapped or too far apart: ValidationFailed, with the field to mark."""
    desde, hasta = desde.strip(), hasta.strip()
    start = _day(desde, "desde", t.gettext("From")) if desde else None
    end = _day(hasta, "hasta", t.gettext("To")) if hasta else _today()
    start = start or end.replace(day=1)
    if start > end:
        raise ValidationFailed(SWAPPED, field="hasta")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed(TOO_LONG, field="desde")
    return start, end


def _page(
    request: Request,
    session: Session,
    t: Translator,
    values: dict[str, str],
    *,
    error: ValidationFailed | None = None,
):
    found = groups(session, t)
    lines = [line for group in found for line in group.lines]
    debit = sum(line.debit for line in lines)
    credit = sum(line.credit for line in lines)
    net = sum(line.net for line in lines)
    owed_to_weavers, owed_by_weavers = weaver_totals(session)
    context = {
        "fund": fund_position(session),
        "owed_to_weavers": owed_to_weavers,
        "owed_by_weavers": owed_by_weavers,
        "fund_statement": FUND_STATEMENT,
        "groups": found,
        "totals": {"debit": debit, "credit": credit, "net": net},
        "balanced": debit == credit and net == 0,
        "currency": request.app.state.settings.default_currency,
        "values": values,
        "error": error.translated(t.gettext) if error is not None else None,
        "error_field": error.field if error is not None else None,
        "export": EXPORT,
    }
    return ws_render(request, "workspace/accounting.html", context, status_code=422 if error else 200)


@router.get("/contabilidad")
def accounting(request: Request, session: SessionDep, who: Staff):
    t = translator(request.state.lang)
    today = _today()
    values = {"desde": today.replace(day=1).isoformat(), "hasta": today.isoformat()}
    return _page(request, session, t, values)


def _csv_bytes(engine: Engine, start: date, end: date) -> Iterator[bytes]:
    """The file as it is sent: a byte order mark, then ``ledger_csv``'s chunks, read in a session of its own.

    The request's session cannot be used here: ``SessionDep`` is scoped to the route function
    (``scope="function"``), so it is committed and closed before the response body is sent. This generator
    runs while the body is sent, so it opens its own read-only session (``session_scope(writes=False)``: on
    SQLite it never takes the write lock, and WAL lets writers go on meanwhile). The rows are read in batches
    (``ledger_rows`` uses ``yield_per``), so even three years of entries never sit in memory at once. The
    session closes when the last chunk is sent, or when the browser goes away and the generator is closed.
    Everything that can be refused (the role, the dates) is checked before the first byte is sent.
    """
    yield BOM
    with session_scope(engine, writes=False) as session:
        for chunk in ledger_csv(session, start, end):
            if chunk:
                yield chunk.encode("utf-8")


@router.get("/contabilidad/movimientos.csv")
def ledger_export(request: Request, session: SessionDep, who: Staff, desde: str = "", hasta: str = ""):
    t = translator(request.state.lang)
    try:
        start, end = read_range(desde, hasta, t)
    except ValidationFailed as exc:
        return _page(request, session, t, {"desde": desde.strip()[:20], "hasta": hasta.strip()[:20]}, error=exc)
    filename = f"libro-mayor-{start.isoformat()}-{end.isoformat()}.csv"
    return StreamingResponse(
        _csv_bytes(request.app.state.engine, start, end),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # The ledger is private: nothing may keep a copy (as for every workspace page).
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
        },
    )


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@router.get("/contabilidad/fondo")
def fund_statement_page(request: Request, session: SessionDep, who: Staff, mes: str = ""):
    """The fund's statement for one month, to read or print; this month when none is asked for."""
    t = translator(request.state.lang)
    error = None
    try:
        month = parse_month(mes) if mes.strip() else month_of(utcnow())
    except ValidationFailed as exc:
        error, month = exc.translated(t.gettext), month_of(utcnow())
    st = None if error else fund_statement(session, month)
    context = {
        "st": st,
        "photos": first_photos(session, {line.product_id for line in st.lines if line.product_id}) if st else {},
        "value": mes.strip()[:20] if error else month.strftime("%Y-%m"),
        "error": error,
        "previous": _shift(month, -1),
        "following": _shift(month, 1),
        "currency": request.app.state.settings.default_currency,
    }
    return ws_render(request, "workspace/fund_statement.html", context, status_code=422 if error else 200)
