"""Orders: finding them and moving them through their states. Placing an order is ``shop.orders.placing``;
what the buyer is e-mailed is ``shop.orders.buyer_mail``.

Every state change goes through ``transition``, which refuses illegal moves with a clear error and records
who made it, when and why. Stock is held, taken and returned only through the catalogue's stock service.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.catalogue import stock, stock_sales
from shop.catalogue.models import Product, ProductKind, ProductStatus, ProductWeaver
from shop.clock import to_local
from shop.errors import N_, InvalidState, NotFound, Phrase, ValidationFailed
from shop.orders.buyer_mail import tell_buyer
from shop.orders.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderLineWeaver,
    OrderStatus,
)
from shop.split_rules.service import split_rule_for

S = OrderStatus
ALLOWED = {
    S.pending_payment: {S.paid, S.cancelled},
    S.paid: {S.packed, S.refunded, S.partially_refunded},
    S.packed: {S.shipped, S.refunded, S.partially_refunded},
    S.shipped: {S.delivered, S.refunded, S.partially_refunded},
    S.delivered: {S.refunded, S.partially_refunded},
    # What was not refunded still travels on to the buyer.
    S.partially_refunded: {S.partially_refunded, S.refunded, S.packed, S.shipped, S.delivered},
    # Only when money arrived for a cancelled order and the treasurer reinstates it (payments.reinstate).
    S.cancelled: {S.paid},
    S.refunded: set(),
}
# Shown (translated) to the treasurer on an order that was paid although a piece had gone to someone else.
SOLD_MEANWHILE = N_(
    "Paid, but a piece had been sold to someone else meanwhile. Give money back or offer another piece."
)
PAID_STATES = {S.paid, S.packed, S.shipped, S.delivered, S.partially_refunded}
STATUS_NAMES = {
    S.pending_payment: N_("waiting for payment"),
    S.paid: N_("paid"),
    S.packed: N_("packed"),
    S.shipped: N_("shipped"),
    S.delivered: N_("delivered"),
    S.cancelled: N_("cancelled"),
    S.refunded: N_("refunded"),
    S.partially_refunded: N_("partly refunded"),
}


def loaded(statement):
    """``statement`` for orders, loading their lines (with weavers) and events along."""
    return statement.options(
        selectinload(Order.lines).selectinload(OrderLine.weavers),
        selectinload(Order.events),
    )


def could_be(identifier: str, longest: int) -> bool:
    """Whether an identifier from a URL could name a row: PostgreSQL refuses NUL bytes outright."""
    return len(identifier) <= longest and "\x00" not in identifier


def order_by_token(session: Session, token: str) -> Order:
    found = len(token) >= 20 and could_be(token, 64)
    order = session.scalar(loaded(sa.select(Order).where(Order.token == token))) if found else None
    if order is None:
        raise NotFound(N_("We could not find that order. Check the link in your email."))
    return order


def order_by_number(session: Session, number: str, *, lock: bool = False) -> Order:
    if not could_be(number, 20):
        raise NotFound(N_("There is no order %(number)s."), number=number)
    statement = loaded(sa.select(Order).where(Order.number == number))
    if lock:
        statement = statement.with_for_update()
    order = session.scalar(statement)
    if order is None:
        raise NotFound(N_("There is no order %(number)s."), number=number)
    return order


def lock_order(session: Session, order_id: int) -> Order:
    """The order, its row locked until commit on PostgreSQL, so concurrent payments and webhooks queue."""
    order = session.scalar(
        loaded(sa.select(Order).where(Order.id == order_id))
        .with_for_update(of=Order)
        .execution_options(populate_existing=True)
    )
    if order is None:
        raise NotFound(N_("There is no order %(number)s."), number=str(order_id))
    return order


# Moves taken back by "undo" (``undo_packed``), legal only then and only within UNDO_WINDOW of the move undone.
UNDOABLE = {(S.packed, S.paid), (S.packed, S.partially_refunded)}
UNDO_WINDOW = timedelta(minutes=5)
UNDONE = "Undone: "


def transition(
    session: Session, order: Order, to: OrderStatus, *, actor: str, note: str = "", now: datetime, undo: bool = False
) -> None:
    """The one place an order's status changes. ``undo`` also allows the backward moves of UNDOABLE, which only
    ``undo_packed`` asks for, after checking the time."""
    if to not in ALLOWED[order.status] and not (undo and (order.status, to) in UNDOABLE):
        raise InvalidState(
            N_("Order %(number)s is %(current)s, so it cannot become %(wanted)s."),
            number=order.number,
            current=Phrase(STATUS_NAMES[order.status]),
            wanted=Phrase(STATUS_NAMES[to]),
        )
    session.add(
        OrderEvent(
            order_id=order.id,
            from_status=order.status.value,
            to_status=to.value,
            actor=actor,
            note=note,
            created_at=now,
        )
    )
    order.status = to
    order.updated_at = now
    session.flush()


def note_event(session: Session, order: Order, *, actor: str, note: str, now: datetime) -> None:
    """Something worth knowing that does not change the state (an OXXO voucher was issued, say)."""
    session.add(
        OrderEvent(
            order_id=order.id,
            from_status=order.status.value,
            to_status=order.status.value,
            actor=actor,
            note=note[:1000],
            created_at=now,
        )
    )
    session.flush()


def snapshot_weavers(session: Session, line: OrderLine, product: Product) -> None:
    """Freeze who wove the line's piece and her share (``product.attributions`` loaded with their weavers)."""
    for attribution in product.attributions:
        session.add(
            OrderLineWeaver(
                order_line_id=line.id,
                weaver_id=attribution.weaver_id,
                weaver_name=attribution.weaver.name,
                share_bp=attribution.share_bp,
            )
        )


