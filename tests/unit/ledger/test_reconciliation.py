"""Matching bank lines to the shop's money: what is suggested (exact amount, the reference or order number, the
closest date, nothing when it is a tie), one line to one payment or payout, the ledger moving money from "to
reconcile" to the bank exactly once per confirmed deposit, undoing by reversal, and what stays unmatched."""

from __future__ import annotations

import pytest
from banking import bank_lines, spei_payout, transfer
from factories import make_user
from sqlalchemy import func, select

from shop.accounts.models import Role
from shop.clock import to_local, utcnow
from shop.errors import Conflict, Forbidden, InvalidState, ValidationFailed
from shop.i18n import translator
from shop.ledger import bank_matches
from shop.ledger import reconciliation as rec
from shop.ledger.balances import balance, trial_balance
from shop.ledger.models import BankLine, BankMatch, Entry, LedgerTransaction
from shop.orders.models import Order
from shop.payments.bank_transfers import received_transfer, unmatched_transfers

es = translator("es")


def today():
    return to_local(utcnow()).date()


def open_lines(session) -> list[rec.OpenLine]:
    return rec.open_lines(session, today=today(), transfers=unmatched_transfers(session))


def open_line(session, line_id: int) -> rec.OpenLine:
    return next(item for item in open_lines(session) if item.line.id == line_id)


def confirm(session, line_id: int, *, by, payment_id: int | None = None, **extra) -> BankMatch:
    """Confirm a match as the page does: a transfer is looked up on the payments side, a payout by its number."""
    transfer = received_transfer(session, payment_id) if payment_id is not None else None
    return bank_matches.confirm_match(session, line_id, transfer=transfer, by=by, now=utcnow(), **extra)


def suggestion(session, line) -> str | None:
    found = open_line(session, line.id).suggestion
    return found.candidate.key if found else None


def offered(session, line) -> list[str]:
    return [option.candidate.key for option in open_line(session, line.id).options]


# --- suggestions ----------------------------------------------------------------------------------------------


def test_the_order_number_in_the_description_beats_a_closer_date(session, teresa):
    named = transfer(session, 185_000, days_ago=4)
    closer = transfer(session, 185_000, days_ago=1)
    number = session.get(Order, named.order_id).number  # "JJ-000123"; the buyer wrote "jj 000123"
    (line,) = bank_lines(session, teresa, (1, f"SPEI RECIBIDO pedido {number.lower().replace('-', ' ')}", "", 185_000))
    assert suggestion(session, line) == f"payment:{named.id}"
    assert offered(session, line) == [f"payment:{named.id}", f"payment:{closer.id}"]
    assert open_line(session, line.id).options[0].named


def test_the_bank_reference_she_typed_when_confirming_is_found_in_the_line(session, teresa):
    typed = transfer(session, 90_000, reference="SPEI 7788123", days_ago=20)
    transfer(session, 90_000, days_ago=0)
    (line,) = bank_lines(session, teresa, (0, "DEPOSITO", "REF7788123", 90_000))
    assert suggestion(session, line) == f"payment:{typed.id}"


def test_the_closest_date_wins_and_only_the_exact_amount_is_offered(session, teresa):
    near = transfer(session, 50_000, days_ago=3)
    far = transfer(session, 50_000, days_ago=6)
    transfer(session, 50_001, days_ago=2)  # a centavo off: never offered
    (line,) = bank_lines(session, teresa, (2, "DEPOSITO", "", 50_000))
    assert suggestion(session, line) == f"payment:{near.id}"
    assert offered(session, line) == [f"payment:{near.id}", f"payment:{far.id}"]


def test_equally_good_candidates_are_left_for_her_to_pick(session, teresa):
    before = transfer(session, 40_000, days_ago=3)
    after = transfer(session, 40_000, days_ago=1)
    (line,) = bank_lines(session, teresa, (2, "DEPOSITO", "", 40_000))
    assert suggestion(session, line) is None
    assert sorted(offered(session, line)) == sorted([f"payment:{before.id}", f"payment:{after.id}"])


def test_two_lines_for_one_payment_the_closer_gets_it_and_a_tie_gets_nothing(session, teresa):
    payment = transfer(session, 30_000, days_ago=2)
    first, second = bank_lines(session, teresa, (2, "DEPOSITO A", "", 30_000), (4, "DEPOSITO B", "", 30_000))
    assert suggestion(session, first) == f"payment:{payment.id}"
    assert suggestion(session, second) is None
    assert offered(session, second) == [f"payment:{payment.id}"]  # she may still pick it by hand
    tie = transfer(session, 20_000, days_ago=2)
    one, other = bank_lines(session, teresa, (1, "DEPOSITO C", "", 20_000), (3, "DEPOSITO D", "", 20_000))
    assert suggestion(session, one) is None and suggestion(session, other) is None
    assert offered(session, one) == offered(session, other) == [f"payment:{tie.id}"]


