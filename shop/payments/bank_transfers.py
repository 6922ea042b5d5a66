"""Bank transfers the treasurer confirmed, as the bank reconciliation sees them (``shop.ledger.reconciliation``).

A transfer counts once its money was received (``succeeded_at`` is set), whatever happened to its order since:
refunded, cancelled, or kept while the piece could not be sent. Only offline payments: card and OXXO money
reaches the bank through Stripe's own payouts, and cash is counted at the cooperative.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from shop.clock import to_local
from shop.errors import N_, InvalidState, NotFound
from shop.ledger.models import BankLine
from shop.ledger.reconciliation import PAYMENT
from shop.ledger.schemas import MatchCandidate
from shop.orders.models import Order
from shop.payments.models import Payment, PaymentKind

_COLUMNS = (
    Payment.id,
    Payment.amount,
    Payment.succeeded_at,
    Payment.reference,
    Payment.kind,
    Order.id,
    Order.number,
    Order.name,
)


def _candidate(row) -> MatchCandidate:
    payment_id, amount, received_at, reference, _kind, order_id, number, name = row
    return MatchCandidate(PAYMENT, payment_id, amount, to_local(received_at).date(), number, name, reference, order_id)


def unmatched_transfers(session: Session) -> list[MatchCandidate]:
    """Every received transfer no bank line is matched to yet."""
    rows = session.execute(
        select(*_COLUMNS)
        .join(Order, Order.id == Payment.order_id)
        .where(
            Payment.kind == PaymentKind.offline,
            Payment.succeeded_at.is_not(None),
            ~exists().where(BankLine.payment_id == Payment.id),
        )
        .order_by(Payment.succeeded_at, Payment.id)
    ).all()
    return [_candidate(row) for row in rows]


def received_transfer(session: Session, payment_id: int) -> MatchCandidate:
    """One transfer a person chose to match; refused if it is not a transfer whose money was received."""
    row = session.execute(
        select(*_COLUMNS).join(Order, Order.id == Payment.order_id).where(Payment.id == payment_id)
    ).first()
    if row is None:
        raise NotFound(N_("We could not find that payment."))
    if row.kind is not PaymentKind.offline or row.succeeded_at is None:
        raise InvalidState(N_("Only a bank transfer whose money was received can be matched to a deposit."))
    return _candidate(row)
