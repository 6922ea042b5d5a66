"""Posting to the double-entry ledger: the one writer of transactions, and the guards that keep them immutable.

Rules kept here:
- Every transaction's entries sum to zero, checked before anything is written.
- Entries and transactions are never changed or deleted (guards below); a mistake is undone by ``reverse``.
- Each posting carries an idempotency key under a UNIQUE constraint: posting the same key again returns the
  first transaction and writes nothing, also when two sessions race (the loser's insert fails inside a
  SAVEPOINT, which is rolled back, and the winner's transaction is returned).
- Services only flush; whoever opened the session commits.

Callers (orders, payments) hand in plain data (``Sale``, amounts); the ledger never imports their services.
Rounding happens only in ``shop.ledger.splits``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, String, bindparam, event, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.errors import N_, Conflict
from shop.ledger import summary
from shop.ledger.chart import account, known_kind
from shop.ledger.models import Account, Entry, LedgerTransaction, TransactionKind
from shop.ledger.schemas import EntryLine

SALE = TransactionKind.sale
REFUND = TransactionKind.refund
REVERSAL = TransactionKind.reversal
RECEIPT = TransactionKind.receipt
RETURN = TransactionKind.return_
FEE = TransactionKind.fee


class UnbalancedTransaction(RuntimeError):
    """A posting whose entries do not sum to zero: a bug in the caller, never written."""


class LedgerImmutable(RuntimeError):
    """Something tried to change or delete a ledger entry or transaction."""


# --- immutability ---------------------------------------------------------------------------------------------

_IMMUTABLE_TABLES = {Entry.__tablename__, LedgerTransaction.__tablename__}


def _refuse_change(_mapper, _connection, target) -> None:
    raise LedgerImmutable(
        f"{type(target).__name__} {target.id} is immutable; post a reversing transaction instead of changing it"
    )


for _model in (Entry, LedgerTransaction):
    if not event.contains(_model, "before_update", _refuse_change):
        event.listen(_model, "before_update", _refuse_change)
        event.listen(_model, "before_delete", _refuse_change)


def _refuse_bulk_change(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _IMMUTABLE_TABLES:
        raise LedgerImmutable(f"{table.name} rows are immutable; post a reversing transaction instead")


if not event.contains(Session, "do_orm_execute", _refuse_bulk_change):
    event.listen(Session, "do_orm_execute", _refuse_bulk_change)


# --- posting --------------------------------------------------------------------------------------------------


def existing_posting(session: Session, key: str, kind: TransactionKind) -> LedgerTransaction | None:
    """The transaction already posted under ``key``, if any; a key used for another kind is a Conflict."""
    found = session.scalar(select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key))
    if found is not None and found.kind != kind:
        raise Conflict(
            N_("The key “%(key)s” was already used for a posting of another kind (%(kind)s)."), key=key, kind=found.kind
        )
    return found


def post(
    session: Session,
    *,
    kind: TransactionKind,
    key: str,
    entries: Sequence[EntryLine],
    order_id: int | None = None,
    reverses_id: int | None = None,
    description: str = "",
    booked_at: datetime | None = None,
) -> LedgerTransaction:
    """Write one balanced transaction (the single writer every posting goes through); idempotent on ``key``.

    Zero legs are dropped. Raises UnbalancedTransaction, before writing anything, if the legs do not sum to zero.
    ``booked_at``: when a sale made elsewhere happened (an imported marketplace order); now if not given.
    """
    if not key or len(key) > 200:
        raise ValueError("an idempotency key of 1 to 200 characters is required")
    existing = existing_posting(session, key, kind)
    if existing is not None:
        return existing
    legs = [leg for leg in entries if leg.amount != 0]
    if not legs:
        raise UnbalancedTransaction(f"{kind} {key}: a transaction needs entries")
    total = sum(leg.amount for leg in legs)
    if total != 0:
        raise UnbalancedTransaction(f"{kind} {key}: entries sum to {total}, not zero")
    account_ids: dict[str, int] = {}
    for leg in legs:
        if leg.account not in account_ids:
            account_ids[leg.account] = account(session, leg.account).id
    try:
        with session.begin_nested():
            transaction = LedgerTransaction(
                kind=kind,
                description=description[:500],
                idempotency_key=key,
                order_id=order_id,
                reverses_id=reverses_id,
                **({"created_at": booked_at} if booked_at is not None else {}),
            )
            session.add(transaction)
            session.flush()
            session.add_all(
                Entry(
                    transaction_id=transaction.id,
                    account_id=account_ids[leg.account],
                    amount=leg.amount,
                    order_line_id=leg.order_line_id,
                    memo=leg.memo[:200],
                )
                for leg in legs
            )
            session.flush()
            summary.note(session, transaction, legs)
    except IntegrityError:
        # Another session posted the same key first (it committed while we were writing): ours is rolled
        # back to the savepoint and theirs stands. Any other integrity error is the caller's to see.
        existing = existing_posting(session, key, kind)
        if existing is None:
            raise
        return existing
    return transaction


def post_new(
    session: Session,
    *,
    kind: TransactionKind,
    key: str,
    entries: Sequence[EntryLine],
    order_id: int | None = None,
    description: str = "",
) -> LedgerTransaction:
    """Write a transaction whose key the caller knows is new (it holds the lock that decides): one INSERT of the
    transaction, one INSERT … SELECT of its entries that finds their accounts by code. A key that is not new
    after all fails on its UNIQUE constraint, and with it the caller's transaction; nothing half-written stays.

    Accounts used for the first time (a weaver's first sale) are created, and their entries written, after.
    """
    if not key or len(key) > 200:
        raise ValueError("an idempotency key of 1 to 200 characters is required")
    legs = [leg for leg in entries if leg.amount != 0]
    if not legs:
        raise UnbalancedTransaction(f"{kind} {key}: a transaction needs entries")
    if sum(leg.amount for leg in legs) != 0:
        raise UnbalancedTransaction(f"{kind} {key}: entries sum to {sum(leg.amount for leg in legs)}, not zero")
    for leg in legs:
        known_kind(leg.account)  # NotFound for a code the ledger does not know, before anything is written
    transaction = LedgerTransaction(kind=kind, description=description[:500], idempotency_key=key, order_id=order_id)
    session.add(transaction)
    session.flush()
    params = {"transaction_id": transaction.id}
    for n, leg in enumerate(legs):
        params.update({f"code{n}": leg.account, f"amount{n}": leg.amount, f"line{n}": leg.order_line_id})
        params[f"memo{n}"] = leg.memo[:200]
    written = session.execute(_entries_insert(len(legs)), params).rowcount
    if written != len(legs):
        _write_missing_legs(session, transaction.id, legs)
    summary.note(session, transaction, legs)
    return transaction


@functools.cache
def _entries_insert(legs: int):
    """INSERT … SELECT of ``legs`` entries whose accounts are found by code; built once per number of legs.

    A Core INSERT on the table, so its rowcount is the rows written (kept with ``preserve_rowcount``).
    """
    rows = [
        select(
            literal(n).label("n"),
            bindparam(f"code{n}", type_=String).label("code"),
            bindparam(f"amount{n}", type_=Integer).label("amount"),
            bindparam(f"line{n}", type_=Integer).label("line"),
            bindparam(f"memo{n}", type_=String).label("memo"),
        )
        for n in range(legs)
    ]
    wanted = (union_all(*rows) if legs > 1 else rows[0]).subquery("legs")
    return (
        insert(Entry.__table__)
        .from_select(
            ["transaction_id", "account_id", "amount", "order_line_id", "memo"],
            select(
                bindparam("transaction_id", type_=Integer), Account.id, wanted.c.amount, wanted.c.line, wanted.c.memo
            )
            .join(Account, Account.code == wanted.c.code)
            .order_by(wanted.c.n),
        )
        .execution_options(preserve_rowcount=True)
    )


def _write_missing_legs(session: Session, transaction_id: int, legs: list[EntryLine]) -> None:
    """The legs ``post_new`` could not write because their account did not exist yet: create it, write them."""
    present = set(session.scalars(select(Account.code).join(Entry).where(Entry.transaction_id == transaction_id)))
    for leg in legs:
        if leg.account in present:
            continue
        session.add(
            Entry(
                transaction_id=transaction_id,
                account_id=account(session, leg.account).id,
                amount=leg.amount,
                order_line_id=leg.order_line_id,
                memo=leg.memo[:200],
            )
        )
    session.flush()


def transaction_entries(session: Session, transaction_id: int) -> list[Entry]:
    return list(session.scalars(select(Entry).where(Entry.transaction_id == transaction_id).order_by(Entry.id)))
