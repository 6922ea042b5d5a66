"""Stock: what can be sold right now and holds for orders being paid. Turning holds into sales, and putting
units back, is ``shop.catalogue.stock_sales``.

A piece is never sold twice. Holding stock locks the products' rows (in id order, so two checkouts never
deadlock) on PostgreSQL; on SQLite every writer already holds the database's write lock (BEGIN IMMEDIATE).
Under that lock the availability check and the new hold are one atomic step. Made-to-order pieces hold no stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.availability import sellable
from shop.catalogue.models import Product, ProductKind, ProductStatus, ReservationStatus, StockReservation
from shop.catalogue.revision import mark_changed
from shop.catalogue.search import search_scores
from shop.clock import to_local
from shop.errors import N_, Conflict


class JustSold(Conflict):
    """Someone else bought or is paying for the last units while this buyer was deciding."""

    code = "just_sold"

    def __init__(self, titles: list[str]):
        super().__init__(
            N_("Sorry, this was just sold: %(titles)s. It has been taken out of your order."),
            titles=", ".join(titles),
        )
        self.titles = titles


@dataclass(frozen=True)
class Hold:
    """Units of a piece held for an order that is being paid, as members need to see it."""

    product_id: int
    order_id: int
    order_number: str
    buyer: str
    quantity: int
    until: datetime


class HeldForOrder(Conflict):
    """A member or the treasurer tried to take units off the shelf that an online buyer is paying for."""

    code = "held_for_order"

    def __init__(self, title: str, hold: Hold):
        super().__init__(
            N_(
                "“%(title)s” is held for online order %(number)s (%(buyer)s) until %(until)s, while the buyer "
                "pays. It cannot be sold or taken off the shelf before then. If the piece is really gone, ask "
                "the treasurer to cancel that order first."
            ),
            field="quantity",
            title=title,
            number=hold.order_number,
            buyer=hold.buyer or "—",
            until=to_local(hold.until).strftime("%d/%m/%Y %H:%M"),
        )
        self.hold = hold


_HELD = (
    sa.select(StockReservation.product_id, sa.func.sum(StockReservation.quantity))
    .where(
        StockReservation.product_id.in_(sa.bindparam("ids", expanding=True)),
        StockReservation.status == ReservationStatus.active,
        StockReservation.expires_at > sa.bindparam("now", type_=StockReservation.__table__.c.expires_at.type),
    )
    .group_by(StockReservation.product_id)
)


def held_quantities(session: Session, product_ids: list[int], now: datetime, *, except_order: int | None = None):
    """Units held by unexpired reservations, per product (store pages work theirs out from ``HoldsInForce``)."""
    if not product_ids:
        return {}
    statement = _HELD if except_order is None else _HELD.where(StockReservation.order_id != except_order)
    rows = session.execute(statement, {"ids": list(product_ids), "now": now}).all()
    return {pid: int(total) for pid, total in rows}


# Store pages keep every hold in force for the catalogue's revision, up to this many (a shop has a few carts being
# paid at a time); beyond it, each page asks the database for the holds on its own pieces.
HOLDS_KEPT = 500


@dataclass(frozen=True, slots=True)
class HoldsInForce:
    """Every unexpired hold as its units and end, per piece, soonest to end first.

    A hold is a catalogue change (``shop.catalogue.revision``), so this holds for a revision, except that holds
    end by the clock alone: what is held at a given moment is worked out from the ends, with no query.
    """

    ends: dict[int, tuple[tuple[datetime, int], ...]]

    def held(self, product_ids, now: datetime) -> dict[int, int]:
        """What ``held_quantities`` answers, at ``now``."""
        found = {}
        for pid in dict.fromkeys(product_ids):
            units = sum(quantity for until, quantity in self.ends.get(pid, ()) if until > now)
            if units:
                found[pid] = units
        return found

    def first_end(self, product_id: int, now: datetime) -> datetime | None:
        """When the first hold on a piece still in force at ``now`` ends."""
        return next((until for until, _ in self.ends.get(product_id, ()) if until > now), None)


def holds_in_force(session: Session, now: datetime, product_ids: list[int] | None = None) -> HoldsInForce | None:
    """The holds in force at ``now`` on the given pieces; on every piece if none are given, or None when there
    are more than ``HOLDS_KEPT``."""
    statement = (
        sa.select(StockReservation.product_id, StockReservation.expires_at, StockReservation.quantity)
        .where(StockReservation.status == ReservationStatus.active, StockReservation.expires_at > now)
        .order_by(StockReservation.expires_at, StockReservation.id)
    )
    if product_ids is None:
        statement = statement.limit(HOLDS_KEPT + 1)
    else:
        statement = statement.where(StockReservation.product_id.in_(product_ids))
    rows = session.execute(statement).all()
    if product_ids is None and len(rows) > HOLDS_KEPT:
        return None
    ends: dict[int, list[tuple[datetime, int]]] = {}
    for pid, until, quantity in rows:
        ends.setdefault(pid, []).append((until, quantity))
    return HoldsInForce({pid: tuple(found) for pid, found in ends.items()})


def holds_on(session: Session, product_ids: list[int], now: datetime) -> dict[int, list[Hold]]:
    """Every unexpired hold on these products, with its order's number and buyer, soonest to end first."""
    if not product_ids:
        return {}
    rows = session.scalars(
        sa.select(StockReservation)
        .where(
            StockReservation.product_id.in_(product_ids),
            StockReservation.status == ReservationStatus.active,
            StockReservation.expires_at > now,
        )
        .order_by(StockReservation.expires_at, StockReservation.id)
    ).all()
    found: dict[int, list[Hold]] = {}
    for row in rows:
        found.setdefault(row.product_id, []).append(
            Hold(row.product_id, row.order_id, row.order_number, row.buyer, row.quantity, row.expires_at)
        )
    return found


