"""What the cooperative owes each weaver and how much of it may be paid now.

A weaver can be paid only money that has settled (``shop.ledger.settled``) and that no other unpaid payout
already counts on. Whoever prepares or pays a payout first locks the weaver's ledger account row
(``lock_weavers``), so two batches prepared at once, or two clicks on "paid", can never pay the same money twice
(PostgreSQL row locks; SQLite serializes writers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.ledger.chart import weaver_code
from shop.ledger.models import Account, PayoutAccount, PayoutMethod
from shop.ledger.payout_accounts import method_problem
from shop.ledger.settled import committed_to_payouts, held_back, in_trouble, raw_balances


@dataclass(frozen=True, slots=True)
class Owed:
    """What the cooperative owes one weaver now, and how much of it may be paid out."""

    weaver_id: int
    name: str
    balance: int  # everything she is owed (negative: she owes the cooperative)
    held: int  # card money still inside the hold period
    committed: int  # already in a batch that is not paid yet
    method: PayoutMethod
    problem: str | None  # why she cannot be paid by her method now (no CLABE, …), untranslated
    # Her share of paid orders that cannot be fulfilled until a person resolves them: (order number, amount).
    in_trouble: tuple[tuple[str, int], ...] = ()

    @property
    def blocked(self) -> int:
        return sum(amount for _, amount in self.in_trouble)

    @property
    def available(self) -> int:
        return max(0, self.balance - self.held - self.committed - self.blocked)


def lock_weavers(session: Session, weaver_ids: Iterable[int]) -> None:
    """Take the weavers' ledger account rows in a fixed order (no deadlocks) for the rest of the transaction."""
    codes = sorted({weaver_code(w) for w in weaver_ids})
    session.execute(select(Account.id).where(Account.code.in_(codes)).order_by(Account.id).with_for_update()).all()


def owed(
    session: Session,
    *,
    now: datetime,
    hold: timedelta,
    stripe_connect: bool = False,
    weaver_ids: list[int] | None = None,
) -> list[Owed]:
    """Every weaver (or those of ``weaver_ids``) with money in her account or in a batch, by name."""
    balances = raw_balances(session, weaver_ids)
    committed = committed_to_payouts(session, weaver_ids)
    ids = sorted(set(balances) | set(committed))
    if not ids:
        return []
    held = held_back(session, ids, now=now, hold=hold)
    trouble = in_trouble(session, ids)
    names = dict(session.execute(select(Weaver.id, Weaver.name).where(Weaver.id.in_(ids))).all())
    details = {d.weaver_id: d for d in session.scalars(select(PayoutAccount).where(PayoutAccount.weaver_id.in_(ids)))}
    rows = []
    for weaver_id in ids:
        account = details.get(weaver_id) or PayoutAccount(weaver_id=weaver_id)
        rows.append(
            Owed(
                weaver_id=weaver_id,
                name=names.get(weaver_id, str(weaver_id)),
                balance=balances.get(weaver_id, 0),
                held=held.get(weaver_id, 0),
                committed=committed.get(weaver_id, 0),
                method=account.method,
                problem=method_problem(account, account.method, stripe_connect=stripe_connect),
                in_trouble=tuple(trouble.get(weaver_id, ())),
            )
        )
    return sorted(rows, key=lambda r: r.name)


def propose(
    session: Session, *, now: datetime, hold: timedelta, minimum: int, stripe_connect: bool = False
) -> list[Owed]:
    """The weavers a new batch would pay: those with at least ``minimum`` available."""
    return [row for row in owed(session, now=now, hold=hold, stripe_connect=stripe_connect) if row.available >= minimum]


def available_for_each(session: Session, weaver_ids: list[int], *, now: datetime, hold: timedelta) -> dict[int, int]:
    """What may still be paid to each weaver (negative when she owes), in four queries for all of them."""
    balances = raw_balances(session, weaver_ids)
    held = held_back(session, weaver_ids, now=now, hold=hold)
    committed = committed_to_payouts(session, weaver_ids)
    blocked = {w: sum(amount for _, amount in rows) for w, rows in in_trouble(session, weaver_ids).items()}
    return {w: balances.get(w, 0) - held.get(w, 0) - committed.get(w, 0) - blocked.get(w, 0) for w in weaver_ids}


def available_for(session: Session, weaver_id: int, *, now: datetime, hold: timedelta, leaving_out: int = 0) -> int:
    """What may still be paid to one weaver; ``leaving_out`` is a payout's own amount, when paying it."""
    return available_for_each(session, [weaver_id], now=now, hold=hold)[weaver_id] + leaving_out
