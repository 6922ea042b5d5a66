"""Turning an order's holds into sales when it is paid, and putting units back on the shelf: the writes that move
``stock_on_hand``. Kept apart from the holds and availability (``shop.catalogue.stock``) because this is the path
of every payment, with its prebuilt statements and the commit hook that takes units as late as possible.

Taking stock at payment is a single conditional UPDATE that cannot drive stock below zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from shop.catalogue.models import Product, ProductKind, ProductStatus, ReservationStatus, StockReservation
from shop.catalogue.revision import mark_changed
from shop.catalogue.stock import coverage


@dataclass(frozen=True)
class Taken:
    product_id: int
    quantity: int
    ok: bool  # False: the stock was gone when the money arrived


class StockOutOfStep(RuntimeError):
    """Units under an unexpired hold were not on the shelf: a bug, never an oversell (the transaction fails)."""


def _wanted(items: list[tuple[int, int]]) -> dict[int, int]:
    wanted: dict[int, int] = {}
    for product_id, quantity in items:
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    return wanted


# Built once (statements on the path of every payment): nothing to build or key for the compiled cache.
_CONVERT_HELD = (
    sa.update(StockReservation)
    .where(
        StockReservation.order_id == sa.bindparam("the_order"),
        StockReservation.status == ReservationStatus.active,
        StockReservation.expires_at > sa.bindparam("now", type_=StockReservation.__table__.c.expires_at.type),
    )
    .values(
        status=ReservationStatus.converted,
        released_at=sa.bindparam("at", type_=StockReservation.__table__.c.released_at.type),
    )
    .returning(StockReservation.product_id, StockReservation.quantity)
    .execution_options(synchronize_session=False)
)


def _take_statement(quantity):
    remaining = Product.stock_on_hand - quantity
    return (
        sa.update(Product)
        .where(Product.stock_on_hand >= quantity)
        .values(
            stock_on_hand=remaining,
            status=sa.case(
                (
                    sa.and_(remaining == 0, Product.kind != ProductKind.made_to_order.value),
                    ProductStatus.sold_out.value,
                ),
                else_=Product.status,
            ),
        )
        .returning(Product.id, Product.status)
        .execution_options(synchronize_session=False)
    )


_TAKE_ONE = _take_statement(sa.bindparam("taken", type_=sa.Integer)).where(Product.id == sa.bindparam("the_product"))


def _take(session: Session, product_id: int, quantity: int) -> bool:
    """Take units off the shelf; the last unit of a piece that is not made to order marks it sold out."""
    return session.execute(_TAKE_ONE, {"the_product": product_id, "taken": quantity}).first() is not None


def convert_held(session: Session, *, order_id: int, items: list[tuple[int, int]], now: datetime) -> bool:
    """The usual way an order is paid: its own unexpired holds cover every unit it takes. One statement.

    Holds are made only when enough stock is free, so units under an unexpired hold are the order's: the holds
    become sales without locking and recounting the products. Returns False, having changed nothing, if a unit
    is not under such a hold (it expired, or the order holds none): the caller takes the slow way
    (``take_stock``). Otherwise the caller takes the units off the shelf with ``take_converted`` or, better,
    ``take_at_commit``, since that locks the products' rows until the transaction commits. ``items``: pieces with stock.
    """
    wanted = _wanted(items)
    if not wanted:
        return True
    with session.no_autoflush:  # what the caller changed is written with what follows, in fewer statements
        converted = session.execute(_CONVERT_HELD, {"the_order": order_id, "now": now, "at": now}).all()
        if dict(converted) != wanted:
            _undo_conversion(session, order_id, now)
            return False
    return True


TO_TAKE = "stock_to_take"


def take_at_commit(session: Session, *, items: list[tuple[int, int]]) -> None:
    """``take_converted`` these units as the transaction commits: the products' rows, which every sale of the
    same piece must lock, are then held for the commit alone, not for the rest of the caller's work."""
    session.info.setdefault(TO_TAKE, []).extend(items)


def _take_before_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released (the event fires then too): not the commit yet
        return
    items = session.info.pop(TO_TAKE, None)
    if items:
        take_converted(session, items=items)


def _forget_takes(session: Session) -> None:
    session.info.pop(TO_TAKE, None)


# Inserted first, so it runs before the catalogue revision is bumped (a piece it sells out bumps it).
if not event.contains(Session, "before_commit", _take_before_commit):
    event.listen(Session, "before_commit", _take_before_commit, insert=True)
    event.listen(Session, "after_rollback", _forget_takes)


def take_converted(session: Session, *, items: list[tuple[int, int]]) -> None:
    """Take off the shelf the units whose holds ``convert_held`` turned into sales. One statement.

    What the store shows as available does not change (stock and holds went down together), so the catalogue's
    revision is bumped only when a piece sells out.
    """
    wanted = _wanted(items)
    if not wanted:
        return
    if len(wanted) == 1:  # most orders: one piece
        [(product_id, quantity)] = wanted.items()
        taken = session.execute(_TAKE_ONE, {"the_product": product_id, "taken": quantity}).all()
    else:
        statement = _take_statement(sa.case(wanted, value=Product.id)).where(Product.id.in_(list(wanted)))
        taken = session.execute(statement).all()
    if len(taken) != len(wanted):
        raise StockOutOfStep(f"held units of {sorted(wanted)} were not all on the shelf")
    if any(ProductStatus(status) is ProductStatus.sold_out for _, status in taken):
        mark_changed(session)


def _undo_conversion(session: Session, order_id: int, now: datetime) -> None:
    session.execute(
        sa.update(StockReservation)
        .where(
            StockReservation.order_id == order_id,
            StockReservation.status == ReservationStatus.converted,
            StockReservation.released_at == now,
        )
        .values(status=ReservationStatus.active, released_at=None)
        .execution_options(synchronize_session=False)
    )


def take_stock(session: Session, *, order_id: int, items: list[tuple[int, int]], now: datetime) -> list[Taken]:
    """Turn an order's holds into sales when it is paid.

    A hold that expired before the money arrived is honoured if the units are still free; otherwise the
    line is reported as not taken, and the caller must tell a person (the buyer gets her money back).
    """
    results = []
    for product_id, quantity, product, hold, coverable in coverage(session, order_id, items, now):
        if product is None or product.kind is ProductKind.made_to_order:
            results.append(Taken(product_id, quantity, coverable))
            continue
        ok = coverable and _take(session, product_id, quantity)
        if hold is not None:
            hold.status = ReservationStatus.converted if ok else ReservationStatus.released
            hold.released_at = now
        results.append(Taken(product_id, quantity, ok))
    session.flush()
    mark_changed(session)
    return results


def return_stock(session: Session, product_id: int, quantity: int) -> None:
    """Put units back on the shelf (a returned piece); a sold-out piece is for sale again."""
    session.execute(
        sa.update(Product)
        .where(Product.id == product_id, Product.kind != ProductKind.made_to_order.value)
        .values(
            # A one-of-a-kind piece has at most one unit, however many times it comes back.
            stock_on_hand=sa.case(
                (Product.kind == ProductKind.unique.value, 1), else_=Product.stock_on_hand + quantity
            ),
            status=sa.case(
                (Product.status == ProductStatus.sold_out.value, ProductStatus.active.value), else_=Product.status
            ),
        )
        .execution_options(synchronize_session=False)
    )
    mark_changed(session)
