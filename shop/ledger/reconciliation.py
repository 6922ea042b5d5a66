"""Matching the bank's lines to the shop's own money: each deposit to a bank transfer the treasurer confirmed
(a payment of kind ``offline`` whose money was received), each withdrawal to a SPEI payout that was paid.

The ledger never imports the payments package (its caller): the transfers come in as plain ``MatchCandidate``
data from ``shop.payments.bank_transfers``; the payouts are the ledger's own.

Rules kept here:
- The shop only suggests; nothing is matched until a person confirms it (``confirm_match``).
- A candidate has exactly the line's amount. It is offered when its date is within ``OFFER_WITHIN_DAYS`` of the
  line's, or when the line names it: the payment's bank reference or its order number (JJ-000123) in the
  line's reference or description, or the payout's SPEI tracking key. It is *suggested* when the line names it,
  else when it is within ``SUGGEST_WITHIN_DAYS``; the closest date wins. When two are equally good (for one line,
  or two lines for one payment), nothing is suggested and she picks.
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

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shop.accounts.models import Role, User
from shop.catalogue.models import Weaver
from shop.clock import to_local
from shop.errors import N_, Conflict, Forbidden, InvalidState, NotFound, ValidationFailed
from shop.ledger.models import BankLine, BankMatch, Payout, PayoutMethod, PayoutStatus, TransactionKind
from shop.ledger.paying import locked_payout
from shop.ledger.posting import post
from shop.ledger.reversals import reverse
from shop.ledger.schemas import EntryLine, MatchCandidate
from shop.money import Pesos

SUGGEST_WITHIN_DAYS = 5
OFFER_WITHIN_DAYS = 45
BANK_MATCH = TransactionKind.bank_match
PAYMENT, PAYOUT = "payment", "payout"
ORDER_NUMBER = re.compile(r"(?i)JJ[\s\-_]*0*(\d{1,9})(?!\d)")
MIN_REFERENCE = 5  # shorter references ("1", "SPEI") would be found by chance


@dataclass(frozen=True, slots=True)
class Option:
    candidate: MatchCandidate
    days_apart: int
    named: bool  # the line names it (reference, order number or tracking key)

    @property
    def rank(self) -> tuple[int, int]:
        return (0 if self.named else 1, self.days_apart)

    @property
    def suggestible(self) -> bool:
        return self.named or self.days_apart <= SUGGEST_WITHIN_DAYS


@dataclass(frozen=True, slots=True)
class OpenLine:
    """A bank line with no match yet, how old it is, what it could be (best first) and the suggestion."""

    line: BankLine
    age_days: int
    options: list[Option]
    suggestion: Option | None


def _require(user: User) -> None:
    if not user.has(Role.treasurer, Role.council):
        raise Forbidden(N_("Your role does not allow this."))


def _compact(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def order_numbers(text: str) -> set[str]:
    """Order numbers written in a bank line, however the buyer typed them: "JJ-000123", "jj 123", "JJ000123"."""
    return {f"JJ-{int(digits):06d}" for digits in ORDER_NUMBER.findall(text)}


def reference_keys(reference: str) -> set[str]:
    """The parts of a typed reference worth looking for: "SPEI 7788123" → {"SPEI7788123", "7788123"}. Only parts
    with a digit and at least ``MIN_REFERENCE`` characters, so "SPEI" or "1" are never "found" by chance."""
    parts = {_compact(reference), *(_compact(word) for word in re.findall(r"[0-9A-Za-z]+", reference))}
    return {part for part in parts if len(part) >= MIN_REFERENCE and any(ch.isdigit() for ch in part)}


def line_names(line: BankLine, candidate: MatchCandidate) -> bool:
    """Whether the line names the candidate: its order number, its bank reference or its tracking key."""
    text = f"{line.reference} {line.description}"
    if candidate.kind == PAYMENT and candidate.label in order_numbers(text):
        return True
    haystacks = (_compact(line.reference), _compact(line.description))
    return any(key in haystack for key in reference_keys(candidate.reference) for haystack in haystacks)


def _payouts(session: Session, amounts: set[int] | None = None) -> list[MatchCandidate]:
    """SPEI payouts that were paid and no bank line matches yet; only those of ``amounts`` when given."""
    query = (
        select(Payout.id, Payout.amount, Payout.paid_at, Payout.tracking_key, Weaver.name)
        .join(Weaver, Weaver.id == Payout.weaver_id)
        .where(
            Payout.method == PayoutMethod.spei,
            Payout.status == PayoutStatus.paid,
            ~exists().where(BankLine.payout_id == Payout.id),
        )
    )
    if amounts is not None:
        query = query.where(Payout.amount.in_(amounts))
    rows = session.execute(query).all()
    return [
        MatchCandidate(PAYOUT, pid, amount, to_local(at).date(), str(pid), name, key or "")
        for pid, amount, at, key, name in rows
    ]


def _unmatched(session: Session) -> list[BankLine]:
    return list(
        session.scalars(
            select(BankLine)
            .where(BankLine.payment_id.is_(None), BankLine.payout_id.is_(None))
            .order_by(BankLine.booked_on, BankLine.id)
        )
    )


def open_lines(session: Session, *, today: date, transfers: Iterable[MatchCandidate]) -> list[OpenLine]:
    """Every bank line with no match, oldest first, with what it could be and the suggestion (if any).

    ``transfers`` are the received transfers no bank line matches yet (``bank_transfers.unmatched_transfers``).
    """
    lines = _unmatched(session)
    withdrawals = {-line.amount for line in lines if line.amount < 0}
    by_amount: dict[tuple[str, int], list[MatchCandidate]] = defaultdict(list)
    for candidate in [*transfers, *(_payouts(session, withdrawals) if withdrawals else [])]:
        by_amount[candidate.kind, candidate.amount].append(candidate)
    options: dict[int, list[Option]] = {}
    for line in lines:
        kind = PAYMENT if line.amount > 0 else PAYOUT
        found = []
        for candidate in by_amount.get((kind, abs(line.amount)), []):
            option = Option(candidate, abs((line.booked_on - candidate.day).days), line_names(line, candidate))
            if option.named or option.days_apart <= OFFER_WITHIN_DAYS:
                found.append(option)
        options[line.id] = sorted(found, key=lambda o: (*o.rank, o.candidate.day, o.candidate.id))
    chosen = _suggestions([line for line in lines if line.set_aside_at is None], options)
    return [
        OpenLine(line, max(0, (today - line.booked_on).days), options[line.id], chosen.get(line.id)) for line in lines
    ]


def _suggestions(lines: list[BankLine], options: dict[int, list[Option]]) -> dict[int, Option]:
    """One suggestion per line and per candidate, the best pairs first; a tie suggests nothing on either side."""
    pairs = sorted(
        (
            (option.rank, line.booked_on, line.id, option.candidate.key, line.id, option)
            for line in lines
            for option in options[line.id]
            if option.suggestible
        ),
        key=lambda pair: pair[:4],
    )
    lines_for: dict[str, list[tuple[int, Option]]] = defaultdict(list)
    for *_, line_id, option in pairs:
        lines_for[option.candidate.key].append((line_id, option))
    chosen: dict[int, Option] = {}
    taken: set[str] = set()
    undecided_lines: set[int] = set()
    contested: set[str] = set()
    for rank, _, _, key, line_id, option in pairs:
        if line_id in chosen or line_id in undecided_lines or key in taken or key in contested:
            continue
        rival_candidates = [
            other
            for other in options[line_id]
            if other is not option
            and other.suggestible
            and other.rank == rank
            and other.candidate.key not in taken
            and other.candidate.key not in contested
        ]
        if rival_candidates:
            undecided_lines.add(line_id)
            continue
        rival_lines = [
            other_line
            for other_line, other in lines_for[key]
            if other_line != line_id
            and other.rank == rank
            and other_line not in chosen
            and other_line not in undecided_lines
        ]
        if rival_lines:
            contested.add(key)
            continue
        chosen[line_id] = option
        taken.add(key)
    return chosen


# --- confirming and undoing -----------------------------------------------------------------------------------


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


# --- what is left ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unseen:
    """Money the shop booked that no bank line shows yet, and for how many days."""

    candidate: MatchCandidate
    age_days: int


def unseen(session: Session, *, today: date, transfers: Iterable[MatchCandidate]) -> tuple[list[Unseen], list[Unseen]]:
    """Received transfers (``transfers``, from the payments side), and paid SPEI payouts, that no bank line matches
    yet: oldest first."""
    return (
        [Unseen(c, max(0, (today - c.day).days)) for c in sorted(transfers, key=lambda c: (c.day, c.id))],
        [Unseen(c, max(0, (today - c.day).days)) for c in sorted(_payouts(session), key=lambda c: (c.day, c.id))],
    )


def recent_matches(session: Session, *, limit: int = 50) -> list[tuple[BankLine, BankMatch]]:
    """The bank lines matched now and their matches, the latest confirmed first."""
    return [
        (line, match)
        for line, match in session.execute(
            select(BankLine, BankMatch)
            .join(BankMatch, (BankMatch.bank_line_id == BankLine.id) & BankMatch.undone_at.is_(None))
            .where((BankLine.payment_id.is_not(None)) | (BankLine.payout_id.is_not(None)))
            .order_by(BankMatch.confirmed_at.desc(), BankMatch.id.desc())
            .limit(limit)
        )
    ]
