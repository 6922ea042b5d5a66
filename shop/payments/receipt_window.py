""" "Payment received" waits a few minutes before it takes effect, so a treasurer who pressed it for the wrong order
can undo it.

While it waits nothing is written to the ledger (whose entries are never changed), no stock is taken and the buyer
is not told: undoing it leaves nothing to reverse. The order's holds are stretched past the window, so its pieces
cannot go to someone else meanwhile, and the unpaid-order job leaves it alone. When the window has passed, the jobs
apply it through the same ``confirm_offline_payment`` the treasurer used to call directly, and only then is the
buyer e-mailed. Both the undo and the job lock the order's row first, so one of them wins, never both.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.stock import extend_reservations
from shop.db import session_scope
from shop.errors import N_, InvalidState
from shop.orders import service as orders
from shop.orders.models import Order, OrderStatus
from shop.payments.models import PaymentStatus, WaitingReceipt
from shop.payments.offline import _offline_payment, confirm_offline_payment, record_money_to_resolve
from shop.payments.receiving import PiecesGone
from shop.payments.service import missing_pieces

log = logging.getLogger(__name__)
UNDO_WINDOW = timedelta(minutes=5)
# Holds outlast the window by this much, so a job that runs late still finds the pieces kept.
HOLD_MARGIN = timedelta(hours=1)


def waiting_for(session: Session, order_ids: list[int]) -> dict[int, WaitingReceipt]:
    if not order_ids:
        return {}
    rows = session.scalars(sa.select(WaitingReceipt).where(WaitingReceipt.order_id.in_(order_ids)))
    return {row.order_id: row for row in rows}


def record_receipt(session: Session, order: Order, *, actor: str, reference: str, now: datetime) -> WaitingReceipt:
    """The order's row is locked by the caller. Refused, before anything is written, as a direct confirmation
    would be: not waiting for a payment, already recorded, or a piece no longer there."""
    payment = _offline_payment(session, order)
    if payment.status is not PaymentStatus.open or order.status is not OrderStatus.pending_payment:
        raise InvalidState(N_("Order %(number)s is not waiting for a payment."), number=order.number)
    if waiting_for(session, [order.id]):
        raise InvalidState(N_("The payment for order %(number)s is already recorded."), number=order.number)
    missing = missing_pieces(session, order, now)
    if missing:
        raise PiecesGone(order.number, missing)
    receipt = WaitingReceipt(
        order_id=order.id,
        reference=reference.strip()[:200],
        recorded_by=actor[:120],
        recorded_at=now,
        takes_effect_at=now + UNDO_WINDOW,
    )
    session.add(receipt)
    kept_until = receipt.takes_effect_at + HOLD_MARGIN
    if order.reserved_until is None or order.reserved_until < kept_until:
        order.reserved_until = kept_until
        extend_reservations(session, order.id, kept_until, unexpired_at=now)
        if payment.expires_at is None or payment.expires_at < kept_until:
            payment.expires_at = kept_until
    orders.note_event(
        session,
        order,
        actor=actor,
        note=f"Payment recorded as received; takes effect at {receipt.takes_effect_at:%Y-%m-%d %H:%M} UTC",
        now=now,
    )
    session.flush()
    return receipt


def undo_receipt(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    """The order's row is locked by the caller. Only inside the window: after it the money is booked, and a
    mistake then is a refund or a correction, made on record."""
    receipt = waiting_for(session, [order.id]).get(order.id)
    if receipt is None or now >= receipt.takes_effect_at:
        raise InvalidState(
            N_("The payment for order %(number)s can no longer be undone: it has taken effect."), number=order.number
        )
    session.delete(receipt)
    orders.note_event(session, order, actor=actor, note="Payment record undone before it took effect", now=now)
    session.flush()


def due(session: Session, now: datetime) -> list[int]:
    query = sa.select(WaitingReceipt.order_id).where(WaitingReceipt.takes_effect_at <= now)
    return list(session.scalars(query.order_by(WaitingReceipt.takes_effect_at)))


def apply_due(engine, *, now: datetime, base_url: str) -> int:
    """Each receipt whose window has passed, in a transaction of its own: the order is paid (and the buyer told),
    or, if it cannot take the money any more, the money is booked to resolve. Safe to run on several workers."""
    with session_scope(engine, writes=False) as session:
        order_ids = due(session, now)
    applied = 0
    for order_id in order_ids:
        with session_scope(engine) as session:
            order = orders.lock_order(session, order_id)
            receipt = waiting_for(session, [order_id]).get(order_id)
            if receipt is None or receipt.takes_effect_at > now:
                continue  # undone, or applied by another worker, meanwhile
            session.delete(receipt)
            how = {"actor": receipt.recorded_by, "reference": receipt.reference, "now": now, "base_url": base_url}
            try:
                confirm_offline_payment(session, order, **how)
            except InvalidState:  # a piece gone, or the order cancelled meanwhile: the money waits to be resolved
                try:
                    record_money_to_resolve(session, order, **how)
                except InvalidState:
                    log.warning("the payment recorded for %s found nothing to apply to", order.number)
            applied += 1
    return applied
