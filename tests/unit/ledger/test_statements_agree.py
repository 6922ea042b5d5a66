"""One reading of the money: "my earnings" and the monthly statement classify every movement of her account
with the same function, so the two pages agree; and a transaction kind the ledger does not know is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from factories import make_order, make_user, sale_for
from sqlalchemy.exc import IntegrityError

from shop.accounts.models import Role
from shop.clock import to_local
from shop.ledger import paying, payout_batches
from shop.ledger.balances import weaver_balance
from shop.ledger.models import Payout, TransactionKind
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.refunds import post_refund
from shop.ledger.reversals import reverse
from shop.ledger.sales import post_sale
from shop.ledger.statements import Movement, _movement, statement
from shop.ledger.write_offs import write_off
from shop.money import basis_points_percent
from shop.web.workspace.earnings import sold_pieces

HOLD = timedelta(days=7)


def later() -> datetime:
    return datetime.now(UTC) + HOLD + timedelta(days=1)


def sell(session, weaver, amount):
    order, (line,) = make_order(session, [(amount, 8000, [(weaver, 10_000)])])
    sale = post_sale(session, sale_for(session, order, [line], money="cash"))
    return order, line, sale


def refund(session, order, line, amount, key):
    post_refund(session, key=key, order_id=order.id, money_account="cash", amount=amount, lines={line.id: amount})


def test_my_earnings_and_the_statement_agree_over_every_kind_of_movement(session, maria):
    council = make_user(session, roles=[Role.council], username="consejera", name="Consejera")
    treasurer = make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera")
    kept, kept_line, _ = sell(session, maria, 100_000)
    partly, partly_line, _ = sell(session, maria, 50_000)
    refund(session, partly, partly_line, 20_000, "partial")
    whole, whole_line, _ = sell(session, maria, 30_000)
    refund(session, whole, whole_line, 30_000, "full")
    _, _, cancelled = sell(session, maria, 40_000)
    reverse(session, cancelled.id, key="cancelled", description="sold twice by mistake")
    # Paid out what she was owed, then a refund leaves her owing, and the council forgives it.
    owed = weaver_balance(session, maria.id)
    batch = payout_batches.prepare_batch(
        session, lines=[PayoutLine(maria.id, owed)], by=treasurer, now=later(), hold=HOLD
    )
    payout_batches.approve_batch(session, batch.id, by=council, now=later())
    payout = session.scalars(sa.select(Payout).where(Payout.batch_id == batch.id)).one()
    paying.pay_in_cash(session, payout.id, by=treasurer, now=later(), hold=HOLD)
    refund(session, kept, kept_line, 10_000, "after the payout")
    write_off(session, maria.id, amount=-weaver_balance(session, maria.id), reason="a bad month", by=council)

    pieces = sold_pieces(session, maria.id)
    month = to_local(pieces[0].sold_at).date().replace(day=1)
    monthly = statement(session, maria.id, date(month.year, month.month, 1))

    movements = {line.movement for line in monthly.lines}
    assert {Movement.sale, Movement.refund, Movement.sale_reversed, Movement.payout, Movement.write_off} <= movements
    assert sum(p.earned for p in pieces) == monthly.earned == (100_000 + 50_000 + 30_000 + 40_000) * 8 // 10
    assert sum(p.refunded for p in pieces) == monthly.refunded == (20_000 + 30_000 + 40_000 + 10_000) * 8 // 10
    reversed_piece = next(p for p in pieces if p.price == 40_000)
    assert (reversed_piece.earned, reversed_piece.refunded) == (32_000, 32_000)  # refunded on both pages
    assert monthly.closing == weaver_balance(session, maria.id) == 0


def test_a_kind_the_ledger_does_not_know_is_refused_when_written(session):
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            sa.text(
                "INSERT INTO ledger_transactions (kind, description, idempotency_key, created_at)"
                " VALUES ('bonus', '', 'bonus:1', CURRENT_TIMESTAMP)"
            )
        )


def test_a_kind_with_no_place_on_a_statement_is_an_error_never_a_sale():
    with pytest.raises(ValueError, match="bonus"):
        _movement("bonus", None, "weaver:1")
    with pytest.raises(ValueError, match="no place on a statement"):
        _movement(TransactionKind.reversal, TransactionKind.receipt, "weaver:1")
    assert _movement(TransactionKind.reversal, TransactionKind.sale, "weaver:1") == Movement.sale_reversed


@pytest.mark.parametrize(
    ("share_bp", "written"), [(10_000, "100"), (8000, "80"), (3333, "33.33"), (50, "0.5"), (1, "0.01"), (0, "0")]
)
def test_basis_points_are_written_as_a_percentage_without_a_float(share_bp, written):
    assert basis_points_percent(share_bp) == written
