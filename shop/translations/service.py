"""Writing and reviewing the workspace's Tzotzil, and taking it out and back in as a ``.po`` file.

A text one speaker writes waits for a second speaker, a different person, to review it; only reviewed texts
are shown in the workspace. Changing a reviewed text makes it wait again. A linguist may work offline on an
exported ``.po`` file: importing it shows first what would change, and what it brings is unreviewed, except a
text already reviewed here with the same words, which stays as it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po
from sqlmodel import Session, select

from shop.errors import N_, Forbidden, InvalidState, NotFound, ValidationFailed
from shop.translations.catalog import bump
from shop.translations.models import MAX_TEXT, TextState, TzotzilText
from shop.translations.strings import PLACEHOLDER, WorkspaceString, by_msgid, workspace_strings

MAX_PO_BYTES = 2 * 1024 * 1024  # the whole catalog with every text written is about 200 kB


class Person(Protocol):
    id: int | None
    name: str


def texts(session: Session) -> dict[str, TzotzilText]:
    """Every text written so far, by message id (at most one per workspace string: under a thousand rows)."""
    return {row.msgid: row for row in session.exec(select(TzotzilText))}


def _known(msgid: str) -> WorkspaceString:
    found = by_msgid().get(msgid)
    if found is None:
        raise NotFound(N_("The workspace has no such text."))
    return found


def _checked(string: WorkspaceString, text: str, text_plural: str | None) -> tuple[str, str | None]:
    text = text.strip()
    text_plural = (text_plural or "").strip() or None
    problems = []
    for name, value in (("text", text), ("text_plural", text_plural)):
        if value is None:
            continue
        if len(value) > MAX_TEXT:
            problems.append(ValidationFailed(N_("Write at most %(max)s characters."), field=name, max=MAX_TEXT))
        extra = set(PLACEHOLDER.findall(value)) - string.placeholders - {"%(num)d"}
        if extra:
            problems.append(
                ValidationFailed(
                    N_("Keep the marks as they are in Spanish; %(marks)s is not one of them."),
                    field=name,
                    marks=", ".join(sorted(extra)),
                )
            )
    if string.plural is not None and text and not text_plural:
        problems.append(ValidationFailed(N_("Write the text for more than one as well."), field="text_plural"))
    if problems:
        raise ValidationFailed(N_("Check the marked fields."), errors=problems)
    return text, text_plural if string.plural is not None else None


def write(
    session: Session, msgid: str, text: str, text_plural: str | None, *, by: Person, now: datetime
) -> TzotzilText | None:
    """A speaker's text for a string: it waits for review. An empty text removes it (Spanish shows again)."""
    string = _known(msgid)
    text, text_plural = _checked(string, text, text_plural)
    row = session.exec(select(TzotzilText).where(TzotzilText.msgid == msgid)).first()
    if not text:
        if row is not None:
            session.delete(row)
            bump(session)
        return None
    if row is not None and (row.text, row.text_plural) == (text, text_plural):
        return row  # nothing changed: a reviewed text stays reviewed
    if row is None:
        row = TzotzilText(msgid=msgid, text=text)
        session.add(row)
    row.text, row.text_plural = text, text_plural
    row.state = TextState.waiting
    row.source = ""
    row.written_by_id, row.written_by, row.written_at = by.id, by.name, now
    row.reviewed_by_id, row.reviewed_by, row.reviewed_at = None, "", None
    bump(session)
    return row


def review(session: Session, msgid: str, *, by: Person, now: datetime) -> TzotzilText:
    """A second speaker agrees with the text: from now on the workspace shows it."""
    _known(msgid)
    row = session.exec(select(TzotzilText).where(TzotzilText.msgid == msgid)).first()
    if row is None:
        raise InvalidState(N_("There is no Tzotzil text to review yet."))
    if row.state is TextState.reviewed:
        raise InvalidState(N_("This text was already reviewed."))
    if row.written_by_id == by.id:
        raise Forbidden(N_("Another speaker must review this text: you wrote it."))
    row.state = TextState.reviewed
    row.reviewed_by_id, row.reviewed_by, row.reviewed_at = by.id, by.name, now
    bump(session)
    return row


