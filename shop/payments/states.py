"""A payment's status changes only here, and only by a legal move.

A payment is ``open`` until money comes in or it ends unpaid. Money that its order cannot take (the order was
cancelled meanwhile, or a piece was gone) makes it ``unallocated``; the treasurer then reinstates the order
(``succeeded``) or gives the money back (``returned``). Late money for a payment that had failed, expired or
been cancelled is also ``unallocated``: the ledger must hold whatever Stripe or the bank really received.

A refund's status changes here too (``move_refund``): it is ``pending`` until the money is known to have gone
back (``succeeded``) or not (``failed``). A failed refund may still succeed: one marked failed because Stripe
did not list it can be reported made later, and the money that really left must be booked.
"""

from __future__ import annotations

from shop.errors import N_, InvalidState
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus

P = PaymentStatus
MOVES: dict[PaymentStatus, frozenset[PaymentStatus]] = {
    P.open: frozenset({P.succeeded, P.unallocated, P.failed, P.expired, P.cancelled}),
    P.failed: frozenset({P.unallocated}),
    P.expired: frozenset({P.unallocated}),
    P.cancelled: frozenset({P.unallocated}),
    P.unallocated: frozenset({P.succeeded, P.returned}),
    P.succeeded: frozenset(),
    P.returned: frozenset(),
}
# Money has come in (and is in the ledger) in these states.
RECEIVED = frozenset({P.succeeded, P.unallocated, P.returned})


def _move(row: Payment | Refund, to, moves: dict, refusal: str) -> None:
    if to not in moves[row.status]:
        raise InvalidState(refusal, current=row.status.value, wanted=to.value)
    row.status = to


def move(payment: Payment, to: PaymentStatus) -> None:
    """Set ``payment``'s status to ``to``, or raise InvalidState if that move is not allowed."""
    _move(payment, to, MOVES, N_("This payment is %(current)s, so it cannot become %(wanted)s."))


R = RefundStatus
REFUND_MOVES: dict[RefundStatus, frozenset[RefundStatus]] = {
    R.pending: frozenset({R.succeeded, R.failed}),
    R.failed: frozenset({R.succeeded}),
    R.succeeded: frozenset(),
}


def move_refund(refund: Refund, to: RefundStatus) -> None:
    """Set ``refund``'s status to ``to``, or raise InvalidState if that move is not allowed."""
    _move(refund, to, REFUND_MOVES, N_("This refund is %(current)s, so it cannot become %(wanted)s."))
