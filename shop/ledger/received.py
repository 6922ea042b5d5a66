"""What an order brought in and gave back, read from its postings, and the lock that serializes them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased

from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.ledger.posting import REFUND, REVERSAL, SALE
from shop.ledger.schemas import LineReceived, OrderReceived


def order_received(session: Session, order_id: int) -> OrderReceived:
    """What the order brought in and gave back, per line (and per weaver on it) and for shipping.

    Sums the order's postings per line and party. A reversal counts with the kind it reverses, so a reversed
    sale no longer counts as received and a reversed refund no longer as refunded."""
    reversed_tx = aliased(LedgerTransaction)
    effective = case((LedgerTransaction.kind == REVERSAL, reversed_tx.kind), else_=LedgerTransaction.kind)
    rows = session.execute(
        select(Entry.order_line_id, Account.code, Account.weaver_id, effective, func.sum(Entry.amount))
        .join(LedgerTransaction, Entry.transaction_id == LedgerTransaction.id)
        .outerjoin(reversed_tx, LedgerTransaction.reverses_id == reversed_tx.id)
        .join(Account, Entry.account_id == Account.id)
        .where(LedgerTransaction.order_id == order_id)
        .group_by(Entry.order_line_id, Account.code, Account.weaver_id, effective)
    ).all()
    credited: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))  # line -> weaver|None(fund)
    given_back: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    shipping_received = shipping_refunded = fees = 0
    for line_id, code, weaver_id, kind, total in rows:
        total = int(total or 0)
        if kind == SALE:
            if line_id is not None and (weaver_id is not None or code == "fund"):
                credited[line_id][weaver_id] -= total
            elif code == "shipping_income":
                shipping_received -= total
            elif code == "processor_fees":
                fees += total
        elif kind == REFUND:
            if line_id is not None and (weaver_id is not None or code == "fund"):
                given_back[line_id][weaver_id] += total
            elif code == "shipping_income":
                shipping_refunded += total
    lines: dict[int, LineReceived] = {}
    for line_id in sorted(set(credited) | set(given_back)):
        parties = credited[line_id]
        back = given_back[line_id]
        weaver_ids = sorted({w for w in parties if w is not None} | {w for w in back if w is not None})
        lines[line_id] = LineReceived(
            order_line_id=line_id,
            received=sum(parties.values()),
            refunded=sum(back.values()),
            weavers={w: (parties.get(w, 0), back.get(w, 0)) for w in weaver_ids},
        )
    reversal = aliased(LedgerTransaction)
    sale_ids = session.scalars(
        select(LedgerTransaction.id)
        .outerjoin(reversal, (reversal.reverses_id == LedgerTransaction.id) & (reversal.kind == REVERSAL))
        .where(LedgerTransaction.order_id == order_id, LedgerTransaction.kind == SALE, reversal.id.is_(None))
        .order_by(LedgerTransaction.id)
    ).all()
    return OrderReceived(
        order_id=order_id,
        lines=lines,
        shipping_received=shipping_received,
        shipping_refunded=shipping_refunded,
        fees=fees,
        sale_ids=tuple(sale_ids),
    )


def lock_order_postings(session: Session, order_id: int) -> None:
    """Serialize refunds of one order: a second refund waits here until the first commits, then sees it.
    (PostgreSQL row locks; SQLite writers are already serialized by BEGIN IMMEDIATE.)"""
    session.execute(select(LedgerTransaction.id).where(LedgerTransaction.order_id == order_id).with_for_update()).all()
