"""Paying weavers what the ledger says they are owed, in batches that two people sign off.

Rules kept here:
- A weaver can be paid only money that has settled (``shop.ledger.settled``) and that no other unpaid payout
  already counts on. Preparing a batch and paying a payout both lock the weaver's ledger account row first,
  so two batches prepared at once, or two clicks on "paid", can never pay the same money twice (PostgreSQL row
  locks; SQLite serializes writers).
- The treasurer prepares; a council member who did not prepare it approves; only then is anything paid.
- Paying posts a ``payout`` transaction (the weaver's account to cash on hand, the bank or Stripe); undoing a
  paid payout posts its reversal. Nothing is deleted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shop.accounts.models import Role, User
from shop.catalogue.models import Weaver
from shop.errors import N_, Forbidden, InvalidState, NotFound, ValidationFailed
from shop.ledger.accounts import weaver_code
from shop.ledger.clabe import clabe_problem, normalize_clabe
from shop.ledger.models import (
    Account,
    BatchStatus,
    Entry,
    LedgerTransaction,
    Payout,
    PayoutAccount,
    PayoutBatch,
    PayoutMethod,
    PayoutStatus,
    TransactionKind,
)
from shop.ledger.posting import post
from shop.ledger.reversals import reverse
from shop.ledger.schemas import EntryLine
from shop.ledger.settled import committed_to_payouts, held_back, in_trouble, raw_balances
from shop.money import Pesos

PAYOUT = TransactionKind.payout
MONEY_FOR = {PayoutMethod.cash: "cash", PayoutMethod.spei: "bank", PayoutMethod.stripe_connect: "stripe_clearing"}
OPEN = (PayoutStatus.pending, PayoutStatus.sending)
TRACKING_KEY = re.compile(r"[A-Za-z0-9]{1,30}")
STRIPE_ACCOUNT = re.compile(r"acct_[A-Za-z0-9]{6,50}")


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


@dataclass(frozen=True, slots=True)
class PayoutLine:
    weaver_id: int
    amount: int
    method: PayoutMethod | None = None  # None: the weaver's usual method


def _require(user: User, *roles: Role) -> None:
    if not any(held.role in roles for held in user.roles):
        raise Forbidden(N_("Your role does not allow this."))


def _lock_weavers(session: Session, weaver_ids: Iterable[int]) -> None:
    """Take the weavers' ledger account rows in a fixed order (no deadlocks) for the rest of the transaction."""
    codes = sorted({weaver_code(w) for w in weaver_ids})
    session.execute(select(Account.id).where(Account.code.in_(codes)).order_by(Account.id).with_for_update()).all()


def payout_account(session: Session, weaver_id: int) -> PayoutAccount:
    found = session.get(PayoutAccount, weaver_id)
    return found if found is not None else PayoutAccount(weaver_id=weaver_id)


def method_problem(details: PayoutAccount, method: PayoutMethod, *, stripe_connect: bool) -> str | None:
    if method is PayoutMethod.spei and (not details.clabe or clabe_problem(details.clabe)):
        return N_("No valid CLABE on file for SPEI.")
    if method is PayoutMethod.stripe_connect:
        if not stripe_connect:
            return N_("Stripe Connect payouts are switched off.")
        if not details.stripe_account_id:
            return N_("No Stripe account on file.")
    return None


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


def _available(session: Session, weaver_ids: list[int], *, now: datetime, hold: timedelta) -> dict[int, int]:
    """What may still be paid to each weaver (negative when she owes), in four queries for all of them."""
    balances = raw_balances(session, weaver_ids)
    held = held_back(session, weaver_ids, now=now, hold=hold)
    committed = committed_to_payouts(session, weaver_ids)
    blocked = {w: sum(amount for _, amount in rows) for w, rows in in_trouble(session, weaver_ids).items()}
    return {w: balances.get(w, 0) - held.get(w, 0) - committed.get(w, 0) - blocked.get(w, 0) for w in weaver_ids}


def available_for(session: Session, weaver_id: int, *, now: datetime, hold: timedelta, leaving_out: int = 0) -> int:
    """What may still be paid to one weaver; ``leaving_out`` is a payout's own amount, when paying it."""
    return _available(session, [weaver_id], now=now, hold=hold)[weaver_id] + leaving_out


