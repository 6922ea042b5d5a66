"""The cooperative fund net of processor fees, by hand-checkable examples: card sales with Stripe's fee, cash
sales without one, partial and full refunds (the fee is never given back), cancelled sales, write-offs, and
the fund's monthly statement (opening + lines = closing, months in Mexico City time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import make_order, make_user, sale_for
from sqlalchemy import select, update

from shop.accounts.models import Role
from shop.clock import LOCAL_ZONE
from shop.ledger import paying, payout_batches
from shop.ledger.balances import balance, trial_balance
from shop.ledger.fund import FundPosition, fund_position, fund_statement
from shop.ledger.models import LedgerTransaction, Payout
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.refunds import post_refund
from shop.ledger.reversals import reverse
from shop.ledger.sales import post_sale
from shop.ledger.settled import weaver_totals
from shop.ledger.statements import Movement, month_of
from shop.ledger.write_offs import write_off

HOLD = timedelta(days=7)


def sell(session, weaver, amount, *, fee=0, shipping=0, money="stripe_clearing"):
    """A piece by ``weaver`` sold for ``amount`` (80% hers, 20% the fund's); returns (order, line, transaction)."""
    order, (line,) = make_order(session, [(amount, 8000, [(weaver, 10_000)])], shipping=shipping)
    transaction = post_sale(session, sale_for(session, order, [line], money=money, fee=fee))
    return order, line, transaction


def booked_at(session, transaction, moment: datetime) -> None:
    """Give a posting another time stamp. The ledger stamps each posting when it is made and refuses any change
    made through the ORM (rightly); a test of month boundaries sets the stamp with a plain UPDATE instead."""
    table = LedgerTransaction.__table__
    session.connection().execute(update(table).where(table.c.id == transaction.id).values(created_at=moment))
    session.expire_all()


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_ZONE)


def this_month() -> date:
    return month_of(datetime.now(UTC))


def fund_rows(session) -> int:
    """What the trial balance says the fund keeps net of fees (its rows in raw sign, credits negative)."""
    nets = {row.code: row.net for row in trial_balance(session)}
    return -(nets.get("fund", 0) + nets.get("processor_fees", 0))


# --- the fund's position --------------------------------------------------------------------------------------


def test_an_empty_ledger_has_an_empty_fund(session):
    assert fund_position(session) == FundPosition(0, 0, 0)
    assert fund_statement(session, this_month()).lines == []


def test_a_card_sale_keeps_the_funds_part_less_stripes_fee(session, maria):
    # 1,000 pesos plus 150 of shipping; Stripe charged 40.25 on the whole 1,150.
    sell(session, maria, 100_000, fee=4_025, shipping=15_000)
    kept, fees, net = fund_position(session)
    assert (kept, fees, net) == (20_000, 4_025, 15_975)
    # The postings are unchanged: the fund's account holds its whole 20%, the fee is an expense of its own.
    assert balance(session, "fund") == 20_000 and balance(session, "processor_fees") == 4_025
    # Shipping income is not the fund's.
    assert balance(session, "shipping_income") == 15_000
    assert net == fund_rows(session)


def test_a_cash_sale_has_no_fee(session, maria, juana):
    sell(session, maria, 50_000, money="cash")
    assert fund_position(session) == FundPosition(10_000, 0, 10_000)
    sell(session, juana, 100_000, fee=3_480)
    assert fund_position(session) == FundPosition(30_000, 3_480, 26_520)


def test_a_partial_refund_takes_back_its_part_of_the_fund_but_never_the_fee(session, maria):
    order, _, _ = sell(session, maria, 100_000, fee=3_480)
    post_refund(session, key="half", order_id=order.id, money_account="stripe_clearing", amount=50_000)
    assert fund_position(session) == FundPosition(10_000, 3_480, 6_520)
    assert fund_position(session).net == fund_rows(session)


def test_after_a_full_refund_the_fund_is_below_zero_by_the_fee(session, maria):
    order, _, _ = sell(session, maria, 100_000, fee=3_480)
    post_refund(session, key="all", order_id=order.id, money_account="stripe_clearing", amount=100_000)
    assert fund_position(session) == FundPosition(0, 3_480, -3_480)


def test_a_cancelled_sale_undoes_its_fee_with_it(session, maria):
    _, _, sale = sell(session, maria, 100_000, fee=3_480)
    reverse(session, sale.id, key="undo", description="posted twice by mistake")
    assert fund_position(session) == FundPosition(0, 0, 0)
    lines = fund_statement(session, this_month()).lines
    assert [(line.movement, line.amount) for line in lines] == [
        (Movement.sale, 20_000),
        (Movement.fee, -3_480),
        (Movement.sale_reversed, -20_000),
        (Movement.fee_reversed, 3_480),
    ]


def owing(session, weaver, staff) -> None:
    """She is paid her 800 pesos in cash, then the piece is refunded: she owes the cooperative 800."""
    order, _, _ = sell(session, weaver, 100_000, money="cash")
    later = datetime.now(UTC) + timedelta(days=8)
    batch = payout_batches.prepare_batch(
        session, lines=[PayoutLine(weaver.id, 80_000)], by=staff["tesorera"], now=later, hold=HOLD
    )
    payout_batches.approve_batch(session, batch.id, by=staff["consejera"], now=later)
    payout = session.scalars(select(Payout).where(Payout.batch_id == batch.id)).one()
    paying.pay_in_cash(session, payout.id, by=staff["tesorera"], now=later, hold=HOLD)
    post_refund(session, key=f"refund-{order.id}", order_id=order.id, money_account="cash", amount=100_000)


