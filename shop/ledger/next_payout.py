"""When will I be paid? What a weaver may be paid now, what is still held and until when, and the day the
cooperative usually pays.

The cooperative records no payout day of its own, but it records every batch: the usual day is the weekday on
which most of its recent batches were prepared (in the cooperative's time zone). With no batch yet, there is no
usual day, and the page says only that the money is ready for the next payout.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from shop.clock import to_local
from shop.ledger.models import Account, BatchStatus, Entry, LedgerTransaction, PayoutBatch
from shop.ledger.payable import owed
from shop.ledger.posting import SALE

RECENT_BATCHES = 12


@dataclass(frozen=True, slots=True)
class NextPayment:
    available: int  # may be paid now
    minimum: int  # the least the cooperative pays out
    held: int  # card money still inside the hold
    held_until: date | None  # the day the last of it is free
    committed: int  # already in a batch not paid yet
    next_day: date | None  # the next usual payout day, today included

    @property
    def ready(self) -> bool:
        return self.available > 0 and self.available >= self.minimum

    @property
    def under_minimum(self) -> bool:
        return 0 < self.available < self.minimum


def usual_weekday(session: Session) -> int | None:
    """The weekday (Monday 0) of most of the recent batches that were not cancelled; the latest wins a tie."""
    moments = session.scalars(
        select(PayoutBatch.created_at)
        .where(PayoutBatch.status != BatchStatus.cancelled)
        .order_by(PayoutBatch.created_at.desc())
        .limit(RECENT_BATCHES)
    ).all()
    if not moments:
        return None
    days = [to_local(m).weekday() for m in moments]
    counts = Counter(days)
    best = max(counts.values())
    return next(d for d in days if counts[d] == best)


def next_usual_day(session: Session, today: date) -> date | None:
    weekday = usual_weekday(session)
    if weekday is None:
        return None
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def last_held_sale(session: Session, weaver_id: int, *, now: datetime, hold: timedelta) -> datetime | None:
    """When the newest card sale still inside the hold that credited her was booked."""
    if hold <= timedelta(0):
        return None
    clearing, hers, money_leg, her_leg = aliased(Account), aliased(Account), aliased(Entry), aliased(Entry)
    return session.scalar(
        select(func.max(LedgerTransaction.created_at))
        .join(money_leg, money_leg.transaction_id == LedgerTransaction.id)
        .join(clearing, clearing.id == money_leg.account_id)
        .join(her_leg, her_leg.transaction_id == LedgerTransaction.id)
        .join(hers, hers.id == her_leg.account_id)
        .where(
            LedgerTransaction.kind == SALE,
            LedgerTransaction.created_at > now - hold,
            clearing.code == "stripe_clearing",
            hers.weaver_id == weaver_id,
        )
    )


def next_payment(session: Session, weaver_id: int, *, now: datetime, hold: timedelta, minimum: int) -> NextPayment:
    rows = owed(session, now=now, hold=hold, weaver_ids=[weaver_id])
    row = rows[0] if rows else None
    held = row.held if row else 0
    last = last_held_sale(session, weaver_id, now=now, hold=hold) if held else None
    return NextPayment(
        available=row.available if row else 0,
        minimum=minimum,
        held=held,
        held_until=to_local(last + hold).date() if last else None,
        committed=row.committed if row else 0,
        next_day=next_usual_day(session, to_local(now).date()),
    )