def stock_items(order: Order) -> list[tuple[int, int]]:
    """(product id, quantity) of the order's pieces that keep stock (made-to-order ones do not)."""
    return [
        (line.product_id, line.quantity)
        for line in order.lines
        if line.product_id is not None and line.kind != ProductKind.made_to_order.value
    ]


def mark_paid(
    session: Session, order: Order, *, amount: int, actor: str, now: datetime, note: str = "", stock_taken=False
) -> bool:
    """Record the money and take the stock (unless the caller takes it: ``stock_sales.convert_held``).

    Returns False if a piece was gone by then (a person must act).
    """
    order.amount_paid += amount
    order.paid_at = now
    transition(session, order, OrderStatus.paid, actor=actor, note=note, now=now)
    if stock_taken:
        return True
    taken = stock_sales.take_stock(
        session, order_id=order.id, items=[(line.product_id, line.quantity) for line in order.lines], now=now
    )
    missing = [line.title_es for line, result in zip(order.lines, taken, strict=True) if not result.ok]
    if missing:
        order.attention = SOLD_MEANWHILE
        note_event(session, order, actor="system", note=f"Paid, but sold meanwhile: {', '.join(missing)}", now=now)
    session.flush()
    return not missing


def substitute_line(
    session: Session, order: Order, line_id: int, product_id: int, *, actor: str, now: datetime
) -> OrderLine:
    """Put another piece, agreed with the buyer, in place of a line's piece that is gone; before it is paid.

    The line keeps what the buyer paid for it (price, deposit, shipping weight); it takes the new piece's
    title, weavers and split rule, since they are who will be paid. The new piece must be free now.
    """
    if order.status not in (S.pending_payment, S.cancelled):
        raise InvalidState(
            N_("Order %(number)s is already paid; its pieces can no longer be changed."), number=order.number
        )
    line = next((line for line in order.lines if line.id == line_id), None)
    if line is None:
        raise ValidationFailed(N_("That line is not part of this order."), field="line")
    locked = stock.lock_products(session, [product_id])
    product = session.scalar(
        sa.select(Product)
        .where(Product.id == product_id)
        .options(selectinload(Product.attributions).selectinload(ProductWeaver.weaver))
    )
    if product is None or product_id not in locked or product.status is not ProductStatus.active:
        raise ValidationFailed(N_("Choose a piece that is for sale."), field="product")
    if product.id == line.product_id:
        raise ValidationFailed(N_("Choose another piece than the one that is gone."), field="product")
    if product.kind is ProductKind.made_to_order:
        raise ValidationFailed(N_("A made-to-order piece cannot stand in for a piece that is gone."), field="product")
    free = product.stock_on_hand - stock.held_quantities(session, [product.id], now).get(product.id, 0)
    if free < line.quantity:
        raise ValidationFailed(N_("That piece is not free now: it is sold or held for another order."), field="product")
    # The order's own day: the split in force when it was placed, as for its other lines.
    weavers_bp, rule = split_rule_for(session, product, to_local(order.created_at).date())
    before = line.title_es
    line.product_id, line.product_slug, line.kind = product.id, product.slug, product.kind.value
    line.title_es, line.title_en = product.title_es, product.title_en
    line.weavers_bp, line.split_rule = weavers_bp, rule
    for old in session.scalars(sa.select(OrderLineWeaver).where(OrderLineWeaver.order_line_id == line.id)).all():
        session.delete(old)
    session.flush()
    snapshot_weavers(session, line, product)
    note_event(
        session, order, actor=actor, note=f"“{before}” replaced by “{product.title_es}”, agreed with the buyer", now=now
    )
    session.flush()
    session.expire(line, ["weavers"])
    return line


