"""The workspace in Tzotzil, written by the cooperative's own speakers (the council and the admin).

Each Spanish string is shown beside its Tzotzil, with the screens where it appears; a filter by screen and by
state (missing, waiting for review, reviewed), a search, and pages of 50. A text one person writes waits for a
second, different person to review it; only then does the workspace show it. A linguist may work offline on
an exported ``.po`` file and bring it back: the import shows what would change before anything does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response

from shop.api.http.auth import Council
from shop.api.http.deps import ErrorPage, SessionDep
from shop.clock import utcnow
from shop.errors import N_, DomainError, NotFound, ValidationFailed
from shop.translations import service, strings
from shop.translations.models import MAX_TEXT, TzotzilText
from shop.translations.service import MAX_PO_BYTES
from shop.translations.strings import (
    WorkspaceString,
    all_screens,
    by_key,
    workspace_strings,
)
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller/traducciones", include_in_schema=False, route_class=SignedInFirst)

PAGE_SIZE = 50
STATES = {
    "missing": N_("Missing"),
    "waiting": N_("Waiting for review"),
    "reviewed": N_("Reviewed"),
}
Key = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
Text = Annotated[str, Form(max_length=MAX_TEXT + 100)]


def screen_name(t, screen: str) -> str:
    return strings.screen_name(t.gettext, screen)


@dataclass
class Row:
    string: WorkspaceString
    text: TzotzilText | None

    @property
    def state(self) -> str:
        return "missing" if self.text is None else self.text.state.value


def _rows(session, screen: str, state: str, search: str) -> list[Row]:
    written = service.texts(session)
    needle = search.casefold()
    rows = []
    for string in workspace_strings():
        row = Row(string, written.get(string.msgid))
        if screen and screen not in string.screens:
            continue
        if state and row.state != state:
            continue
        if needle:
            tzotzil = (row.text.text, row.text.source) if row.text else ()
            haystack = " ".join((string.msgid, string.spanish, *tzotzil))
            if needle not in haystack.casefold():
                continue
        rows.append(row)
    return rows


@router.get("")
def list_page(
    request: Request,
    session: SessionDep,
    who: Council,
    pantalla: Annotated[str, Query(max_length=120)] = "",
    estado: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    pagina: Annotated[str, Query(max_length=6)] = "",
):
    problems = Problems(request)
    if pantalla and pantalla not in all_screens():
        problems.add("pantalla", N_("Choose a screen from the list."))
        pantalla = ""
    if estado and estado not in STATES:
        problems.add("estado", N_("Choose a state from the list."))
        estado = ""
    page = int(pagina) if pagina.isdigit() and 0 < int(pagina) < 100_000 else 1
    rows = _rows(session, pantalla, estado, q.strip())
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    query = {k: v for k, v in (("pantalla", pantalla), ("estado", estado), ("q", q.strip())) if v}

    def link(number: int) -> str:
        return "/taller/traducciones?" + urlencode({**query, "pagina": number})

    all_rows = service.texts(session)
    t = problems.t
    context = {
        "rows": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "total": len(rows),
        "page": page,
        "pages": pages,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
        "values": {"pantalla": pantalla, "estado": estado, "q": q.strip()},
        "errors": problems.items,
        "screens": sorted(((s, screen_name(t, s)) for s in all_screens()), key=lambda pair: pair[1].casefold()),
        "screen_name": lambda s: screen_name(t, s),
        "states": STATES,
        "counts": {
            "all": len(workspace_strings()),
            "reviewed": sum(1 for r in all_rows.values() if r.state.value == "reviewed"),
            "waiting": sum(1 for r in all_rows.values() if r.state.value == "waiting"),
        },
    }
    return ws_render(request, "workspace/translations.html", context, status_code=422 if problems else 200)


# --- the .po file: out and back in ---------------------------------------------------------------------------


@router.get("/exportar")
def export(request: Request, session: SessionDep, who: Council, que: Annotated[str, Query(max_length=10)] = "todo"):
    only_missing = que == "faltan"
    name = "tzotzil-faltan.po" if only_missing else "tzotzil.po"
    return Response(
        service.export_po(session, only_missing=only_missing),
        media_type="text/x-gettext-translation; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _import_page(request: Request, *, errors=None, preview=None, data: str = "", status: int = 200):
    t = Problems(request).t
    mistakes = []
    for msgid, problem in (preview.errors if preview else [])[:50]:
        first = problem.errors[0] if problem.errors else problem
        mistakes.append((msgid, first.translated(t.gettext)))
    return ws_render(
        request,
        "workspace/translations_import.html",
        {"errors": errors or {}, "preview": preview, "mistakes": mistakes, "data": data, "limit": "2 MB"},
        status_code=status,
    )


@router.get("/importar")
def import_form(request: Request, who: Council):
    return _import_page(request)


def _read_upload(upload: UploadFile | None) -> bytes:
    if upload is None or not (upload.filename or upload.size):
        raise ValidationFailed(N_("Choose the .po file."), field="file")
    if (upload.size or 0) > MAX_PO_BYTES:
        raise ValidationFailed(N_("The file is too large. The limit is %(limit)s."), field="file", limit="2 MB")
    return upload.file.read(MAX_PO_BYTES + 1)


@router.post("/importar")
def import_preview(
    request: Request, session: SessionDep, who: Council, file: Annotated[UploadFile | None, File()] = None
):
    """What the file would change, changing nothing yet."""
    problems = Problems(request)
    too_large = file is not None and (file.size or 0) > MAX_PO_BYTES
    try:
        data = _read_upload(file)
        preview = service.preview_import(session, data)
    except ValidationFailed as exc:
        problems.add_error(exc)
        return _import_page(request, errors=problems.items, status=413 if too_large else 422)
    return _import_page(request, preview=preview, data=data.decode("utf-8"), status=422 if preview.errors else 200)


@router.post("/importar/aplicar")
def import_apply(
    request: Request, session: SessionDep, who: Council, po: Annotated[str, Form(max_length=MAX_PO_BYTES)] = ""
):
    try:
        done = service.apply_import(session, po.encode("utf-8"), by=who.user, now=utcnow())
    except ValidationFailed as exc:
        problems = Problems(request)
        problems.add_error(exc, "file")
        raise ErrorPage(lambda db: _import_page(request, errors=problems.items, status=422)) from exc
    return redirect_saved(
        request,
        "/taller/traducciones?estado=waiting",
        N_("Imported: %(new)d new and %(changed)d changed texts. A second speaker must review them."),
        new=len(done.new),
        changed=len(done.changed),
    )


# --- one string ----------------------------------------------------------------------------------------------


def _string(key: str) -> WorkspaceString:
    found = by_key().get(key)
    if found is None:
        raise NotFound(N_("The workspace has no such text."))
    return found


def _edit_page(request: Request, session, string: WorkspaceString, *, values=None, errors=None, status: int = 200):
    row = service.texts(session).get(string.msgid)
    t = Problems(request).t
    if values is None:
        values = {"text": row.text if row else "", "text_plural": (row.text_plural or "") if row else ""}
    who = getattr(request.state, "user", None)
    return ws_render(
        request,
        "workspace/translation.html",
        {
            "string": string,
            "row": row,
            "values": values,
            "errors": errors or {},
            "screens": [screen_name(t, s) for s in string.screens],
            "states": STATES,
            "own_text": row is not None and who is not None and row.written_by_id == who.id,
            "max_text": MAX_TEXT,
        },
        status_code=status,
    )


@router.get("/{key}")
def edit(request: Request, session: SessionDep, who: Council, key: Key):
    return _edit_page(request, session, _string(key))


@router.post("/{key}")
def save(request: Request, session: SessionDep, who: Council, key: Key, text: Text = "", text_plural: Text = ""):
    string = _string(key)
    values = {"text": text, "text_plural": text_plural}
    try:
        saved = service.write(session, string.msgid, text, text_plural or None, by=who.user, now=utcnow())
    except ValidationFailed as exc:
        problems = Problems(request)
        problems.add_error(exc)
        raise ErrorPage(
            lambda db: _edit_page(request, db, string, values=values, errors=problems.items, status=422)
        ) from exc
    if saved is None:
        return redirect_saved(request, f"/taller/traducciones/{key}", N_("Removed: the workspace shows it in Spanish."))
    return redirect_saved(request, f"/taller/traducciones/{key}", N_("Saved. A second speaker must review it."))


@router.post("/{key}/revisar")
def review(request: Request, session: SessionDep, who: Council, key: Key):
    string = _string(key)
    try:
        service.review(session, string.msgid, by=who.user, now=utcnow())
    except DomainError as exc:
        problems = Problems(request)
        problems.add_error(exc, "review")
        status = exc.status_code
        raise ErrorPage(lambda db: _edit_page(request, db, string, errors=problems.items, status=status)) from exc
    return redirect_saved(request, f"/taller/traducciones/{key}", N_("Reviewed: the workspace shows it now."))
