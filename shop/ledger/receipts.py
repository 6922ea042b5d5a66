"""Money no order has taken: held in ``unallocated`` and given back from there, and fees learnt late."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.errors import N_, ValidationFailed
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.ledger.posting import FEE, RECEIPT, RETURN, existing_posting, post
from shop.ledger.received import lock_order_postings
from shop.ledger.refunds import too_much_to_give_back
from shop.ledger.schemas import MONEY_ACCOUNTS, UNALLOCATED, EntryLine


def _check_money_account(money_account: str) -> None:
    if money_account not in MONEY_ACCOUNTS:
        raise ValidationFailed(
            N_("Money can only be received into %(accounts)s."),
            field="money_account",
            accounts=", ".join(MONEY_ACCOUNTS),
        )


def post_receipt(
    session: Session, *, key: str, order_id: int, money_account: str, amount: int, fee: int, description: str
) -> LedgerTransaction:
    """Money came in for an order that cannot take it now: it waits in ``unallocated``, its fee paid at once.

    Nobody is credited: the weavers' shares are booked only if the order is reinstated (``post_sale`` from
    ``unallocated``, with no fee, since this posting already paid it). Idempotent on ``key``.
    """
    existing = existing_posting(session, key, RECEIPT)
    if existing is not None:
        return existing
    _check_money_account(money_account)
    if amount <= 0 or not 0 <= fee <= amount:
        raise ValidationFailed(N_("A payment must bring in some money, and its fee cannot exceed it."), field="amount")
    legs = [
        EntryLine(money_account, amount, memo="received, to resolve"),
        EntryLine(UNALLOCATED, -amount, memo="received, to resolve"),
        EntryLine("processor_fees", fee, memo="processor fee"),
        EntryLine(money_account, -fee, memo="processor fee"),
    ]
    return post(session, kind=RECEIPT, key=key, entries=legs, order_id=order_id, description=description)


def post_return(
    session: Session, *, key: str, order_id: int, money_account: str, amount: int, description: str
) -> LedgerTransaction:
    """Give back money that waits in ``unallocated`` (never more than it holds for this order)."""
    existing = existing_posting(session, key, RETURN)
    if existing is not None:
        return existing
    _check_money_account(money_account)
    lock_order_postings(session, order_id)
    held = -int(
        session.scalar(
            select(func.coalesce(func.sum(Entry.amount), 0))
            .join(LedgerTransaction, Entry.transaction_id == LedgerTransaction.id)
            .join(Account, Entry.account_id == Account.id)
            .where(LedgerTransaction.order_id == order_id, Account.code == UNALLOCATED)
        )
    )
    if not 0 < amount <= held:
        raise too_much_to_give_back(amount, held, field="amount")
    legs = [EntryLine(UNALLOCATED, amount, memo="given back"), EntryLine(money_account, -amount, memo="given back")]
    return post(session, kind=RETURN, key=key, entries=legs, order_id=order_id, description=description)


def post_fee(session: Session, *, key: str, order_id: int, money_account: str, fee: int, description: str):
    """Book a processor's fee learnt after its payment was booked: the expense, out of the money it kept."""
    _check_money_account(money_account)
    if fee < 0:
        raise ValidationFailed(N_("Shipping and fees cannot be negative."), field="fee")
    legs = [
        EntryLine("processor_fees", fee, memo="processor fee"),
        EntryLine(money_account, -fee, memo="processor fee"),
    ]
    return post(session, kind=FEE, key=key, entries=legs, order_id=order_id, description=description)
