"""The ledger's summaries (``MonthTotal``, ``OrderTotal``), kept in the same database transaction as the postings
they sum, so the dashboard reads a few hundred rows instead of a million entries and is never out of date.

``post`` notes each new transaction; the notes are added to the summaries as the transaction commits: one
statement for the months, one for each order posted to. The hot rows (the fund's month, say) are then locked only
for the commit, always in key order, by a transaction that waits for nothing else afterwards, so two postings never
deadlock on them. A reader in the posting's own transaction sees its postings too (``settle`` first). A posting
rolled back, with its savepoint or its whole transaction, is taken back from the notes (``_take_back``).

The month rows are summed from the entries themselves; an order's from the note (its legs), which saves a query
on the money path. ``recomputed`` sums both afresh from the entries: the tests check the kept ones against it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shop.catalogue.models import Product
from shop.clock import to_local
from shop.ledger.models import Account, Entry, LedgerTransaction, MonthTotal, OrderTotal, TransactionKind
from shop.ledger.schemas import EntryLine
from shop.orders.models import Order, OrderLine

PENDING = "ledger_summary_pending"
MONTH_KEY = ("month", "account_id", "category_id", "channel", "line")
CHUNK = 2_000  # transactions summed at once when rebuilding; rows written at once
FEES = "processor_fees"


@dataclass(frozen=True)
class Note:
    transaction_id: int
    at: datetime
    kind: TransactionKind
    order_id: int | None
    fee: int  # on the processor fees account
    weavers: int  # credited to the weavers
    within: object  # the session's (sub)transaction it was posted in: a rollback of it takes the note back


def note(session: Session, transaction: LedgerTransaction, legs: Sequence[EntryLine]) -> None:
    """Add this transaction to the summaries when its database transaction commits."""
    session.info.setdefault(PENDING, {})[transaction.id] = Note(
        transaction.id,
        transaction.created_at,
        transaction.kind,
        transaction.order_id,
        sum(leg.amount for leg in legs if leg.account == FEES),
        -sum(leg.amount for leg in legs if leg.account.startswith("weaver:")),
        session.get_nested_transaction() or session.get_transaction(),
    )


def settle(session: Session) -> None:
    """Write what the postings noted so far add to the summaries: at commit, or before reading them."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    months: dict[str, list[int]] = defaultdict(list)
    orders: dict[int, dict] = {}
    for n in pending.values():
        months[month_of(n.at)].append(n.transaction_id)
        if n.order_id is not None:
            _add_to_order(orders.setdefault(n.order_id, _no_order_sums()), n.at, n.kind, n.fee, n.weavers)
    for month, ids in sorted(months.items()):
        _add_month(session, month, sorted(ids))
    for order_id, sums in sorted(orders.items()):
        pieces = sa.select(sa.func.coalesce(sa.func.sum(OrderLine.quantity), 0)).where(OrderLine.order_id == order_id)
        charged = sa.select(charged_by(Order)).where(Order.id == order_id)
        _upsert(
            session,
            OrderTotal,
            [{"order_id": order_id, **sums, "pieces": pieces.scalar_subquery(), "charged": charged.scalar_subquery()}],
            _merge_order,
        )


def charged_by(order):
    """What the buyer paid, shipping included (the total of an order not paid through the shop)."""
    return sa.case((order.amount_paid != 0, order.amount_paid), else_=order.total)


