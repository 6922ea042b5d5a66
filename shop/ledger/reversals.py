"""Reversing a transaction: a new one that negates it entry by entry, never a change to the original."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.errors import N_, Conflict, NotFound
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.ledger.posting import REVERSAL, SALE, existing_posting, post, transaction_entries
from shop.ledger.received import order_received
from shop.ledger.schemas import EntryLine


def reverse(session: Session, transaction_id: int, *, key: str, description: str) -> LedgerTransaction:
    """Undo a transaction with a new one whose every entry is negated (kind ``"reversal"``, ``reverses_id`` set).

    A reversal cannot itself be reversed, a transaction is reversed at most once, and a sale cannot be reversed
    while refunds still take back part of it (reverse those refunds first).
    """
    existing = existing_posting(session, key, REVERSAL)
    if existing is not None:
        if existing.reverses_id != transaction_id:
            raise Conflict(N_("The key “%(key)s” was already used to reverse another transaction."), key=key)
        return existing
    original = session.scalar(select(LedgerTransaction).where(LedgerTransaction.id == transaction_id).with_for_update())
    if original is None:
        raise NotFound(N_("There is no ledger transaction %(id)s."), id=transaction_id)
    existing = existing_posting(session, key, REVERSAL)  # a concurrent retry may have committed while we waited
    if existing is not None and existing.reverses_id == transaction_id:
        return existing
    if original.kind == REVERSAL:
        raise Conflict(N_("A reversal cannot be reversed; post a new transaction instead."))
    already = session.scalar(
        select(LedgerTransaction.id).where(
            LedgerTransaction.reverses_id == transaction_id, LedgerTransaction.kind == REVERSAL
        )
    )
    if already is not None:
        raise Conflict(N_("Transaction %(id)s was already reversed."), id=transaction_id)
    entries = transaction_entries(session, transaction_id)
    accounts = {
        row.id: row
        for row in session.execute(
            select(Account.id, Account.code, Account.weaver_id).where(Account.id.in_({e.account_id for e in entries}))
        )
    }
    if original.kind == SALE and original.order_id is not None:
        _check_sale_can_be_reversed(session, original.order_id, entries, accounts)
    codes = {account_id: row.code for account_id, row in accounts.items()}
    return post(
        session,
        kind=REVERSAL,
        key=key,
        entries=[EntryLine(codes[e.account_id], -e.amount, e.order_line_id, e.memo) for e in entries],
        order_id=original.order_id,
        reverses_id=original.id,
        description=description,
    )


def _check_sale_can_be_reversed(session: Session, order_id: int, entries: Iterable[Entry], accounts: dict) -> None:
    ledger = order_received(session, order_id)
    weaver_of = {account_id: row.weaver_id for account_id, row in accounts.items()}
    removed: dict[int, int] = defaultdict(int)
    removed_from: dict[tuple[int, int], int] = defaultdict(int)
    for entry in entries:
        if entry.order_line_id is None:
            continue
        removed[entry.order_line_id] -= entry.amount
        weaver_id = weaver_of.get(entry.account_id)
        if weaver_id is not None:
            removed_from[entry.order_line_id, weaver_id] -= entry.amount
    for line_id, line in ledger.lines.items():
        over_line = line.refunded > line.received - removed.get(line_id, 0)
        over_weaver = any(
            back > credited - removed_from.get((line_id, w), 0) for w, (credited, back) in line.weavers.items()
        )
        if over_line or over_weaver:
            raise Conflict(N_("Refunds still take back part of this sale; reverse those refunds first."))
