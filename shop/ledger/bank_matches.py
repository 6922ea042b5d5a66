"""Confirming, undoing and setting aside a match between a bank line and a payment or payout: the writing half
of reconciliation (``shop.ledger.reconciliation`` proposes). Kept apart because this is where the locks, the
UNIQUE columns and the ledger postings live.

Rules kept here:
- One bank line matches at most one payment or payout, and each of those at most one line: ``bank_lines`` holds
  the confirmed match in two UNIQUE columns. Confirming locks the line (and a payout, which undoing it also
  locks), so two people confirming one line queue; two lines confirmed at once for one payment meet at its
  UNIQUE column, inside a savepoint. Either way the second is told who or what was first (a Conflict, never a
  500).
- Confirming a deposit moves its money from "Offline payments to reconcile" to the bank account: one balanced
  ledger transaction (kind ``bank_match``, key ``bank-match:<match id>``, the payment's order). A SPEI payout's
  money already left the bank account when it was paid, so its match only records the reconciliation.
- Undoing a match posts the reversal of its transaction (never deletes it) and frees both sides.

Services only flush; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.accounts.models import Role, User
from shop.catalogue.models import Weaver
from shop.clock import to_local
from shop.errors import N_, Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from shop.ledger.models import BankLine, BankMatch, PayoutMethod, PayoutStatus, TransactionKind
from shop.ledger.paying import locked_payout
from shop.ledger.posting import post
from shop.ledger.reconciliation import PAYMENT, PAYOUT
from shop.ledger.reversals import reverse
from shop.ledger.schemas import EntryLine, MatchCandidate
from shop.money import Pesos

BANK_MATCH = TransactionKind.bank_match


def _require(user: User) -> None:
    if not user.has(Role.treasurer, Role.council):
        raise Forbidden(N_("Your role does not allow this."))


def _line(session: Session, line_id: int) -> BankLine:
    """The bank line, locked and read afresh (a second person confirming waits here for the first)."""
    line = session.get(BankLine, line_id, with_for_update=True, populate_existing=True)
    if line is None:
        raise NotFound(N_("There is no bank line %(number)s."), number=line_id)
    return line


def active_match(session: Session, line_id: int) -> BankMatch | None:
    return session.scalar(
        select(BankMatch)
        .where(BankMatch.bank_line_id == line_id, BankMatch.undone_at.is_(None))
        .order_by(BankMatch.id.desc())
        .limit(1)
    )


def _check_unmatched(session: Session, line: BankLine) -> None:
    if line.payment_id is None and line.payout_id is None:
        return
    match = active_match(session, line.id)
    raise Conflict(
        N_("%(name)s already matched this bank line a moment ago. Look at it in the list of matches."),
        name=match.confirmed_by if match is not None else "?",
    )


def confirm_match(
    session: Session,
    line_id: int,
    *,
    transfer: MatchCandidate | None = None,
    payout_id: int | None = None,
    suggested: bool = False,
    by: User,
    now: datetime,
) -> BankMatch:
    """She says this bank line is that transfer (a deposit; ``transfer`` from ``bank_transfers.received_transfer``)
    or that SPEI payout (a withdrawal)."""
    _require(by)
    if (transfer is None) == (payout_id is None):
        raise ValidationFailed(N_("Choose what this bank line is."), field="choice")
    line = _line(session, line_id)
    _check_unmatched(session, line)
    matched = transfer if transfer is not None else _paid_payout(session, payout_id)
    _check_fits(session, line, matched)
    match = BankMatch(
        bank_line_id=line.id,
        payment_id=transfer.id if transfer is not None else None,
        payout_id=payout_id,
        amount=abs(line.amount),
        label=matched.label[:40],
        counterparty=matched.who[:200],
        suggested=suggested,
        confirmed_by_id=by.id,
        confirmed_by=by.name[:120],
        confirmed_at=now,
    )
    try:
        # Written inside the savepoint (begin_nested flushes what is pending first), so a UNIQUE refusal rolls back
        # only this and the session can still say what happened.
        with session.begin_nested():
            line.payment_id, line.payout_id = match.payment_id, payout_id
            line.set_aside_by, line.set_aside_at = "", None
            session.add(match)
            session.flush()
    except IntegrityError:
        # Another person's match of the same payment committed while ours waited on the UNIQUE column: say whose.
        _check_free(session, matched)
        raise Conflict(N_("Someone matched this at the same moment. Reload the page and look again.")) from None
    if transfer is not None:
        posted = post(
            session,
            kind=BANK_MATCH,
            key=f"bank-match:{match.id}",
            entries=[
                EntryLine("bank", line.amount, memo=f"bank line {line.id}"),
                EntryLine("pending_offline", -line.amount, memo=f"payment {transfer.id}"),
            ],
            order_id=transfer.order_id,
            description=f"Bank deposit of {line.booked_on.isoformat()} matched to the transfer for {transfer.label}",
        )
        match.transaction_id = posted.id
        session.flush()
    return match


_WRONG_WAY = {
    PAYMENT: N_("This bank line is a withdrawal: it can only be a payout."),
    PAYOUT: N_("This bank line is a deposit: it can only be a payment."),
}
_AMOUNTS_DIFFER = {
    PAYMENT: N_("The amounts differ: the bank line is %(line)s and the payment of %(number)s is %(payment)s."),
    PAYOUT: N_("The amounts differ: the bank line is %(line)s and payout %(number)s is %(payment)s."),
}
_TAKEN = {
    PAYMENT: N_("The payment of %(number)s is already matched to the bank line of %(date)s."),
    PAYOUT: N_("Payout %(number)s is already matched to the bank line of %(date)s."),
}
_COLUMN = {PAYMENT: BankLine.payment_id, PAYOUT: BankLine.payout_id}


def _check_fits(session: Session, line: BankLine, candidate: MatchCandidate) -> None:
    """Money in for a payment, out for a payout; the very same amount; and nothing else matched to it yet."""
    if (line.amount > 0) != (candidate.kind == PAYMENT):
        raise InvalidState(_WRONG_WAY[candidate.kind])
    if candidate.amount != abs(line.amount):
        raise InvalidState(
            _AMOUNTS_DIFFER[candidate.kind],
            line=Pesos(abs(line.amount)),
            number=candidate.label,
            payment=Pesos(candidate.amount),
        )
    _check_free(session, candidate)


def _check_free(session: Session, candidate: MatchCandidate) -> None:
    other = session.scalar(select(BankLine.booked_on).where(_COLUMN[candidate.kind] == candidate.id))
    if other is not None:
        raise Conflict(_TAKEN[candidate.kind], number=candidate.label, date=other.strftime("%d/%m/%Y"))


def _paid_payout(session: Session, payout_id: int) -> MatchCandidate:
    """The payout, locked (undoing it waits for this match), if it is a SPEI payout that was paid."""
    payout = locked_payout(session, payout_id)
    if payout.method is not PayoutMethod.spei or payout.status is not PayoutStatus.paid:
        raise InvalidState(N_("Only a SPEI payout that was paid can be matched to a withdrawal."))
    name = session.scalar(select(Weaver.name).where(Weaver.id == payout.weaver_id)) or ""
    day = to_local(payout.paid_at).date()
    return MatchCandidate(PAYOUT, payout.id, payout.amount, day, str(payout.id), name, payout.tracking_key or "")


def undo_match(session: Session, line_id: int, *, by: User, reason: str, now: datetime) -> BankMatch:
    """The match was wrong: post the reversal of its transaction (if it posted one) and free both sides."""
    _require(by)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationFailed(N_("Say why, for the record."), field="reason")
    line = _line(session, line_id)
    match = active_match(session, line.id)
    if match is None or (line.payment_id is None and line.payout_id is None):
        raise InvalidState(N_("This bank line is not matched (anymore). Reload the page."))
    if match.transaction_id is not None:
        reversal = reverse(
            session,
            match.transaction_id,
            key=f"bank-match-undo:{match.id}",
            description=f"Bank match {match.id} undone: {reason}"[:500],
        )
        match.reversal_id = reversal.id
    match.undone_by, match.undone_at, match.undo_reason = by.name[:120], now, reason[:300]
    line.payment_id = line.payout_id = None
    session.flush()
    return match


def set_aside(session: Session, line_id: int, *, by: User, now: datetime) -> BankLine:
    """None of the suggestions is right: the line stays unmatched and is no longer suggested a match."""
    _require(by)
    line = _line(session, line_id)
    _check_unmatched(session, line)
    line.set_aside_by, line.set_aside_at = by.name[:120], now
    session.flush()
    return line
