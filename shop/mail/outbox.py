"""Putting an e-mail in the outbox: a row written in the caller's own transaction.

The message goes out only if that transaction commits, and it goes out later, from ``shop.mail.sender``, so a
slow or absent mail server never holds up an order. This module is imported by domain code, so it must never
import the web framework or the template engine.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import Session

from shop.errors import N_, ValidationFailed
from shop.mail.models import OutboxEmail

# The e-mails the shop knows how to write; each has templates in templates/email/.
KINDS = (
    "order_confirmation",
    "payment_received",
    "payment_on_hold",
    "order_shipped",
    "confirm_order",
    "order_links",  # a buyer's lost order links (shop.orders.lookup)
    "similar_piece",  # a notice: a new piece by a weaver (shop.notices)
    "card_payment",  # a notice: card payment works now (shop.notices)
)
# Sent as plain text alone (no HTML part): they go to addresses nobody has confirmed yet.
TEXT_ONLY_KINDS = ("confirm_order", "order_links", "similar_piece", "card_payment")
# E-mails about no single order: their context is their own, not an order's (see shop.web.email).
NOT_ORDER_KINDS = ("order_links", "similar_piece", "card_payment")
# Buyers read their e-mail in one of the store's languages; anything else gets the cooperative's Spanish.
MAIL_LANGUAGES = ("es", "en")
DEFAULT_MAIL_LANGUAGE = "es"
MAX_ADDRESS_LENGTH = 254

_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def mail_language(language: str | None) -> str:
    """The language an e-mail is written in: "es" or "en", from a code such as "en-US"; anything else is "es"."""
    primary = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in MAIL_LANGUAGES else DEFAULT_MAIL_LANGUAGE


def clean_email(text: str) -> str:
    """An address typed by a visitor, if it is plausible; otherwise a ValidationFailed that says so plainly."""
    email = (text or "").strip()
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain or len(email) > MAX_ADDRESS_LENGTH or any(c.isspace() for c in email):
        raise ValidationFailed(N_("Write your e-mail address, such as ana@example.com."), field="email")
    return email


def _check_address(to: str) -> str:
    address = (to or "").strip()
    if not address or "@" not in address or len(address) > MAX_ADDRESS_LENGTH:
        raise ValueError(f"not an e-mail address: {to!r}")
    if any(ch in address for ch in "\r\n\0"):
        raise ValueError("an e-mail address cannot contain line breaks")
    return address


def enqueue(
    session: Session,
    *,
    kind: str,
    to: str,
    language: str,
    context: dict,
    dedupe_key: str | None = None,
) -> OutboxEmail | None:
    """Add an e-mail to the outbox in the caller's transaction, and flush (never commit).

    With a ``dedupe_key`` that is already in the outbox (committed, or being inserted by a concurrent
    transaction that then commits), nothing is added and None is returned, without raising. Use it for
    e-mails that must go out once per event, such as ``f"order_confirmation:{order.id}"``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}; known kinds: {', '.join(KINDS)}")
    if not isinstance(context, dict):
        raise TypeError("context must be a dict of plain JSON values")
    row = OutboxEmail(
        kind=kind,
        to=_check_address(to),
        language=mail_language(language),
        context=context,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        session.add(row)
        session.flush()
        return row

    # INSERT … ON CONFLICT (dedupe_key) DO NOTHING: a duplicate, even one a concurrent transaction is
    # inserting right now, is skipped by the database instead of failing the caller's transaction.
    dialect = session.get_bind().dialect.name
    insert = _INSERTS.get(dialect)
    if insert is None:
        raise NotImplementedError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")
    session.flush()  # anything the caller added first goes in before, as it would without a key
    table = OutboxEmail.__table__
    values = {column.name: getattr(row, column.name) for column in table.columns if column.name != "id"}
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    new_id = session.execute(statement.returning(table.c.id)).scalar_one_or_none()
    if new_id is None:
        return None
    # The row holds every value just written: attach it under its new id instead of reading it back.
    row.id = new_id
    make_transient_to_detached(row)
    session.add(row)
    return row