def prepare_batch(
    session: Session,
    *,
    lines: list[PayoutLine],
    by: User,
    now: datetime,
    hold: timedelta,
    stripe_connect: bool = False,
    note: str = "",
) -> PayoutBatch:
    """Put the chosen weavers' payouts into a new batch, each at most what she may be paid now.

    Every mistake is reported at once, each on its weaver's line (field ``amount-<weaver id>``).
    """
    _require(by, Role.treasurer)
    chosen = [line for line in lines if line.amount != 0]
    if not chosen:
        raise ValidationFailed(N_("Choose at least one weaver to pay."), field="lines")
    if len({line.weaver_id for line in chosen}) != len(chosen):
        raise ValidationFailed(N_("Each weaver can be paid once in a batch."), field="lines")
    _lock_weavers(session, [line.weaver_id for line in chosen])
    ids = [line.weaver_id for line in chosen]
    names = dict(session.execute(select(Weaver.id, Weaver.name).where(Weaver.id.in_(ids))).all())
    available_now = _available(session, ids, now=now, hold=hold)
    accounts = {d.weaver_id: d for d in session.scalars(select(PayoutAccount).where(PayoutAccount.weaver_id.in_(ids)))}
    problems: list[ValidationFailed] = []
    payouts = []
    for line in chosen:
        field = f"amount-{line.weaver_id}"
        if line.weaver_id not in names:
            problems.append(ValidationFailed(N_("We could not find that weaver."), field=field))
            continue
        if line.amount < 0:
            problems.append(ValidationFailed(N_("An amount cannot be negative."), field=field))
            continue
        available = available_now[line.weaver_id]
        if line.amount > available:
            problems.append(
                ValidationFailed(
                    N_("%(name)s can be paid at most %(available)s now."),
                    field=field,
                    name=names[line.weaver_id],
                    available=Pesos(max(0, available)),
                )
            )
            continue
        details = accounts.get(line.weaver_id) or PayoutAccount(weaver_id=line.weaver_id)
        method = line.method or details.method
        problem = method_problem(details, method, stripe_connect=stripe_connect)
        if problem:
            problems.append(ValidationFailed(problem, field=field))
            continue
        payouts.append(
            Payout(
                weaver_id=line.weaver_id,
                amount=line.amount,
                method=method,
                clabe=details.clabe if method is PayoutMethod.spei else None,
                account_holder=details.account_holder or names[line.weaver_id],
                stripe_account_id=details.stripe_account_id if method is PayoutMethod.stripe_connect else None,
                created_at=now,
            )
        )
    if problems:
        raise (
            problems[0]
            if len(problems) == 1
            else ValidationFailed(N_("Please correct the marked amounts."), errors=problems)
        )
    batch = PayoutBatch(prepared_by_id=by.id, prepared_by=by.name, note=note.strip()[:500], created_at=now)
    session.add(batch)
    session.flush()
    for payout in payouts:
        payout.batch_id = batch.id
        session.add(payout)
    session.flush()
    return batch


def batch_by_id(session: Session, batch_id: int, *, lock: bool = False) -> PayoutBatch:
    """The batch with its payouts, read afresh; ``lock`` takes the batch row (after any weaver accounts)."""
    statement = (
        select(PayoutBatch)
        .where(PayoutBatch.id == batch_id)
        .options(selectinload(PayoutBatch.payouts))
        .execution_options(populate_existing=True)
    )
    if lock:
        statement = statement.with_for_update(of=PayoutBatch)
    batch = session.scalar(statement)
    if batch is None:
        raise NotFound(N_("There is no payout batch %(number)s."), number=batch_id)
    return batch


def approve_batch(session: Session, batch_id: int, *, by: User, now: datetime) -> PayoutBatch:
    """The second signature: a council member who did not prepare the batch."""
    _require(by, Role.council)
    batch = batch_by_id(session, batch_id, lock=True)
    if batch.status is not BatchStatus.prepared:
        raise InvalidState(N_("Batch %(number)s is not waiting for approval."), number=batch.id)
    if not any(p.status is PayoutStatus.pending for p in batch.payouts):
        raise InvalidState(N_("Nothing is left to pay in batch %(number)s: cancel it instead."), number=batch.id)
    if batch.prepared_by_id == by.id:
        raise Forbidden(N_("You prepared this batch: another council member must approve it."))
    if by.weaver_id is not None and any(
        p.weaver_id == by.weaver_id and p.status is PayoutStatus.pending for p in batch.payouts
    ):
        raise Forbidden(N_("This batch pays you: another council member must approve it."))
    batch.status = BatchStatus.approved
    batch.approved_by_id, batch.approved_by, batch.approved_at = by.id, by.name, now
    session.flush()
    return batch