@pytest.fixture
def staff(session):
    return {
        "tesorera": make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera"),
        "consejera": make_user(session, roles=[Role.council], username="consejera", name="Carmen"),
    }


def test_a_write_off_is_charged_to_the_fund(session, maria, staff):
    owing(session, maria, staff)
    assert fund_position(session) == FundPosition(0, 0, 0)  # the refund took back the fund's 200 too
    assert weaver_totals(session) == (0, 80_000)
    write_off(session, maria.id, amount=30_000, reason="Lost parcel", by=staff["consejera"])
    assert fund_position(session) == FundPosition(-30_000, 0, -30_000)
    assert weaver_totals(session) == (0, 50_000)
    (line,) = [line for line in fund_statement(session, this_month()).lines if line.movement == Movement.write_off]
    assert (line.amount, line.title, line.description) == (-30_000, maria.name, "Carmen: Lost parcel")


def test_what_the_weavers_are_owed_counts_apart_from_what_they_owe(session, maria, juana, staff):
    owing(session, maria, staff)
    sell(session, juana, 50_000, money="cash")
    assert weaver_totals(session) == (40_000, 80_000)


# --- the fund's statement -------------------------------------------------------------------------------------


def test_the_statement_lists_each_sale_its_fee_refunds_and_write_offs_between_opening_and_closing(
    session, maria, juana, staff
):
    card, card_line, _ = sell(session, maria, 100_000, fee=3_480)
    cash, _, _ = sell(session, juana, 50_000, money="cash")
    post_refund(session, key="half", order_id=card.id, money_account="stripe_clearing", amount=50_000)
    owing(session, juana, staff)  # another cash sale of hers (+200), refunded in full (-200) after her payout
    write_off(session, juana.id, amount=40_000, reason="Damaged in transit", by=staff["consejera"])
    st = fund_statement(session, this_month())
    assert st.opening == 0 and st.opening_position == FundPosition(0, 0, 0)
    assert [(line.movement, line.amount, line.order_number) for line in st.lines] == [
        (Movement.sale, 20_000, card.number),
        (Movement.fee, -3_480, card.number),  # the fee, with its order
        (Movement.sale, 10_000, cash.number),  # cash: no fee line
        (Movement.refund, -10_000, card.number),
        (Movement.sale, 20_000, st.lines[4].order_number),
        (Movement.refund, -20_000, st.lines[4].order_number),
        (Movement.write_off, -40_000, None),
    ]
    sale = st.lines[0]
    assert (sale.title, sale.price, sale.share_bp, sale.product_id) == ("Pieza 1", 100_000, 2000, card_line.product_id)
    assert (st.earned, st.refunded, st.fees, st.written_off) == (50_000, 30_000, 3_480, 40_000)
    assert st.closing == st.opening + sum(line.amount for line in st.lines) == -23_480
    assert st.closing == st.opening + st.earned - st.refunded - st.written_off - st.fees
    assert st.closing_position == FundPosition(-20_000, 3_480, -23_480) == fund_position(session)


def test_a_month_is_a_mexico_city_month_and_its_closing_is_the_next_opening(session, maria, juana):
    # 11:30 pm on 31 January in San Cristóbal is already 1 February in UTC: it belongs to January.
    _, _, late = sell(session, maria, 100_000, fee=3_480)
    booked_at(session, late, local(2026, 1, 31, 23, 30))
    assert late.created_at.astimezone(UTC).month == 2
    # Ten past midnight on 1 February, local time: February.
    _, _, early = sell(session, juana, 50_000, fee=1_900)
    booked_at(session, early, local(2026, 2, 1, 0, 10))
    # An earlier sale makes January's opening.
    _, _, before = sell(session, juana, 10_000, money="cash")
    booked_at(session, before, local(2025, 12, 15, 12, 0))

    january = fund_statement(session, date(2026, 1, 1))
    assert january.opening_position == FundPosition(2_000, 0, 2_000)
    assert [(line.movement, line.amount) for line in january.lines] == [
        (Movement.sale, 20_000),
        (Movement.fee, -3_480),
    ]
    assert january.closing_position == FundPosition(22_000, 3_480, 18_520)
    assert january.lines[0].at == local(2026, 1, 31, 23, 30)

    february = fund_statement(session, date(2026, 2, 1))
    assert february.opening == january.closing and february.opening_position == january.closing_position
    assert [(line.movement, line.amount) for line in february.lines] == [
        (Movement.sale, 10_000),
        (Movement.fee, -1_900),
    ]
    assert february.closing_position == FundPosition(32_000, 5_380, 26_620) == fund_position(session)
    assert fund_position(session, until=local(2026, 2, 1)) == january.closing_position
    assert fund_statement(session, date(2026, 3, 1)).lines == []
    assert fund_statement(session, date(2026, 3, 1)).closing == 26_620


def test_month_of_reads_the_month_in_mexico_city():
    assert month_of(datetime(2026, 2, 1, 5, 30, tzinfo=UTC)) == date(2026, 1, 1)  # 11:30 pm on 31 January there
    assert month_of(datetime(2026, 2, 1, 6, 10, tzinfo=UTC)) == date(2026, 2, 1)
