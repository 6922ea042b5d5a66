"""How much of what a weaver is owed has settled and may be paid out.

Card money can still be refunded or disputed for a while, so a weaver's share of a Stripe payment is held back
until the payout hold has passed since it was booked. Cash and confirmed transfers are settled when they are
booked. Refunds count at once. What an unpaid payout already counts on is not available to another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from shop.ledger.models import Account, Entry, LedgerTransaction, Payout, PayoutStatus
from shop.ledger.posting import REFUND, REVERSAL, SALE


def raw_balances(session: Session, weaver_ids: Iterable[int] | None = None) -> dict[int, int]:
    """What the cooperative owes each weaver (natural sign: positive owed to her), from the entries."""
    statement = (
        select(Account.weaver_id, func.coalesce(func.sum(Entry.amount), 0))
        .join(Entry, Entry.account_id == Account.id)
        .where(Account.weaver_id.is_not(None))
        .group_by(Account.weaver_id)
    )
    if weaver_ids is not None:
        statement = statement.where(Account.weaver_id.in_(list(weaver_ids)))
    return {weaver_id: -int(total) for weaver_id, total in session.execute(statement) if total}


def weaver_totals(session: Session) -> tuple[int, int]:
    """What the cooperative owes, in all, the weavers it owes; and what the weavers who owe it owe, in all
    (both positive; one weaver's debt does not lessen what another is owed)."""
    balances = raw_balances(session).values()
    return sum(b for b in balances if b > 0), -sum(b for b in balances if b < 0)


def committed_to_payouts(session: Session, weaver_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Money in payouts that are prepared or being sent but not paid yet."""
    statement = (
        select(Payout.weaver_id, func.sum(Payout.amount))
        .where(Payout.status.in_((PayoutStatus.pending, PayoutStatus.sending)))
        .group_by(Payout.weaver_id)
    )
    if weaver_ids is not None:
        statement = statement.where(Payout.weaver_id.in_(list(weaver_ids)))
    return {weaver_id: int(total) for weaver_id, total in session.execute(statement)}


def held_back(session: Session, weaver_ids: Iterable[int], *, now: datetime, hold: timedelta) -> dict[int, int]:
    """Each weaver's share of card payments booked within the hold, less what refunds already took back from
    those same order lines (never below zero per line)."""
    weaver_ids = list(weaver_ids)
    if hold <= timedelta(0) or not weaver_ids:
        return {}
    stripe_account = aliased(Account)
    money_leg = aliased(Entry)
    recent_card_sales = (
        select(LedgerTransaction.id)
        .join(money_leg, money_leg.transaction_id == LedgerTransaction.id)
        .join(stripe_account, stripe_account.id == money_leg.account_id)
        .where(
            LedgerTransaction.kind == SALE,
            LedgerTransaction.created_at > now - hold,
            stripe_account.code == "stripe_clearing",
        )
    )
    credited = session.execute(
        select(Account.weaver_id, Entry.order_line_id, func.sum(-Entry.amount))
        .join(Account, Account.id == Entry.account_id)
        .where(Entry.transaction_id.in_(recent_card_sales), Account.weaver_id.in_(weaver_ids))
        .group_by(Account.weaver_id, Entry.order_line_id)
    ).all()
    if not credited:
        return {}
    lines = {line_id for _, line_id, _ in credited if line_id is not None}
    taken_back = {
        (weaver_id, line_id): int(total)
        for weaver_id, line_id, total in session.execute(
            select(Account.weaver_id, Entry.order_line_id, func.sum(Entry.amount))
            .join(Account, Account.id == Entry.account_id)
            .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
            .where(
                LedgerTransaction.kind.in_((REFUND, REVERSAL)),
                Entry.order_line_id.in_(lines),
                Account.weaver_id.in_(weaver_ids),
            )
            .group_by(Account.weaver_id, Entry.order_line_id)
        )
    }
    held: dict[int, int] = defaultdict(int)
    for weaver_id, line_id, credit in credited:
        held[weaver_id] += max(0, int(credit) - taken_back.get((weaver_id, line_id), 0))
    return dict(held)


def in_trouble(session: Session, weaver_ids: Iterable[int]) -> dict[int, list[tuple[str, int]]]:
    """Each weaver's share of paid orders that cannot be fulfilled as they stand (the order needs a person: a
    piece was gone when it was paid, say), by order number. Not paid out until a person resolves the order."""
    from shop.orders.models import Order, OrderStatus  # orders build on the ledger; reading them is allowed

    weaver_ids = list(weaver_ids)
    if not weaver_ids:
        return {}
    paid = (OrderStatus.paid, OrderStatus.packed, OrderStatus.shipped, OrderStatus.delivered)
    rows = session.execute(
        select(Account.weaver_id, Order.number, func.sum(-Entry.amount))
        .join(Entry, Entry.account_id == Account.id)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Order, Order.id == LedgerTransaction.order_id)
        .where(
            Account.weaver_id.in_(weaver_ids),
            Order.attention != "",
            Order.status.in_((*paid, OrderStatus.partially_refunded)),
            LedgerTransaction.kind.in_((SALE, REFUND, REVERSAL)),
        )
        .group_by(Account.weaver_id, Order.number)
        .order_by(Order.number)
    ).all()
    found: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for weaver_id, number, total in rows:
        if int(total or 0) > 0:
            found[weaver_id].append((number, int(total)))
    return dict(found)
