"""Paying a payout of an approved batch: in cash, by SPEI or through Stripe, and undoing one that did not arrive.

Paying posts a ``payout`` transaction (the weaver's account to cash on hand, the bank or Stripe); undoing a
paid payout posts its reversal. Nothing is deleted.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.accounts.models import Role, User
from shop.errors import N_, InvalidState, NotFound, ValidationFailed
from shop.ledger.chart import weaver_code
from shop.ledger.models import (
    Account,
    BatchStatus,
    Entry,
    LedgerTransaction,
    Payout,
    PayoutBatch,
    PayoutMethod,
    PayoutStatus,
    TransactionKind,
)
from shop.ledger.payable import available_for, lock_weavers
from shop.ledger.payout_accounts import require_role
from shop.ledger.payout_batches import close_if_done
from shop.ledger.posting import post
from shop.ledger.reversals import reverse
from shop.ledger.schemas import EntryLine
from shop.money import Pesos

PAYOUT = TransactionKind.payout
MONEY_FOR = {PayoutMethod.cash: "cash", PayoutMethod.spei: "bank", PayoutMethod.stripe_connect: "stripe_clearing"}
TRACKING_KEY = re.compile(r"[A-Za-z0-9]{1,30}")


def locked_payout(session: Session, payout_id: int) -> Payout:
    """The payout row, locked and read afresh: whoever pays, undoes or matches it next waits for this one."""
    payout = session.get(Payout, payout_id, with_for_update=True, populate_existing=True)
    if payout is None:
        raise NotFound(N_("There is no payout %(number)s."), number=payout_id)
    return payout


def _locked(session: Session, payout_id: int) -> tuple[Payout, PayoutBatch]:
    """The payout and its batch, locked in the one order every writer here uses: the weaver's account row,
    then the batch row, then payout rows. Paying, undoing and cancelling therefore queue behind each other
    instead of one overwriting what the other just did."""
    found = session.execute(select(Payout.weaver_id, Payout.batch_id).where(Payout.id == payout_id)).first()
    if found is None:
        raise NotFound(N_("There is no payout %(number)s."), number=payout_id)
    lock_weavers(session, [found.weaver_id])
    batch = session.scalar(
        select(PayoutBatch)
        .where(PayoutBatch.id == found.batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return locked_payout(session, payout_id), batch


def _payable(session: Session, payout_id: int, *, by: User, now: datetime, hold: timedelta) -> Payout:
    """The payout, locked with its weaver's account, checked to be approved, open and still covered."""
    require_role(by, Role.treasurer)
    payout, batch = _locked(session, payout_id)
    return _check_payable(session, payout, batch, now=now, hold=hold)


def _check_payable(session: Session, payout: Payout, batch: PayoutBatch, *, now: datetime, hold: timedelta) -> Payout:
    if payout.status is not PayoutStatus.pending:
        raise InvalidState(N_("Payout %(number)s is not waiting to be paid."), number=payout.id)
    if batch.status is not BatchStatus.approved:
        raise InvalidState(N_("Batch %(number)s must be approved before anything is paid."), number=batch.id)
    available = available_for(session, payout.weaver_id, now=now, hold=hold, leaving_out=payout.amount)
    if payout.amount > available:
        raise InvalidState(
            N_("Her balance went down since the batch was prepared (a refund?): she can be paid %(available)s now."),
            available=Pesos(max(0, available)),
        )
    return payout


def _post_payout(session: Session, payout: Payout, *, by: User, now: datetime) -> Payout:
    money = MONEY_FOR[payout.method]
    transaction = post(
        session,
        kind=PAYOUT,
        key=f"payout:{payout.id}",
        entries=[
            EntryLine(weaver_code(payout.weaver_id), payout.amount, memo=f"payout {payout.id}"),
            EntryLine(money, -payout.amount, memo=f"payout {payout.id}"),
        ],
        description=f"Payout {payout.id} ({payout.method.value}) in batch {payout.batch_id}",
    )
    payout.status, payout.paid_at, payout.paid_by = PayoutStatus.paid, now, by.name
    payout.transaction_id = transaction.id
    session.flush()
    close_if_done(session, payout.batch_id, now)
    return payout