def cancel(session: Session, order: Order, *, actor: str, note: str, now: datetime) -> None:
    transition(session, order, OrderStatus.cancelled, actor=actor, note=note, now=now)
    stock.release_reservations(session, order.id, now)


def mark_packed(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    transition(session, order, OrderStatus.packed, actor=actor, now=now)


def undoable_packing(session: Session, order: Order, *, now: datetime) -> OrderEvent | None:
    """The event that packed the order, if it is the order's last change and within the undo window."""
    last = session.scalar(
        sa.select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id.desc()).limit(1)
    )
    if last is None or order.status is not S.packed or last.to_status != S.packed:
        return None
    if (order.status, S(last.from_status)) not in UNDOABLE or last.created_at <= now - UNDO_WINDOW:
        return None
    return last


def packed_lately_by(session: Session, actor: str, *, now: datetime) -> list[Order]:
    """The orders ``actor`` packed within the undo window that can still be unpacked, newest first."""
    orders = (
        session.scalars(
            sa.select(Order)
            .join(OrderEvent, OrderEvent.order_id == Order.id)
            .where(
                OrderEvent.actor == actor,
                OrderEvent.to_status == S.packed,
                OrderEvent.from_status != S.packed,
                OrderEvent.created_at > now - UNDO_WINDOW,
                Order.status == S.packed,
            )
            .order_by(OrderEvent.id.desc())
        )
        .unique()
        .all()
    )
    unique = {o.id: o for o in reversed(orders)}
    return [o for o in sorted(unique.values(), key=lambda o: -o.id) if undoable_packing(session, o, now=now)]


def undo_packed(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    """ "Already packed" pressed by mistake: within UNDO_WINDOW, and only while packing is still the order's last
    change (no refund, no shipping since), the order goes back to the state it was packed from. The caller locks
    the order (``lock_order``), so two undos at once move it back once; the second is refused."""
    event = undoable_packing(session, order, now=now)
    if event is None:
        if order.status is not S.packed:
            raise InvalidState(
                N_("Order %(number)s is no longer packed: there is nothing to undo."), number=order.number
            )
        raise InvalidState(
            N_("It is too late to undo packing order %(number)s: it can be undone only for %(minutes)d minutes."),
            number=order.number,
            minutes=UNDO_WINDOW.seconds // 60,
        )
    transition(session, order, S(event.from_status), actor=actor, note=UNDONE + "packed", now=now, undo=True)


def mark_shipped(
    session: Session, order: Order, *, carrier: str, tracking_number: str, actor: str, now: datetime, base_url: str
) -> None:
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    problems = []
    if not carrier:
        problems.append(ValidationFailed(N_("Write the name of the courier."), field="carrier"))
    if not tracking_number:
        problems.append(ValidationFailed(N_("Write the tracking number."), field="tracking_number"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    transition(session, order, OrderStatus.shipped, actor=actor, note=f"{carrier} {tracking_number}", now=now)
    order.carrier, order.tracking_number = carrier[:80], tracking_number[:80]
    shipment = {"carrier": order.carrier, "tracking_number": order.tracking_number, "tracking_url": ""}
    tell_buyer(session, order, "order_shipped", base_url, key=f"order_shipped:{order.id}", extra=shipment)


def mark_delivered(session: Session, order: Order, *, actor: str, now: datetime) -> None:
    transition(session, order, OrderStatus.delivered, actor=actor, now=now)


def record_refund(session: Session, order: Order, amount: int, *, actor: str, note: str, now: datetime) -> None:
    if amount <= 0 or order.amount_refunded + amount > order.amount_paid:
        raise ValidationFailed(
            N_("You can refund at most %(amount)s on this order."),
            field="amount",
            amount=str(order.amount_paid - order.amount_refunded),
        )
    order.amount_refunded += amount
    whole = order.amount_refunded == order.amount_paid
    transition(
        session,
        order,
        OrderStatus.refunded if whole else OrderStatus.partially_refunded,
        actor=actor,
        note=note,
        now=now,
    )


def unpaid_past_hold(session: Session, now: datetime, grace: timedelta) -> list[int]:
    """Orders still waiting for payment whose hold ran out more than ``grace`` ago."""
    return list(
        session.scalars(
            sa.select(Order.id).where(Order.status == OrderStatus.pending_payment, Order.reserved_until < now - grace)
        ).all()
    )
