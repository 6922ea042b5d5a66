"""The life cycle of a payout batch: the treasurer prepares it, a council member who did not prepare it approves,
and it closes when every payout in it is paid or undone (or is cancelled before anything is paid)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.accounts.models import Role, User
from shop.catalogue.models import Weaver
from shop.errors import N_, Forbidden, InvalidState, NotFound, ValidationFailed
from shop.ledger.models import BatchStatus, Payout, PayoutAccount, PayoutBatch, PayoutMethod, PayoutStatus
from shop.ledger.payable import available_for_each, lock_weavers
from shop.ledger.payout_accounts import method_problem, require_role
from shop.money import Pesos

OPEN = (PayoutStatus.pending, PayoutStatus.sending)


@dataclass(frozen=True, slots=True)
class PayoutLine:
    weaver_id: int
    amount: int
    method: PayoutMethod | None = None  # None: the weaver's usual method


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
    require_role(by, Role.treasurer)
    chosen = [line for line in lines if line.amount != 0]
    if not chosen:
        raise ValidationFailed(N_("Choose at least one weaver to pay."), field="lines")
    if len({line.weaver_id for line in chosen}) != len(chosen):
        raise ValidationFailed(N_("Each weaver can be paid once in a batch."), field="lines")
    lock_weavers(session, [line.weaver_id for line in chosen])
    ids = [line.weaver_id for line in chosen]
    names = dict(session.execute(select(Weaver.id, Weaver.name).where(Weaver.id.in_(ids))).all())
    available_now = available_for_each(session, ids, now=now, hold=hold)
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
    require_role(by, Role.council)
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


def cancel_batch(session: Session, batch_id: int, *, by: User, reason: str, now: datetime) -> PayoutBatch:
    """Drop a batch nothing of which was paid; its money is free for the next one."""
    require_role(by, Role.treasurer, Role.council)
    if not reason.strip():
        raise ValidationFailed(N_("Say why, for the record."), field="reason")
    lock_weavers(session, session.scalars(select(Payout.weaver_id).where(Payout.batch_id == batch_id)).all())
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


def close_if_done(session: Session, batch_id: int, now: datetime) -> None:
    """Called with the batch row locked, so the payouts read here are the last word (read afresh)."""
    batch = batch_by_id(session, batch_id)
    if batch.status is BatchStatus.approved and all(p.status not in OPEN for p in batch.payouts):
        batch.status, batch.closed_at = BatchStatus.closed, now
    elif batch.status is BatchStatus.prepared and all(p.status is PayoutStatus.cancelled for p in batch.payouts):
        batch.status, batch.closed_at = BatchStatus.cancelled, now
    session.flush()