def pay_in_cash(session: Session, payout_id: int, *, by: User, now: datetime, hold: timedelta) -> Payout:
    """The treasurer handed over the money and the weaver signed (or thumbprinted) the receipt."""
    payout = _payable(session, payout_id, by=by, now=now, hold=hold)
    if payout.method is not PayoutMethod.cash:
        raise InvalidState(N_("Payout %(number)s is not paid in cash."), number=payout.id)
    return _post_payout(session, payout, by=by, now=now)


def pay_by_spei(
    session: Session, payout_id: int, *, tracking_key: str, by: User, now: datetime, hold: timedelta
) -> Payout:
    """The bank sent the transfer: its tracking key (clave de rastreo) is the proof."""
    tracking_key = tracking_key.strip()
    if not TRACKING_KEY.fullmatch(tracking_key):
        raise ValidationFailed(
            N_("Write the tracking key the bank gave for this transfer: letters and numbers, up to 30."),
            field="tracking_key",
        )
    payout = _payable(session, payout_id, by=by, now=now, hold=hold)
    if payout.method is not PayoutMethod.spei:
        raise InvalidState(N_("Payout %(number)s is not paid by SPEI."), number=payout.id)
    payout.tracking_key = tracking_key
    return _post_payout(session, payout, by=by, now=now)


def start_stripe_transfer(session: Session, payout_id: int, *, by: User, now: datetime, hold: timedelta) -> Payout:
    """Claim the payout before asking Stripe (a second click waits or finds it no longer pending).

    A payout left ``sending`` (the answer was lost, or the process stopped) is handed back as it is: asking
    Stripe again with the same key returns the transfer it already made, or makes it once.
    """
    require_role(by, Role.treasurer)
    payout, batch = _locked(session, payout_id)
    if payout.status is PayoutStatus.sending:
        return payout
    _check_payable(session, payout, batch, now=now, hold=hold)
    if payout.method is not PayoutMethod.stripe_connect:
        raise InvalidState(N_("Payout %(number)s is not paid through Stripe."), number=payout.id)
    payout.status = PayoutStatus.sending
    session.flush()
    return payout


def finish_stripe_transfer(session: Session, payout_id: int, *, transfer_id: str, by: User, now: datetime) -> Payout:
    payout, _ = _locked(session, payout_id)
    if payout.status is PayoutStatus.paid:
        return payout
    if payout.status is not PayoutStatus.sending:
        raise InvalidState(N_("Payout %(number)s is not being sent."), number=payout.id)
    payout.stripe_transfer_id = transfer_id[:60]
    return _post_payout(session, payout, by=by, now=now)


def payout_status(session: Session, payout_id: int) -> PayoutStatus | None:
    return session.scalar(select(Payout.status).where(Payout.id == payout_id))


def transfer_key(payout: Payout) -> str:
    """The Stripe idempotency key of the payout's transfer: the same on every retry after a lost answer (so
    Stripe never pays twice), a new one after Stripe refused (it would replay the refusal forever)."""
    return f"payout-{payout.id}" if not payout.transfer_refusals else f"payout-{payout.id}-{payout.transfer_refusals}"


def stripe_transfer_failed(session: Session, payout_id: int, *, reason: str, refused: bool) -> Payout:
    """Stripe refused (``refused``) or could not be reached: the payout waits again, with the reason."""
    payout, _ = _locked(session, payout_id)
    if payout.status is PayoutStatus.sending:
        payout.status = PayoutStatus.pending
        payout.ended_reason = reason[:300]
        if refused:
            payout.transfer_refusals += 1
        session.flush()
    return payout


