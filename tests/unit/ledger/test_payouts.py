"""Payouts by hand-checkable examples: what is available, batches, two-person approval, paying by each method,
undoing, refunds after a payout, write-offs, statements and the ledger export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import make_order, make_user, message_of, sale_for
from sqlalchemy import func, select

from shop.accounts.models import Role
from shop.clock import to_local
from shop.errors import Forbidden, InvalidState, ValidationFailed
from shop.ledger import payable, paying, payout_accounts, payout_batches
from shop.ledger.balances import balance, trial_balance, weaver_balance
from shop.ledger.export import ledger_csv
from shop.ledger.models import BatchStatus, LedgerTransaction, Payout, PayoutMethod, PayoutStatus
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale
from shop.ledger.statements import Movement, parse_month, statement
from shop.ledger.write_offs import write_off

HOLD = timedelta(days=7)
VALID_CLABE = "012180000000000002"  # BBVA, check digit 2


def later(days: float = 8) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


@pytest.fixture
def people(session, juana):
    return {
        "tesorera": make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera"),
        "consejera": make_user(session, roles=[Role.council], username="consejera", name="Consejera"),
        "ambas": make_user(session, roles=[Role.treasurer, Role.council], username="ambas", name="Ambas"),
        "socia": make_user(session, roles=[Role.member], username="socia", name="Socia", weaver_id=juana.id),
    }


def sell(session, weaver, amount, *, money="cash"):
    """A piece by ``weaver`` sold for ``amount`` (80% hers); returns (order, line)."""
    order, (line,) = make_order(session, [(amount, 8000, [(weaver, 10_000)])])
    post_sale(session, sale_for(session, order, [line], money=money))
    return order, line


def prepared(session, people, *lines, now=None):
    return payout_batches.prepare_batch(
        session, lines=[PayoutLine(w.id, a) for w, a in lines], by=people["tesorera"], now=now or later(), hold=HOLD
    )


def approved(session, people, *lines, now=None):
    batch = prepared(session, people, *lines, now=now)
    return payout_batches.approve_batch(session, batch.id, by=people["consejera"], now=now or later())


def only_payout(session, batch):
    return session.scalars(select(Payout).where(Payout.batch_id == batch.id)).one()


# --- what may be paid -----------------------------------------------------------------------------------------


def test_cash_sales_are_available_at_once_and_card_sales_after_the_hold(session, maria, juana):
    sell(session, maria, 100_000)  # 800 pesos to her, in cash
    sell(session, juana, 50_000, money="stripe_clearing")  # 400 pesos to her, by card
    now = datetime.now(UTC)
    rows = {row.weaver_id: row for row in payable.owed(session, now=now, hold=HOLD)}
    assert (rows[maria.id].balance, rows[maria.id].held, rows[maria.id].available) == (80_000, 0, 80_000)
    assert (rows[juana.id].balance, rows[juana.id].held, rows[juana.id].available) == (40_000, 40_000, 0)
    eight_days = {row.weaver_id: row for row in payable.owed(session, now=later(), hold=HOLD)}
    assert eight_days[juana.id].available == 40_000
    no_hold = {row.weaver_id: row for row in payable.owed(session, now=now, hold=timedelta(0))}
    assert no_hold[juana.id].available == 40_000


def test_a_refund_inside_the_hold_is_not_held_twice(session, maria):
    order, _ = sell(session, maria, 100_000, money="stripe_clearing")
    post_refund(session, key="r1", order_id=order.id, money_account="stripe_clearing", amount=25_000)
    (row,) = payable.owed(session, now=datetime.now(UTC), hold=HOLD)
    assert (row.balance, row.held, row.available) == (60_000, 60_000, 0)


def test_the_proposal_leaves_out_weavers_under_the_minimum(session, maria, juana):
    sell(session, maria, 100_000)
    sell(session, juana, 10_000)  # 80 pesos
    proposal = payable.propose(session, now=later(), hold=HOLD, minimum=10_000)
    assert [row.weaver_id for row in proposal] == [maria.id]


# --- batches and approval -------------------------------------------------------------------------------------


def test_amounts_can_be_edited_down_never_above_what_is_available(session, people, maria, juana):
    sell(session, maria, 100_000)
    sell(session, juana, 50_000)
    with pytest.raises(ValidationFailed) as caught:
        prepared(session, people, (maria, 80_001), (juana, 40_001))
    fields = {error.field for error in caught.value.errors}
    assert fields == {f"amount-{maria.id}", f"amount-{juana.id}"}
    assert "$800 MXN" in message_of(caught.value.errors[0])
    batch = prepared(session, people, (maria, 50_000), (juana, 40_000))
    assert batch.status is BatchStatus.prepared
    assert {p.weaver_id: p.amount for p in payout_batches.batch_by_id(session, batch.id).payouts} == {
        maria.id: 50_000,
        juana.id: 40_000,
    }


def test_money_in_one_batch_is_not_offered_to_another(session, people, maria):
    sell(session, maria, 100_000)
    prepared(session, people, (maria, 60_000))
    (row,) = payable.owed(session, now=later(), hold=HOLD)
    assert (row.committed, row.available) == (60_000, 20_000)
    with pytest.raises(ValidationFailed, match="at most"):
        prepared(session, people, (maria, 20_001))
    prepared(session, people, (maria, 20_000))
    assert payable.owed(session, now=later(), hold=HOLD)[0].available == 0


@pytest.mark.parametrize(
    ("lines", "message"),
    [([], "at least one"), ([(0, -5)], "negative"), ([(999_999, 100)], "could not find")],
)
def test_bad_batches_are_refused(session, people, maria, lines, message):
    sell(session, maria, 100_000)
    with pytest.raises(ValidationFailed, match=message):
        payout_batches.prepare_batch(
            session,
            lines=[PayoutLine(maria.id if w == 0 else w, a) for w, a in lines],
            by=people["tesorera"],
            now=later(),
            hold=HOLD,
        )
    assert session.scalar(select(func.count()).select_from(Payout)) == 0


def test_only_the_treasurer_prepares_and_only_another_council_member_approves(session, people, maria):
    sell(session, maria, 100_000)
    for who in ("consejera", "socia"):
        with pytest.raises(Forbidden):
            payout_batches.prepare_batch(
                session, lines=[PayoutLine(maria.id, 100)], by=people[who], now=later(), hold=HOLD
            )
    batch = payout_batches.prepare_batch(
        session, lines=[PayoutLine(maria.id, 10_000)], by=people["ambas"], now=later(), hold=HOLD
    )
    with pytest.raises(Forbidden, match="another council member"):
        payout_batches.approve_batch(session, batch.id, by=people["ambas"], now=later())
    for who in ("tesorera", "socia"):
        with pytest.raises(Forbidden):
            payout_batches.approve_batch(session, batch.id, by=people[who], now=later())
    payout_batches.approve_batch(session, batch.id, by=people["consejera"], now=later())
    with pytest.raises(InvalidState):
        payout_batches.approve_batch(session, batch.id, by=people["consejera"], now=later())


def test_nothing_is_paid_before_approval(session, people, maria):
    sell(session, maria, 100_000)
    batch = prepared(session, people, (maria, 80_000))
    payout = only_payout(session, batch)
    with pytest.raises(InvalidState, match="approved"):
        paying.pay_in_cash(session, payout.id, by=people["tesorera"], now=later(), hold=HOLD)
    assert weaver_balance(session, maria.id) == 80_000


# --- paying ---------------------------------------------------------------------------------------------------


def test_paying_in_cash_moves_her_balance_to_cash_on_hand_and_closes_the_batch(session, people, maria):
    sell(session, maria, 100_000)
    cash_before = balance(session, "cash")
    batch = approved(session, people, (maria, 80_000))
    payout = paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    assert payout.status is PayoutStatus.paid and payout.paid_by == "Tesorera"
    assert weaver_balance(session, maria.id) == 0
    assert balance(session, "cash") == cash_before - 80_000
    assert payout_batches.batch_by_id(session, batch.id).status is BatchStatus.closed
    assert sum(row.net for row in trial_balance(session)) == 0
    with pytest.raises(InvalidState):
        paying.pay_in_cash(session, payout.id, by=people["tesorera"], now=later(), hold=HOLD)
    assert weaver_balance(session, maria.id) == 0


def test_only_the_treasurer_pays(session, people, maria):
    sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    with pytest.raises(Forbidden):
        paying.pay_in_cash(session, only_payout(session, batch).id, by=people["consejera"], now=later(), hold=HOLD)


def test_a_refund_between_approval_and_paying_stops_the_payout(session, people, maria):
    order, _ = sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    post_refund(session, key="r", order_id=order.id, money_account="cash", amount=50_000)
    with pytest.raises(InvalidState, match=r"\$400 MXN"):
        paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    assert weaver_balance(session, maria.id) == 40_000


def test_spei_needs_a_valid_clabe_and_a_tracking_key(session, people, maria):
    sell(session, maria, 100_000)
    with pytest.raises(ValidationFailed) as caught:
        payout_accounts.set_payout_account(
            session, maria.id, method=PayoutMethod.spei, clabe="012180000000000003", by=people["tesorera"], now=later()
        )
    assert caught.value.field == "clabe" and "typing mistake" in message_of(caught.value)
    with pytest.raises(ValidationFailed, match="18 digits"):
        payout_accounts.set_payout_account(
            session, maria.id, method=PayoutMethod.spei, clabe="0121800O0000000002", by=people["tesorera"], now=later()
        )
    payout_accounts.set_payout_account(
        session, maria.id, method=PayoutMethod.spei, clabe="012 180 00000000000 2", by=people["tesorera"], now=later()
    )
    batch = approved(session, people, (maria, 80_000))
    payout = only_payout(session, batch)
    assert (payout.method, payout.clabe) == (PayoutMethod.spei, VALID_CLABE)
    with pytest.raises(InvalidState, match="not paid in cash"):
        paying.pay_in_cash(session, payout.id, by=people["tesorera"], now=later(), hold=HOLD)
    with pytest.raises(ValidationFailed, match="tracking key"):
        paying.pay_by_spei(session, payout.id, tracking_key="no/slashes", by=people["tesorera"], now=later(), hold=HOLD)
    paying.pay_by_spei(
        session, payout.id, tracking_key="MBAN01002611290001", by=people["tesorera"], now=later(), hold=HOLD
    )
    assert balance(session, "bank") == -80_000
    assert only_payout(session, batch).tracking_key == "MBAN01002611290001"


def test_a_weaver_without_a_clabe_cannot_be_put_in_a_batch_for_spei(session, people, maria):
    sell(session, maria, 100_000)
    with pytest.raises(ValidationFailed, match="CLABE"):
        payout_batches.prepare_batch(
            session,
            lines=[PayoutLine(maria.id, 10_000, PayoutMethod.spei)],
            by=people["tesorera"],
            now=later(),
            hold=HOLD,
        )


# --- undoing --------------------------------------------------------------------------------------------------


def test_a_failed_payout_is_reversed_never_deleted(session, people, maria):
    sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    payout = paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    with pytest.raises(ValidationFailed):
        paying.undo_payout(session, payout.id, by=people["tesorera"], reason=" ", now=later())
    undone = paying.undo_payout(session, payout.id, by=people["tesorera"], reason="Not handed over", now=later())
    assert undone.status is PayoutStatus.failed
    original = session.get(LedgerTransaction, undone.transaction_id)
    reversal = session.get(LedgerTransaction, undone.reversal_id)
    assert (original.kind, reversal.kind, reversal.reverses_id) == ("payout", "reversal", original.id)
    assert weaver_balance(session, maria.id) == 80_000
    with pytest.raises(InvalidState):
        paying.undo_payout(session, payout.id, by=people["tesorera"], reason="again", now=later())


def test_cancelling_a_batch_frees_its_money(session, people, maria):
    sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    payout_batches.cancel_batch(session, batch.id, by=people["consejera"], reason="Wrong month", now=later())
    assert payout_batches.batch_by_id(session, batch.id).status is BatchStatus.cancelled
    assert only_payout(session, batch).status is PayoutStatus.cancelled
    assert payable.owed(session, now=later(), hold=HOLD)[0].available == 80_000
    with pytest.raises(InvalidState):
        payout_batches.cancel_batch(session, batch.id, by=people["consejera"], reason="again", now=later())


def test_a_batch_with_a_paid_payout_cannot_be_cancelled_whole(session, people, maria, juana):
    sell(session, maria, 100_000)
    sell(session, juana, 100_000)
    batch = approved(session, people, (maria, 80_000), (juana, 80_000))
    first = payout_batches.batch_by_id(session, batch.id).payouts[0]
    paying.pay_in_cash(session, first.id, by=people["tesorera"], now=later(), hold=HOLD)
    with pytest.raises(InvalidState, match="one by one"):
        payout_batches.cancel_batch(session, batch.id, by=people["consejera"], reason="x", now=later())


# --- owing, write-offs, statements ----------------------------------------------------------------------------


def test_a_refund_after_a_payout_leaves_her_owing_then_her_next_sale_recovers_it(session, people, maria):
    order, _ = sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    post_refund(session, key="after", order_id=order.id, money_account="cash", amount=100_000)
    assert weaver_balance(session, maria.id) == -80_000
    (row,) = payable.owed(session, now=later(), hold=HOLD)
    assert row.available == 0
    with pytest.raises(ValidationFailed):
        prepared(session, people, (maria, 1))
    sell(session, maria, 150_000)  # 1,200 pesos to her
    assert weaver_balance(session, maria.id) == 40_000
    assert payable.owed(session, now=later(), hold=HOLD)[0].available == 40_000


def test_the_council_can_write_off_what_she_owes_as_a_recorded_transaction(session, people, maria):
    order, _ = sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    post_refund(session, key="after", order_id=order.id, money_account="cash", amount=100_000)
    fund_before = balance(session, "fund")
    with pytest.raises(Forbidden):
        write_off(session, maria.id, amount=80_000, reason="x", by=people["tesorera"])
    with pytest.raises(ValidationFailed, match="cannot write off more"):
        write_off(session, maria.id, amount=80_001, reason="Damaged in transit", by=people["consejera"])
    with pytest.raises(ValidationFailed, match="why"):
        write_off(session, maria.id, amount=80_000, reason="", by=people["consejera"])
    tx = write_off(session, maria.id, amount=30_000, reason="Damaged in transit", by=people["consejera"])
    assert tx.kind == "write_off" and "Consejera" in tx.description
    write_off(session, maria.id, amount=50_000, reason="The rest", by=people["consejera"])
    assert weaver_balance(session, maria.id) == 0
    assert balance(session, "fund") == fund_before - 80_000
    with pytest.raises(ValidationFailed, match="owes the cooperative nothing"):
        write_off(session, maria.id, amount=1, reason="x", by=people["consejera"])
    assert sum(row.net for row in trial_balance(session)) == 0


def test_her_statement_shows_sales_refunds_payouts_and_write_offs_between_opening_and_closing(
    session, people, maria, juana
):
    order, _ = sell(session, maria, 100_000)
    sell(session, juana, 100_000)  # never on María's statement
    batch = approved(session, people, (maria, 80_000))
    paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    post_refund(session, key="after", order_id=order.id, money_account="cash", amount=100_000)
    write_off(session, maria.id, amount=80_000, reason="Damaged in transit", by=people["consejera"])
    today = to_local(datetime.now(UTC))
    this_month = date(today.year, today.month, 1)
    shown = statement(session, maria.id, this_month)
    assert shown.opening == 0
    assert [(s.movement, s.amount) for s in shown.lines] == [
        (Movement.sale, 80_000),
        (Movement.payout, -80_000),
        (Movement.refund, -80_000),
        (Movement.write_off, 80_000),
    ]
    sale = shown.lines[0]
    assert (sale.title, sale.price, sale.order_number, sale.share_bp) == ("Pieza 1", 100_000, order.number, 10_000)
    assert shown.lines[1].payout_id == only_payout(session, batch).id and shown.lines[1].payout_method == "cash"
    assert (shown.earned, shown.refunded, shown.paid, shown.written_off, shown.closing) == (
        80_000,
        80_000,
        80_000,
        80_000,
        0,
    )
    following = date(this_month.year + this_month.month // 12, this_month.month % 12 + 1, 1)
    assert statement(session, maria.id, following).opening == shown.closing
    assert statement(session, maria.id, date(2020, 1, 1)).lines == []


@pytest.mark.parametrize("text", ["2026-13", "nov", "", "2026-1-1"])
def test_a_month_that_is_not_one_is_refused(text):
    with pytest.raises(ValidationFailed, match="YYYY-MM"):
        parse_month(text)


def test_the_ledger_export_has_every_entry_and_each_transaction_sums_to_zero(session, people, maria):
    sell(session, maria, 100_000)
    batch = approved(session, people, (maria, 80_000))
    paying.pay_in_cash(session, only_payout(session, batch).id, by=people["tesorera"], now=later(), hold=HOLD)
    today = datetime.now(UTC).date()
    text = "".join(ledger_csv(session, today - timedelta(days=1), today + timedelta(days=1)))
    rows = list(csv.DictReader(io.StringIO(text)))
    kinds = {row["kind"] for row in rows}
    assert kinds == {"sale", "payout"}
    sums: dict[str, int] = {}
    for row in rows:
        cents = round(float(row["debit"] or 0) * 100) - round(float(row["credit"] or 0) * 100)
        sums[row["transaction"]] = sums.get(row["transaction"], 0) + cents
    assert set(sums.values()) == {0}
    payout_rows = [row for row in rows if row["kind"] == "payout"]
    assert {(row["account"], row["debit"], row["credit"]) for row in payout_rows} == {
        (f"weaver:{maria.id}", "800.00", ""),
        ("cash", "", "800.00"),
    }
    assert "".join(ledger_csv(session, date(2020, 1, 1), date(2020, 1, 31))).count("\r\n") == 1


def test_free_text_in_the_export_never_runs_as_a_formula(session, people, maria):
    order, _ = sell(session, maria, 100_000)
    post_refund(session, key="f", order_id=order.id, money_account="cash", amount=1_000, description="=HYPERLINK(1)")
    today = datetime.now(UTC).date()
    text = "".join(ledger_csv(session, today - timedelta(days=1), today + timedelta(days=1)))
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text


def test_a_renamed_weaver_shows_her_new_name_in_the_trial_balance_and_the_export(session, people, maria):
    sell(session, maria, 100_000)
    maria.name = "María Pérez de la Cruz"
    session.flush()
    names = {row.code: row.name for row in trial_balance(session)}
    assert names[f"weaver:{maria.id}"] == "María Pérez de la Cruz"
    today = datetime.now(UTC).date()
    text = "".join(ledger_csv(session, today - timedelta(days=1), today + timedelta(days=1)))
    assert "María Pérez de la Cruz" in text and "María Pérez Hernández" not in text
