"""Writing off what a weaver owes the cooperative, by decision of the council.

A refund after a payout can leave a weaver owing money. By default it is recovered from her next earnings (her
balance is simply negative until sales bring it back). The council may instead forgive it: the fund absorbs the
amount in a ``write_off`` transaction, recorded like any other and never deleted.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.accounts.models import Role, User
from shop.catalogue.models import Weaver
from shop.errors import N_, Forbidden, NotFound, ValidationFailed
from shop.ledger.chart import weaver_code
from shop.ledger.models import Account, Entry, LedgerTransaction, TransactionKind
from shop.ledger.posting import post
from shop.ledger.schemas import EntryLine
from shop.ledger.settled import raw_balances
from shop.money import Pesos

WRITE_OFF = TransactionKind.write_off


def write_off(
    session: Session, weaver_id: int, *, amount: int, reason: str, by: User, form_key: str | None = None
) -> LedgerTransaction:
    """Forgive ``amount`` centavos of what the weaver owes; never more than she owes.

    ``form_key`` is the one-time key of the form that asked for it: sent twice (a double click, a reload), the
    write-off happens once.
    """
    if not any(held.role is Role.council for held in by.roles):
        raise Forbidden(N_("Only the council can write off what a weaver owes."))
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(N_("Say why, for the record."), field="reason")
    weaver = session.get(Weaver, weaver_id)
    if weaver is None:
        raise NotFound(N_("We could not find that weaver."))
    key = f"write-off:{weaver_id}:{form_key}" if form_key else None
    if key is not None:
        done = session.scalar(select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key))
        if done is not None:
            return done
    # Her account row is the lock payouts take too: one decision at a time per weaver.
    account = session.scalar(select(Account).where(Account.code == weaver_code(weaver_id)).with_for_update())
    owes = -raw_balances(session, [weaver_id]).get(weaver_id, 0) if account is not None else 0
    if owes <= 0:
        raise ValidationFailed(N_("%(name)s owes the cooperative nothing."), field="amount", name=weaver.name)
    if amount <= 0:
        raise ValidationFailed(N_("Write an amount greater than zero."), field="amount")
    if amount > owes:
        raise ValidationFailed(
            N_("%(name)s owes %(owes)s: you cannot write off more."), field="amount", name=weaver.name, owes=Pesos(owes)
        )
    if key is None:
        earlier = session.scalar(
            select(func.count(func.distinct(LedgerTransaction.id)))
            .join(Entry, Entry.transaction_id == LedgerTransaction.id)
            .where(LedgerTransaction.kind == WRITE_OFF, Entry.account_id == account.id)
        )
        key = f"write-off:{weaver_id}:{int(earlier or 0) + 1}"
    return post(
        session,
        kind=WRITE_OFF,
        key=key,
        entries=[
            EntryLine(weaver_code(weaver_id), -amount, memo="written off"),
            EntryLine("fund", amount, memo=f"written off for {weaver.name}"[:200]),
        ],
        description=f"{by.name}: {reason}"[:500],
    )
