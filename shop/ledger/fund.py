"""The cooperative fund as the council reads it: what the cooperative keeps after paying for the sale.

The ledger keeps the fund's part of every sale in the ``fund`` account and the processor's (Stripe's) fee in
the ``processor_fees`` expense account (see ``shop.ledger.sales.sale_entries``). Nothing here posts: every
report of the fund reads both accounts and shows the fund net of the fees, with the fees visible::

    kept = the fund account's balance: its part of each sale, less what refunds and cancelled sales took
           back, less what the council wrote off
    fees = every processor fee paid; a refund never gives a fee back (Stripe keeps it), only a cancelled
           (reversed) sale undoes its own
    net  = kept - fees, what is available to the cooperative

Shipping income is not the fund's (it pays for shipping) and stays out. The fund is a credit balance and the
fees a debit one, so ``net`` is minus the sum of both accounts' entries, and a statement's lines count each
entry that way: opening + lines = closing, in the same numbers as the trial balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.ledger.statements import FEES, MonthStatement, Movement, in_month, month_bounds, movements

FUND = "fund"
FUND_ACCOUNTS = (FUND, FEES)
FEE_MOVEMENTS = (Movement.fee, Movement.fee_reversed)


class FundPosition(NamedTuple):
    """The fund at a moment, in centavos: ``kept`` (the fund's account), ``fees`` paid, ``net`` = kept - fees."""

    kept: int
    fees: int
    net: int

    @classmethod
    def of(cls, kept: int, fees: int) -> FundPosition:
        return cls(kept, fees, kept - fees)


def fund_position(session: Session, *, until: datetime | None = None) -> FundPosition:
    """The fund now, or just before ``until`` (transactions booked before it), net of processor fees."""
    query = (
        select(Account.code, func.coalesce(func.sum(Entry.amount), 0))
        .join(Entry, Entry.account_id == Account.id)
        .where(Account.code.in_(FUND_ACCOUNTS))
        .group_by(Account.code)
    )
    if until is not None:
        query = query.join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id).where(
            LedgerTransaction.created_at < until
        )
    sums = {code: int(total) for code, total in session.execute(query)}
    # The fund is a liability (credits are what it keeps); fees are an expense (debits are what was paid).
    return FundPosition.of(-sums.get(FUND, 0), sums.get(FEES, 0))


@dataclass(kw_only=True)
class FundStatement(MonthStatement):
    """The fund's month: ``opening`` and ``closing`` are net of fees; each line is what it did to that net
    figure (the fund's part of a sale adds, a fee, a refund's part or a write-off takes away)."""

    opening_position: FundPosition

    @property
    def fees(self) -> int:
        """Processor fees paid this month (less any undone with a cancelled sale)."""
        return -self.total(*FEE_MOVEMENTS)

    @property
    def written_off(self) -> int:
        """What the council's write-offs took from the fund this month."""
        return -self.total(Movement.write_off)

    @property
    def closing_position(self) -> FundPosition:
        kept = self.opening_position.kept + sum(
            line.amount for line in self.lines if line.movement not in FEE_MOVEMENTS
        )
        return FundPosition.of(kept, self.opening_position.fees + self.fees)


def fund_statement(session: Session, month: date) -> FundStatement:
    """The fund's statement for one month (Mexico City time): its opening position, each movement of the fund
    and of the processor fees in order, and its closing position."""
    start, _ = month_bounds(month)
    opening = fund_position(session, until=start)
    result = FundStatement(month=month, opening=opening.net, opening_position=opening)
    account_ids = list(session.scalars(select(Account.id).where(Account.code.in_(FUND_ACCOUNTS))))
    if not account_ids:
        return result
    result.lines = movements(session, account_ids, *in_month(month))
    written_off = {line.transaction_id for line in result.lines if line.movement == Movement.write_off}
    if written_off:
        names = dict(
            session.execute(
                select(Entry.transaction_id, Weaver.name)
                .join(Account, Account.id == Entry.account_id)
                .join(Weaver, Weaver.id == Account.weaver_id)
                .where(Entry.transaction_id.in_(written_off))
            ).all()
        )
        for line in result.lines:
            if line.movement == Movement.write_off:
                line.title = names.get(line.transaction_id, "")
    return result