# --- the .po file ------------------------------------------------------------------------------------------


def export_po(session: Session, *, only_missing: bool) -> bytes:
    """Every workspace string with its Tzotzil (or only those with none), the Spanish in a comment."""
    written = texts(session)
    catalog = Catalog(locale=None, domain="messages", project="J'pas Joloviletik", fuzzy=False)
    catalog.language_team = "tzo"
    for string in workspace_strings():
        row = written.get(string.msgid)
        if only_missing and row is not None:
            continue
        msgid = string.msgid if string.plural is None else (string.msgid, string.plural)
        if row is None:
            text = "" if string.plural is None else ("", "")
        else:
            text = row.text if string.plural is None else (row.text, row.text_plural or "")
        comments = [f"es: {string.spanish}"]
        if row is not None:
            comments.append(f"state: {row.state.value}")
            if row.source:
                comments.append(f"source: {row.source}")
        catalog.add(
            msgid,
            text,
            locations=[(screen, None) for screen in string.screens],
            user_comments=comments,
            flags=("python-format",) if PLACEHOLDER.search(string.plural or string.msgid) else (),
        )
    buffer = io.BytesIO()
    write_po(buffer, catalog, include_lineno=False, ignore_obsolete=True)
    text = buffer.getvalue().replace(b'"Language: \\n"', b'"Language: tzo\\n"')
    return text


@dataclass
class ImportLine:
    msgid: str
    text: str
    text_plural: str | None
    was: str = ""  # the text it replaces, if any


@dataclass
class ImportPreview:
    new: list[ImportLine] = field(default_factory=list)
    changed: list[ImportLine] = field(default_factory=list)
    unchanged: int = 0
    unknown: list[str] = field(default_factory=list)  # message ids the workspace does not have
    errors: list[tuple[str, ValidationFailed]] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return bool(self.new or self.changed) and not self.errors


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _read(data: bytes) -> Catalog:
    if not data:
        raise ValidationFailed(N_("Choose the .po file."), field="file")
    if len(data) > MAX_PO_BYTES:
        raise ValidationFailed(N_("The file is too large. The limit is %(limit)s."), field="file", limit="2 MB")
    try:
        data.decode("utf-8")
        catalog = read_po(io.BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError, TypeError, IndexError) as exc:
        raise ValidationFailed(
            N_("This is not a .po translation file that can be read (UTF-8). Export one from this page."),
            field="file",
        ) from exc
    if not any(message.id and message.string and any(_strings(message)) for message in catalog):
        raise ValidationFailed(N_("This .po file has no texts."), field="file")
    return catalog


def preview_import(session: Session, data: bytes) -> ImportPreview:
    """What importing this file would do, changing nothing. Refuses a file that cannot be read."""
    catalog = _read(data)
    strings = by_msgid()
    written = texts(session)
    preview = ImportPreview()
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        values = _strings(message)
        if not any(values):
            continue  # left untranslated in the file: nothing to import
        string = strings.get(msgid)
        if string is None:
            preview.unknown.append(msgid)
            continue
        try:
            text, text_plural = _checked(string, values[0] or "", values[1] if len(values) > 1 else None)
        except ValidationFailed as exc:
            preview.errors.append((msgid, exc))
            continue
        row = written.get(msgid)
        line = ImportLine(msgid, text, text_plural)
        if row is None:
            preview.new.append(line)
        elif (row.text, row.text_plural) == (text, text_plural):
            preview.unchanged += 1
        else:
            line.was = row.text
            preview.changed.append(line)
    return preview


def apply_import(session: Session, data: bytes, *, by: Person, now: datetime) -> ImportPreview:
    """Import the file's new and changed texts, all or none; they wait for review by a second speaker."""
    preview = preview_import(session, data)
    if preview.errors:
        raise ValidationFailed(N_("The file has texts that cannot be used. Correct them and import it again."))
    for line in [*preview.new, *preview.changed]:
        write(session, line.msgid, line.text, line.text_plural, by=by, now=now)
    return preview
