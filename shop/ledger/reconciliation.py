"""Proposing matches between the bank's lines and the shop's own money: each deposit to a bank transfer the
treasurer confirmed (a payment of kind ``offline`` whose money was received), each withdrawal to a SPEI payout that
was paid. This module only reads and suggests; confirming and undoing a match (what writes) is
``shop.ledger.bank_matches``, kept apart so the ranking rules can be read without the locking and posting.

The ledger never imports the payments package (its caller): the transfers come in as plain ``MatchCandidate``
data from ``shop.payments.bank_transfers``; the payouts are the ledger's own.

Rules kept here:
- The shop only suggests; nothing is matched until a person confirms it (``bank_matches.confirm_match``).
- A candidate has exactly the line's amount. It is offered when its date is within ``OFFER_WITHIN_DAYS`` of the
  line's, or when the line names it: the payment's bank reference or its order number (JJ-000123) in the
  line's reference or description, or the payout's SPEI tracking key. It is *suggested* when the line names it,
  else when it is within ``SUGGEST_WITHIN_DAYS``; the closest date wins. When two are equally good (for one line,
  or two lines for one payment), nothing is suggested and she picks.
- What is left: money the shop booked that no bank line shows yet (``unseen``), and the recent matches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.clock import to_local
from shop.ledger.models import BankLine, BankMatch, Payout, PayoutMethod, PayoutStatus
from shop.ledger.schemas import MatchCandidate

SUGGEST_WITHIN_DAYS = 5
OFFER_WITHIN_DAYS = 45
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