def month_of(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m")


def _no_order_sums() -> dict:
    return {"sold_at": None, "sold_on": None, "fee": 0, "weavers": 0}


def _add_to_order(sums: dict, at: datetime, kind: TransactionKind, fee: int, weavers: int) -> None:
    if kind == TransactionKind.sale and (sums["sold_at"] is None or at < sums["sold_at"]):
        sums["sold_at"], sums["sold_on"] = at, to_local(at).date()
    sums["fee"] += fee
    sums["weavers"] += weavers


def _month_rows(ids: list[int], *first):
    """The entries of ``ids`` summed by the month summary's key, bar the month (``first`` columns lead)."""
    return (
        sa.select(
            *first,
            Entry.account_id,
            sa.func.coalesce(Product.category_id, 0),
            sa.func.coalesce(Order.channel, "", type_=sa.String),
            Entry.order_line_id.is_not(None),
            sa.func.sum(Entry.amount),
        )
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .outerjoin(Order, Order.id == LedgerTransaction.order_id)
        .outerjoin(OrderLine, OrderLine.id == Entry.order_line_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .where(Entry.transaction_id.in_(ids))
        .group_by(Entry.account_id, Product.category_id, Order.channel, Entry.order_line_id.is_not(None))
    )


def _add_month(session: Session, month: str, ids: list[int]) -> None:
    """One INSERT … SELECT … ON CONFLICT adding the entries of ``ids`` to ``month``'s rows, in key order."""
    rows = _month_rows(ids, sa.literal(month, sa.String))
    ordered = rows.order_by(Entry.account_id, Product.category_id, Order.channel, Entry.order_line_id.is_not(None))
    table = MonthTotal.__table__
    insert = _dialect(session).insert(table).from_select([*MONTH_KEY, "amount"], ordered)
    session.execute(
        insert.on_conflict_do_update(index_elements=list(MONTH_KEY), set_=_add_amount(table, insert.excluded))
    )


def _add_amount(table, new) -> dict:
    return {"amount": table.c.amount + new.amount}


def _merge_order(table, new) -> dict:
    earlier = sa.and_(new.sold_at.is_not(None), sa.or_(table.c.sold_at.is_(None), new.sold_at < table.c.sold_at))
    return {
        "sold_at": sa.case((earlier, new.sold_at), else_=table.c.sold_at),
        "sold_on": sa.case((earlier, new.sold_on), else_=table.c.sold_on),
        "pieces": new.pieces,
        "charged": new.charged,
        "fee": table.c.fee + new.fee,
        "weavers": table.c.weavers + new.weavers,
    }


def _dialect(session: Session):
    return postgresql if session.get_bind().dialect.name == "postgresql" else sqlite


def _upsert(session: Session, model, rows: list[dict], merge) -> None:
    """Insert ``rows``, or add them to the rows already there, in key order (the order every writer locks in)."""
    table = model.__table__
    keys = [c.name for c in table.primary_key.columns]
    rows = sorted(rows, key=lambda row: tuple(row[k] for k in keys))
    for start in range(0, len(rows), CHUNK // 4):
        statement = _dialect(session).insert(table).values(rows[start : start + CHUNK // 4])
        session.execute(statement.on_conflict_do_update(index_elements=keys, set_=merge(table, statement.excluded)))


def recomputed(session: Session) -> tuple[dict, dict]:
    """The summaries as the entries say they should be, summed afresh without writing."""
    months: dict[tuple, int] = defaultdict(int)
    orders: dict[int, dict] = {}
    ids = list(session.scalars(sa.select(LedgerTransaction.id).order_by(LedgerTransaction.id)))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stamps = dict(
            session.execute(
                sa.select(LedgerTransaction.id, LedgerTransaction.created_at).where(LedgerTransaction.id.in_(chunk))
            ).all()
        )
        for account_id, category, channel, line, amount, transaction_id in session.execute(
            _month_rows(chunk).add_columns(Entry.transaction_id).group_by(Entry.transaction_id)
        ):
            months[(month_of(stamps[transaction_id]), account_id, int(category), str(channel), bool(line))] += int(
                amount
            )
        for at, kind, order_id, fee, weavers in session.execute(
            sa.select(
                LedgerTransaction.created_at,
                LedgerTransaction.kind,
                LedgerTransaction.order_id,
                sa.func.sum(sa.case((Account.code == FEES, Entry.amount), else_=0)),
                -sa.func.sum(sa.case((Account.weaver_id.is_not(None), Entry.amount), else_=0)),
            )
            .join(Entry, Entry.transaction_id == LedgerTransaction.id)
            .join(Account, Account.id == Entry.account_id)
            .where(LedgerTransaction.id.in_(chunk), LedgerTransaction.order_id.is_not(None))
            .group_by(LedgerTransaction.id, LedgerTransaction.created_at, LedgerTransaction.kind)
            .group_by(LedgerTransaction.order_id)
        ):
            _add_to_order(orders.setdefault(order_id, _no_order_sums()), at, kind, int(fee), int(weavers))
    posted = sa.select(LedgerTransaction.order_id)
    pieces = dict(
        session.execute(
            sa.select(OrderLine.order_id, sa.func.sum(OrderLine.quantity))
            .where(OrderLine.order_id.in_(posted))
            .group_by(OrderLine.order_id)
        ).all()
    )
    charged = dict(session.execute(sa.select(Order.id, charged_by(Order)).where(Order.id.in_(posted))).all())
    for order_id, sums in orders.items():
        sums["pieces"], sums["charged"] = int(pieces.get(order_id) or 0), int(charged[order_id])
    return {k: v for k, v in months.items() if v}, orders


def rebuild(session: Session) -> None:
    """Sum every posting again from nothing (after a bulk load that bypassed ``post``)."""
    session.info.pop(PENDING, None)
    session.execute(sa.delete(MonthTotal))
    session.execute(sa.delete(OrderTotal))
    months, orders = recomputed(session)
    _upsert(
        session, MonthTotal, [dict(zip(MONTH_KEY, k, strict=True), amount=v) for k, v in months.items()], _add_amount
    )
    _upsert(session, OrderTotal, [{"order_id": k, **v} for k, v in orders.items()], _merge_order)


def kept(session: Session) -> tuple[dict, dict]:
    """The summaries as written, in ``recomputed``'s shape."""
    settle(session)
    months = {
        (r.month, r.account_id, r.category_id, r.channel, bool(r.line)): r.amount
        for r in session.scalars(sa.select(MonthTotal))
        if r.amount
    }
    orders = {
        r.order_id: {
            "sold_at": r.sold_at,
            "sold_on": r.sold_on,
            "fee": r.fee,
            "weavers": r.weavers,
            "pieces": r.pieces,
            "charged": r.charged,
        }
        for r in session.scalars(sa.select(OrderTotal))
    }
    return months, orders


def _settle_before_commit(session: Session) -> None:
    # Not when a savepoint is released (the event fires then too): the rows would stay locked for the rest of
    # the transaction.
    if not session.in_nested_transaction():
        settle(session)


def _take_back(session: Session, rolled_back) -> None:
    """Notes of postings a rollback undid: all of them, or those made within the savepoint rolled back."""
    pending = session.info.get(PENDING)
    if not pending:
        return
    if not rolled_back.nested:
        session.info.pop(PENDING, None)
        return
    for transaction_id, n in list(pending.items()):
        within = n.within
        while within is not None and within is not rolled_back:
            within = within.parent
        if within is rolled_back:
            del pending[transaction_id]


if not event.contains(Session, "before_commit", _settle_before_commit):
    event.listen(Session, "before_commit", _settle_before_commit)
    event.listen(Session, "after_soft_rollback", _take_back)