def test_a_far_date_is_offered_but_not_suggested_and_a_very_far_one_not_even_offered(session, teresa):
    ten_days = transfer(session, 60_000, days_ago=10)
    transfer(session, 60_000, days_ago=rec.OFFER_WITHIN_DAYS + 5)
    (line,) = bank_lines(session, teresa, (0, "DEPOSITO", "", 60_000))
    assert suggestion(session, line) is None
    assert offered(session, line) == [f"payment:{ten_days.id}"]


def test_a_withdrawal_is_matched_to_the_spei_payout_by_its_tracking_key(session, teresa):
    named = spei_payout(session, 52_000, tracking_key="MBAN01002611050012345", days_ago=3)
    closer = spei_payout(session, 52_000, tracking_key="OTHER0001", days_ago=0)
    transfer(session, 52_000)  # a deposit of the same amount is never offered for money out
    (line,) = bank_lines(session, teresa, (0, "SPEI ENVIADO MBAN01002611050012345", "", -52_000))
    assert suggestion(session, line) == f"payout:{named.id}"
    assert offered(session, line) == [f"payout:{named.id}", f"payout:{closer.id}"]


def test_order_numbers_are_read_however_the_buyer_typed_them():
    assert rec.order_numbers("PAGO JJ-000123 Y jj 45, JJ_7") == {"JJ-000123", "JJ-000045", "JJ-000007"}
    assert rec.order_numbers("REF 1234567") == set()


# --- confirming, one to one, the ledger -----------------------------------------------------------------------


def test_confirming_a_deposit_moves_exactly_its_amount_from_to_reconcile_to_the_bank(session, teresa):
    first = transfer(session, 185_000)
    second = transfer(session, 35_000)
    lines = bank_lines(session, teresa, (0, "DEPOSITO", "", 185_000), (0, "OTRO", "", 35_000))
    assert balance(session, "pending_offline") == 220_000 and balance(session, "bank") == 0
    match = confirm(session, lines[0].id, payment_id=first.id, suggested=True, by=teresa)
    assert balance(session, "pending_offline") == 35_000 and balance(session, "bank") == 185_000
    posted = session.get(LedgerTransaction, match.transaction_id)
    assert (posted.kind, posted.idempotency_key, posted.order_id) == (
        "bank_match",
        f"bank-match:{match.id}",
        first.order_id,
    )
    assert session.scalar(select(func.sum(Entry.amount)).where(Entry.transaction_id == posted.id)) == 0
    confirm(session, lines[1].id, payment_id=second.id, by=teresa)
    assert balance(session, "pending_offline") == 0 and balance(session, "bank") == 220_000
    assert sum(row.net for row in trial_balance(session)) == 0
    assert session.get(BankLine, lines[0].id).payment_id == first.id
    assert (match.confirmed_by, match.suggested, match.amount) == ("Teresa Tesorera", True, 185_000)


def test_a_payout_match_records_the_reconciliation_and_posts_nothing(session, teresa):
    payout = spei_payout(session, 52_000, tracking_key="MBAN0100", days_ago=1)
    (line,) = bank_lines(session, teresa, (1, "SPEI ENVIADO", "MBAN0100", -52_000))
    bank_before = balance(session, "bank")
    postings = session.scalar(select(func.count()).select_from(LedgerTransaction))
    match = confirm(session, line.id, payout_id=payout.id, by=teresa)
    assert match.transaction_id is None and session.get(BankLine, line.id).payout_id == payout.id
    assert balance(session, "bank") == bank_before == -52_000  # the payout already took it from the bank
    assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == postings
    bank_matches.undo_match(session, line.id, by=teresa, reason="no era", now=utcnow())
    assert session.get(BankLine, line.id).payout_id is None
    assert session.scalar(select(func.count()).select_from(LedgerTransaction)) == postings


def test_one_line_matches_one_payment_and_one_payment_one_line(session, teresa):
    payment = transfer(session, 70_000)
    other = transfer(session, 70_000)
    first, second = bank_lines(session, teresa, (0, "DEPOSITO A", "", 70_000), (0, "DEPOSITO B", "", 70_000))
    confirm(session, first.id, payment_id=payment.id, by=teresa)
    with pytest.raises(Conflict) as taken:
        confirm(session, second.id, payment_id=payment.id, by=teresa)
    assert taken.value.params["date"] == to_local(utcnow()).strftime("%d/%m/%Y")
    with pytest.raises(Conflict) as again:
        confirm(session, first.id, payment_id=other.id, by=teresa)
    assert es.gettext(again.value.message, **again.value.params) == (
        "Teresa Tesorera ya concilió esta línea del banco hace un momento. Búscala en la lista de conciliadas."
    )
    assert balance(session, "bank") == 70_000  # posted once
    # Suggestions never offer what is matched.
    assert offered(session, second) == [f"payment:{other.id}"]


