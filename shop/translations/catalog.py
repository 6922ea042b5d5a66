"""The Tzotzil catalog each worker uses, compiled from the reviewed texts, and the counter that says when to
compile it again.

Every change to the texts or the recordings bumps one counter row in the same transaction. A worker reads
that row (one small query) at most every few seconds, and right after it answered a change itself; when the
number moved, it reads the reviewed texts and the screens with a recording again. So a text reviewed through
one worker shows on another within seconds, and on the same worker at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from babel.support import NullTranslations
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from shop.clock import utcnow
from shop.i18n import compile_messages
from shop.translations.models import SpokenHelp, TextState, TranslationRevision, TzotzilText
from shop.translations.strings import by_msgid


def current_revision(connection: Connection) -> int:
    return connection.scalar(sa.select(TranslationRevision.revision).where(TranslationRevision.id == 1)) or 0


def bump(session: Session) -> None:
    """Tell every worker to compile again once this transaction commits."""
    session.flush()
    session.execute(
        sa.update(TranslationRevision)
        .where(TranslationRevision.id == 1)
        .values(revision=TranslationRevision.revision + 1, changed_at=utcnow())
    )


@dataclass(frozen=True)
class Compiled:
    revision: int
    tzotzil: NullTranslations
    spoken: frozenset[str] = field(default_factory=frozenset)  # screens that have a recording


def compile_catalog(session: Session) -> Compiled:
    """The reviewed texts as a catalog (Spanish for the rest) and the screens with spoken help."""
    revision = current_revision(session.connection())
    strings = by_msgid()
    messages: dict = {}
    for row in session.exec(select(TzotzilText).where(TzotzilText.state == TextState.reviewed)):
        known = strings.get(row.msgid)
        if known is not None and known.plural is not None:
            if row.text_plural:
                messages[(row.msgid, known.plural)] = (row.text, row.text_plural)
        else:
            messages[row.msgid] = row.text
    spoken = frozenset(session.exec(select(SpokenHelp.screen)))
    return Compiled(revision, compile_messages("tzo", messages), spoken)