def refuse_held(session: Session, product: Product, taking: int, now: datetime) -> None:
    """Raise HeldForOrder if taking ``taking`` units would leave fewer on the shelf than orders hold.

    Call it with the product's row locked (``lock_products``), so no hold appears between check and change.
    """
    holds = holds_on(session, [product.id], now).get(product.id, [])
    if holds and taking > product.stock_on_hand - sum(hold.quantity for hold in holds):
        raise HeldForOrder(product.title_es, holds[0])


def available_quantities(session: Session, products: list[Product], now: datetime) -> dict[int, int]:
    """Stock on hand less unexpired holds; an expired hold stops counting the moment it expires."""
    held = held_quantities(session, [p.id for p in products], now)
    return {p.id: max(0, p.stock_on_hand - held.get(p.id, 0)) for p in products}


def lock_products(session: Session, product_ids: list[int]) -> dict[int, Product]:
    """Lock products' rows in id order until commit (PostgreSQL; SQLite writers are already serialised).

    FOR NO KEY UPDATE: it excludes other sellers of these products, yet lets foreign-key checks (an order
    line pointing at a product takes a KEY SHARE lock) through, so placing orders cannot deadlock. Call it
    before writing anything that references the products.
    """
    statement = (
        sa.select(Product)
        .where(Product.id.in_(sorted(set(product_ids))))
        .order_by(Product.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {p.id: p for p in session.scalars(statement).all()}


def reserve_stock(
    session: Session,
    *,
    order_id: int,
    order_number: str,
    buyer: str,
    items: list[tuple[int, int]],
    expires_at: datetime,
    now: datetime,
) -> list[StockReservation]:
    """Hold ``items`` [(product_id, quantity)] for an order until ``expires_at``: all of them, or none.

    Raises JustSold naming every piece that is no longer available.
    """
    wanted: dict[int, int] = {}
    for product_id, quantity in items:
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    products = lock_products(session, list(wanted))
    held = held_quantities(session, list(wanted), now)
    missing = []
    holds = []
    for product_id in sorted(wanted):
        product = products.get(product_id)
        if product is None or product.status is not ProductStatus.active:
            missing.append(product.title_es if product else str(product_id))
            continue
        if product.kind is ProductKind.made_to_order:
            continue
        if product.stock_on_hand - held.get(product_id, 0) < wanted[product_id]:
            missing.append(product.title_es)
            continue
        holds.append((product_id, wanted[product_id]))
    if missing:
        raise JustSold(missing)
    reservations = [
        StockReservation(
            product_id=pid,
            order_id=order_id,
            order_number=order_number,
            buyer=buyer,
            quantity=qty,
            expires_at=expires_at,
            created_at=now,
        )
        for pid, qty in holds
    ]
    session.add_all(reservations)
    session.flush()
    return reservations


def extend_reservations(
    session: Session, order_id: int, until: datetime, *, unexpired_at: datetime | None = None
) -> int:
    """Keep an order's holds until ``until`` (an OXXO voucher's expiry, say).

    With ``unexpired_at``, only the holds still running at that moment: a hold that ran out may have let its
    units go to someone else, so it is never brought back here.
    """
    statement = sa.update(StockReservation).where(
        StockReservation.order_id == order_id, StockReservation.status == ReservationStatus.active
    )
    if unexpired_at is not None:
        statement = statement.where(StockReservation.expires_at > unexpired_at)
    result = session.execute(statement.values(expires_at=until))
    mark_changed(session)
    return result.rowcount


def release_reservations(session: Session, order_id: int, now: datetime) -> int:
    result = session.execute(
        sa.update(StockReservation)
        .where(StockReservation.order_id == order_id, StockReservation.status == ReservationStatus.active)
        .values(status=ReservationStatus.released, released_at=now)
    )
    if result.rowcount:
        mark_changed(session)
    return result.rowcount


def release_expired(session: Session, now: datetime) -> int:
    """Free every hold past its expiry. One statement, so several workers may run it at once."""
    result = session.execute(
        sa.update(StockReservation)
        .where(StockReservation.status == ReservationStatus.active, StockReservation.expires_at <= now)
        .values(status=ReservationStatus.released, released_at=now)
    )
    if result.rowcount:
        mark_changed(session)
    return result.rowcount


def coverage(session: Session, order_id: int, items: list[tuple[int, int]], now: datetime, *, lock: bool = True):
    """Lock the products (unless only looking), then say for each item whether the units are there for the order."""
    ids = sorted({pid for pid, _ in items})
    if lock:
        products = lock_products(session, ids)
    else:
        products = {p.id: p for p in session.scalars(sa.select(Product).where(Product.id.in_(ids))).all()}
    holds = {
        r.product_id: r
        for r in session.scalars(
            sa.select(StockReservation).where(
                StockReservation.order_id == order_id, StockReservation.status == ReservationStatus.active
            )
        ).all()
    }
    others = held_quantities(session, [pid for pid, _ in items], now, except_order=order_id)
    covered = []
    for product_id, quantity in items:
        product = products.get(product_id)
        if product is None or product.kind is ProductKind.made_to_order:
            covered.append((product_id, quantity, product, holds.get(product_id), product is not None))
            continue
        # The order's own unexpired hold is part of the stock that other holds leave; an expired one is not
        # counted by anyone, so either way the units are the order's if what others hold leaves enough.
        free = product.stock_on_hand - others.get(product_id, 0) >= quantity
        covered.append((product_id, quantity, product, holds.get(product_id), free))
    return covered


def unavailable(
    session: Session, *, order_id: int, items: list[tuple[int, int]], now: datetime, lock: bool = True
) -> list[int]:
    """The products of ``items`` that the order could not take now (its hold expired and the units went).

    Locks the products' rows, so the answer holds until the caller's transaction ends; ``lock=False`` only
    looks (for a page that warns before anyone acts).
    """
    return [product_id for product_id, _, _, _, ok in coverage(session, order_id, items, now, lock=lock) if not ok]


def free_pieces(
    session: Session, *, now: datetime, category_id: int | None = None, query: str = "", limit: int = 12
) -> list[tuple[Product, int]]:
    """Pieces for sale with units free now (made to order left out), with how many: a query's best matches, or
    the newest of a category. For offering a buyer another piece in place of one that is gone."""
    statement = sellable(sa.select(Product)).where(Product.stock_on_hand > 0)
    scores = search_scores(session, query) if query.strip() else None
    if scores is not None:
        statement = statement.join(scores, scores.c.product_id == Product.id).order_by(scores.c.score.desc())
    elif category_id is not None:
        statement = statement.where(Product.category_id == category_id)
    products = session.scalars(statement.order_by(Product.created_at.desc(), Product.id.desc()).limit(limit * 2)).all()
    held = held_quantities(session, [p.id for p in products], now)
    free = [(p, p.stock_on_hand - held.get(p.id, 0)) for p in products]
    return [(p, units) for p, units in free if units > 0][:limit]