def test_wrong_pairs_are_refused_and_nothing_moves(session, teresa):
    payment = transfer(session, 100_000)
    payout = spei_payout(session, 100_000, tracking_key="ABC12345")
    deposit, withdrawal, bigger = bank_lines(
        session, teresa, (0, "DEPOSITO", "", 100_000), (0, "RETIRO", "", -100_000), (0, "DEPOSITO", "", 100_100)
    )
    for line_id, target in (
        (withdrawal.id, {"payment_id": payment.id}),
        (deposit.id, {"payout_id": payout.id}),
        (bigger.id, {"payment_id": payment.id}),
    ):
        with pytest.raises(InvalidState):
            confirm(session, line_id, by=teresa, **target)
    with pytest.raises(ValidationFailed):
        bank_matches.confirm_match(session, deposit.id, by=teresa, now=utcnow())
    outsider = make_user(session, roles=[Role.partner_staff], username="socia", name="Socia de la ONG")
    with pytest.raises(Forbidden):
        confirm(session, deposit.id, payment_id=payment.id, by=outsider)
    assert balance(session, "bank") == -100_000  # only the payout
    assert session.scalar(select(func.count()).select_from(BankMatch)) == 0


def test_undoing_a_match_posts_the_reversal_and_frees_both_sides(session, teresa):
    payment = transfer(session, 185_000)
    (line,) = bank_lines(session, teresa, (0, "DEPOSITO", "", 185_000))
    match = confirm(session, line.id, payment_id=payment.id, by=teresa)
    with pytest.raises(ValidationFailed):
        bank_matches.undo_match(session, line.id, by=teresa, reason="  ", now=utcnow())
    undone = bank_matches.undo_match(session, line.id, by=teresa, reason="Era de otro pedido", now=utcnow())
    assert balance(session, "pending_offline") == 185_000 and balance(session, "bank") == 0
    reversal = session.get(LedgerTransaction, undone.reversal_id)
    assert (reversal.kind, reversal.reverses_id) == ("reversal", match.transaction_id)
    assert session.get(LedgerTransaction, match.transaction_id) is not None  # kept, never deleted
    assert (undone.undone_by, undone.undo_reason) == ("Teresa Tesorera", "Era de otro pedido")
    assert session.get(BankLine, line.id).payment_id is None
    with pytest.raises(InvalidState):
        bank_matches.undo_match(session, line.id, by=teresa, reason="otra vez", now=utcnow())
    # Matched again (rightly, this time): a new match, a new posting.
    again = confirm(session, line.id, payment_id=payment.id, by=teresa)
    assert again.id != match.id and again.transaction_id not in (match.transaction_id, undone.reversal_id)
    assert balance(session, "bank") == 185_000 and balance(session, "pending_offline") == 0
    assert sum(row.net for row in trial_balance(session)) == 0


def test_setting_a_line_aside_stops_its_suggestion_but_keeps_it_open(session, teresa):
    payment = transfer(session, 25_000)
    (line,) = bank_lines(session, teresa, (0, "DEPOSITO", "", 25_000))
    assert suggestion(session, line) == f"payment:{payment.id}"
    bank_matches.set_aside(session, line.id, by=teresa, now=utcnow())
    assert suggestion(session, line) is None and offered(session, line) == [f"payment:{payment.id}"]
    confirm(session, line.id, payment_id=payment.id, by=teresa)
    assert session.get(BankLine, line.id).set_aside_at is None


# --- what is left ---------------------------------------------------------------------------------------------


def test_what_is_left_unmatched_shows_its_age_oldest_first(session, teresa):
    old = transfer(session, 111_000, days_ago=9)
    new = transfer(session, 112_000, days_ago=2)
    seen = transfer(session, 113_000, days_ago=1)
    payout = spei_payout(session, 14_000, tracking_key="OLD1234567", days_ago=5)
    lines = bank_lines(session, teresa, (1, "DEPOSITO", "", 113_000), (3, "COMISION", "", -1_500), (7, "X", "", 500))
    confirm(session, lines[0].id, payment_id=seen.id, by=teresa)
    payments, payouts = rec.unseen(session, today=today(), transfers=unmatched_transfers(session))
    assert [(u.candidate.id, u.age_days) for u in payments] == [(old.id, 9), (new.id, 2)]
    assert [(u.candidate.id, u.age_days) for u in payouts] == [(payout.id, 5)]
    left = open_lines(session)
    assert [(item.line.id, item.age_days) for item in left] == [(lines[2].id, 7), (lines[1].id, 3)]
    matched = rec.recent_matches(session)
    assert [(line.id, match.label, match.counterparty) for line, match in matched] == [
        (lines[0].id, session.get(Order, seen.order_id).number, "Ana López")
    ]