def _payout(session: Session, payout_id: int) -> Payout:
    payout = session.scalar(
        select(Payout).where(Payout.id == payout_id).with_for_update().execution_options(populate_existing=True)
    )
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
    _lock_weavers(session, [found.weaver_id])
    batch = session.scalar(
        select(PayoutBatch)
        .where(PayoutBatch.id == found.batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return _payout(session, payout_id), batch


def _payable(session: Session, payout_id: int, *, by: User, now: datetime, hold: timedelta) -> Payout:
    """The payout, locked with its weaver's account, checked to be approved, open and still covered."""
    _require(by, Role.treasurer)
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
    _close_if_done(session, payout.batch_id, now)
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
    _require(by, Role.treasurer)
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
    _require(by, Role.treasurer, Role.council)
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
    _close_if_done(session, payout.batch_id, now)
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
        _close_if_done(session, payout.batch_id, now)
    return f"payout {payout.id}: {new} back"


def cancel_batch(session: Session, batch_id: int, *, by: User, reason: str, now: datetime) -> PayoutBatch:
    """Drop a batch nothing of which was paid; its money is free for the next one."""
    _require(by, Role.treasurer, Role.council)
    if not reason.strip():
        raise ValidationFailed(N_("Say why, for the record."), field="reason")
    _lock_weavers(session, session.scalars(select(Payout.weaver_id).where(Payout.batch_id == batch_id)).all())
    batch = batch_by_id(session, batch_id, lock=True)
    session.execute(select(Payout.id).where(Payout.batch_id == batch_id).order_by(Payout.id).with_for_update()).all()
    batch = batch_by_id(session, batch_id)
    if batch.status not in (BatchStatus.prepared, BatchStatus.approved):
        raise InvalidState(N_("Batch %(number)s is already closed."), number=batch.id)
    if any(p.status in (PayoutStatus.paid, PayoutStatus.sending, PayoutStatus.failed) for p in batch.payouts):
        raise InvalidState(N_("Part of batch %(number)s was paid: undo payouts one by one."), number=batch.id)
    for payout in batch.payouts:
        if payout.status is PayoutStatus.pending:
            payout.status, payout.ended_reason = PayoutStatus.cancelled, f"{by.name}: {reason.strip()}"[:300]
    batch.status, batch.closed_at, batch.note = BatchStatus.cancelled, now, (batch.note + f"\n{reason.strip()}")[:500]
    session.flush()
    return batch


def _close_if_done(session: Session, batch_id: int, now: datetime) -> None:
    """Called with the batch row locked, so the payouts read here are the last word (read afresh)."""
    batch = batch_by_id(session, batch_id)
    if batch.status is BatchStatus.approved and all(p.status not in OPEN for p in batch.payouts):
        batch.status, batch.closed_at = BatchStatus.closed, now
    elif batch.status is BatchStatus.prepared and all(p.status is PayoutStatus.cancelled for p in batch.payouts):
        batch.status, batch.closed_at = BatchStatus.cancelled, now
    session.flush()


def check_proof_wanted(payout: Payout) -> None:
    if payout.method is not PayoutMethod.cash or payout.status is not PayoutStatus.paid:
        raise InvalidState(N_("A signed receipt belongs to a cash payout that was paid."))


def attach_proof(session: Session, payout_id: int, *, path: str, now: datetime) -> Payout:
    """Record the photo of the signed receipt (already stored privately at ``path``)."""
    payout = _payout(session, payout_id)
    check_proof_wanted(payout)
    payout.proof_path, payout.proof_uploaded_at = path[:200], now
    session.flush()
    return payout


def set_payout_account(
    session: Session,
    weaver_id: int,
    *,
    method: PayoutMethod,
    clabe: str = "",
    account_holder: str = "",
    stripe_account_id: str = "",
    by: User,
    now: datetime,
) -> PayoutAccount:
    """How a weaver is paid from now on (batches already prepared keep the details they were approved with)."""
    _require(by, Role.treasurer, Role.admin)
    if session.get(Weaver, weaver_id) is None:
        raise NotFound(N_("We could not find that weaver."))
    problems = []
    problem = clabe_problem(clabe) if clabe.strip() else None
    if problem:
        problems.append(ValidationFailed(problem, field="clabe"))
    clabe = normalize_clabe(clabe) if clabe.strip() and not problem else ""
    if method is PayoutMethod.spei and not clabe and not problem:
        problems.append(ValidationFailed(N_("SPEI needs her CLABE (18 digits)."), field="clabe"))
    stripe_account_id = stripe_account_id.strip()
    if stripe_account_id and not STRIPE_ACCOUNT.fullmatch(stripe_account_id):
        problems.append(ValidationFailed(N_("A Stripe account looks like acct_1A2b3C…"), field="stripe_account_id"))
    if method is PayoutMethod.stripe_connect and not stripe_account_id:
        problems.append(ValidationFailed(N_("Stripe Connect needs her account (acct_…)."), field="stripe_account_id"))
    if problems:
        raise (
            problems[0]
            if len(problems) == 1
            else ValidationFailed(N_("Please correct the marked fields."), errors=problems)
        )
    details = session.get(PayoutAccount, weaver_id)
    if details is None:
        details = PayoutAccount(weaver_id=weaver_id)
        session.add(details)
    details.method, details.clabe = method, clabe or None
    details.account_holder, details.stripe_account_id = account_holder.strip()[:120], stripe_account_id or None
    details.updated_by, details.updated_at = by.name, now
    session.flush()
    return details
