"""Balances, always summed from entries: nothing stores a balance."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.ledger.chart import find_account, known_kind, weaver_code
from shop.ledger.models import Account, AccountKind, Entry
from shop.ledger.schemas import TrialBalanceRow

# --- balances -------------------------------------------------------------------------------------------------

_CREDIT_NATURED = (AccountKind.liability, AccountKind.income)


def _natural(kind: AccountKind | str, raw: int) -> int:
    return -raw if AccountKind(kind) in _CREDIT_NATURED else raw


def balance(session: Session, code: str) -> int:
    """An account's balance in its natural sign: what assets hold and expenses cost are positive, and so are
    what liabilities owe and income earned (a weaver owed 500 centavos shows 500)."""
    found = find_account(session, code)
    if found is None:
        known_kind(code)  # NotFound for a code the ledger does not know
        return 0
    raw = session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(Entry.account_id == found.id))
    return _natural(found.kind, int(raw))


def weaver_balance(session: Session, weaver_id: int) -> int:
    """What the cooperative owes a weaver now (sales less refunds, less payouts once they post)."""
    return balance(session, weaver_code(weaver_id))


def trial_balance(session: Session) -> list[TrialBalanceRow]:
    """Every account's debits, credits and net (raw sign, debit positive); the nets sum to zero."""
    debit = func.coalesce(func.sum(case((Entry.amount > 0, Entry.amount), else_=0)), 0)
    credit = func.coalesce(func.sum(case((Entry.amount < 0, -Entry.amount), else_=0)), 0)
    # A weaver's account shows her name as it is now (the account keeps the one she had when it was opened).
    name = func.coalesce(Weaver.name, Account.name)
    rows = session.execute(
        select(Account.code, name, Account.kind, debit, credit)
        .outerjoin(Weaver, Weaver.id == Account.weaver_id)
        .outerjoin(Entry, Entry.account_id == Account.id)
        .group_by(Account.id, Account.code, Account.name, Weaver.name, Account.kind)
        .order_by(Account.code)
    ).all()
    return [
        TrialBalanceRow(code, name, AccountKind(kind).value, int(d), int(c), int(d) - int(c))
        for code, name, kind, d, c in rows
    ]