def undo_payout(session: Session, payout_id: int, *, by: User, reason: str, now: datetime) -> Payout:
    """Cancel a payout not paid yet, or, for one that was paid but did not reach her (a SPEI transfer that came
    back, cash never handed over), mark it failed and post the reversal: her balance is owed again."""
    require_role(by, Role.treasurer, Role.council)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why, for the record."), field="reason")
    payout, _ = _locked(session, payout_id)
    if payout.status is PayoutStatus.paid and payout.proof_path:
        raise InvalidState(N_("She signed the receipt for payout %(number)s: it cannot be undone."), number=payout.id)
    if payout.status is PayoutStatus.paid and payout.method is PayoutMethod.stripe_connect:
        raise InvalidState(
            N_(
                "Payout %(number)s reached her Stripe account: reverse the transfer in Stripe's dashboard, and it "
                "is booked here when Stripe tells us."
            ),
            number=payout.id,
        )
    if payout.status is PayoutStatus.pending:
        payout.status = PayoutStatus.cancelled
    elif payout.status is PayoutStatus.paid:
        reversal = reverse(
            session,
            payout.transaction_id,
            key=f"payout-undo:{payout.id}",
            description=f"Payout {payout.id} failed: {reason}"[:500],
        )
        payout.status, payout.reversal_id = PayoutStatus.failed, reversal.id
    else:
        raise InvalidState(N_("Payout %(number)s cannot be undone now."), number=payout.id)
    payout.ended_reason = f"{by.name}: {reason}"[:300]
    session.flush()
    close_if_done(session, payout.batch_id, now)
    return payout


PAYOUT_RETURN = TransactionKind.payout_return


def transfer_returned(session: Session, transfer_id: str, *, amount_reversed: int, now: datetime) -> str:
    """Stripe says (part of) a payout's transfer came back to the cooperative (reversed from the dashboard):
    she is owed that money again. ``amount_reversed`` is Stripe's running total, so a late or repeated event
    books only what is new; the whole amount back marks the payout failed."""
    payout_id = session.scalar(select(Payout.id).where(Payout.stripe_transfer_id == transfer_id))
    if payout_id is None:
        return "unknown transfer"
    payout, _ = _locked(session, payout_id)
    if payout.status is not PayoutStatus.paid and payout.status is not PayoutStatus.failed:
        return f"payout {payout.id} is {payout.status.value}"
    booked = session.scalar(
        select(func.coalesce(func.sum(Entry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .join(Account, Account.id == Entry.account_id)
        .where(
            LedgerTransaction.kind == PAYOUT_RETURN,
            LedgerTransaction.idempotency_key.like(f"payout-return:{payout.id}:%"),
            Account.code == weaver_code(payout.weaver_id),
        )
    )
    already = -int(booked or 0)
    new = min(amount_reversed, payout.amount) - already
    if new <= 0:
        return f"payout {payout.id}: already booked"
    post(
        session,
        kind=PAYOUT_RETURN,
        key=f"payout-return:{payout.id}:{already + new}",
        entries=[
            EntryLine(weaver_code(payout.weaver_id), -new, memo=f"payout {payout.id} returned"),
            EntryLine(MONEY_FOR[payout.method], new, memo=f"payout {payout.id} returned"),
        ],
        description=f"Payout {payout.id}: Stripe transfer {transfer_id} reversed",
    )
    if already + new >= payout.amount:
        payout.status = PayoutStatus.failed
        payout.ended_reason = "Stripe: transfer reversed"
        session.flush()
        close_if_done(session, payout.batch_id, now)
    return f"payout {payout.id}: {new} back"


def check_proof_wanted(payout: Payout) -> None:
    if payout.method is not PayoutMethod.cash or payout.status is not PayoutStatus.paid:
        raise InvalidState(N_("A signed receipt belongs to a cash payout that was paid."))


def attach_proof(session: Session, payout_id: int, *, path: str, now: datetime) -> Payout:
    """Record the photo of the signed receipt (already stored privately at ``path``)."""
    payout = locked_payout(session, payout_id)
    check_proof_wanted(payout)
    payout.proof_path, payout.proof_uploaded_at = path[:200], now
    session.flush()
    return payout
