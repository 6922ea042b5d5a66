"""A refund's status changes only through ``states.move_refund``, and only by a legal move."""

import re
from pathlib import Path

import pytest

from shop.errors import InvalidState
from shop.payments import states
from shop.payments.models import Refund, RefundStatus

ROOT = Path(__file__).resolve().parents[3]
R = RefundStatus


def refund(status: RefundStatus) -> Refund:
    return Refund(order_id=1, payment_id=1, amount=100, currency="MXN", via="stripe", status=status)


@pytest.mark.parametrize(
    ("start", "to"),
    [(R.pending, R.succeeded), (R.pending, R.failed), (R.failed, R.succeeded)],
)
def test_legal_moves_change_the_status(start, to):
    moved = refund(start)
    states.move_refund(moved, to)
    assert moved.status is to


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (R.succeeded, R.failed),
        (R.succeeded, R.pending),
        (R.succeeded, R.succeeded),
        (R.failed, R.pending),
        (R.failed, R.failed),
        (R.pending, R.pending),
    ],
)
def test_illegal_moves_are_refused_and_change_nothing(start, to):
    stuck = refund(start)
    with pytest.raises(InvalidState) as raised:
        states.move_refund(stuck, to)
    assert stuck.status is start
    assert raised.value.status_code == 409


def test_every_refund_status_has_its_moves():
    assert set(states.REFUND_MOVES) == set(RefundStatus)


def test_payment_and_refund_statuses_are_assigned_only_in_their_state_module():
    assigns = re.compile(r"^\s*\w+\.status = ", re.M)
    payments = ROOT / "shop" / "payments"
    outside = [p.name for p in payments.rglob("*.py") if p.name != "states.py" and assigns.search(p.read_text())]
    assert outside == []
