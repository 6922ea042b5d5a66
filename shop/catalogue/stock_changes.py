"""Stock changed by hand (a count corrected, a piece damaged, returned or newly woven) and by sales in person.

Each change is written down as a StockMovement with its reason, a note and who made it, so the council
can always see why the number on the shelf is what it is. The product's row is locked first (PostgreSQL;
SQLite writers already hold the write lock), so a change never works from a stale count while a checkout
takes stock at the same moment.

Whether a piece shows as sold out follows its stock: the last unit taken marks an active piece sold out,
and a unit put back makes a sold-out piece active again. Made-to-order pieces keep no stock.

A piece sold in person is a sale, not a stock change: it goes through the in-person sale (an order, its cash
and its split in the ledger), which records its movement here with ``record_sale``. No change by hand may
take units that an online order holds.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Product, ProductKind, ProductStatus, StockMovement, StockReason
from shop.catalogue.stock import lock_products, refuse_held
from shop.errors import N_, ValidationFailed

MAX_STOCK = 100_000
NOTE_LENGTH = 300
# Reasons that can only take pieces off the shelf, and those that can only put them back.
TAKES_AWAY = (StockReason.damaged,)
PUTS_BACK = (StockReason.returned, StockReason.new_stock)
# Reasons a person may give by hand; a sale is recorded only by the sale itself.
BY_HAND = (StockReason.count_correction, *TAKES_AWAY, *PUTS_BACK)


def adjust_stock(
    session: Session,
    product: Product,
    *,
    delta: int | None = None,
    new_count: int | None = None,
    reason: StockReason | None,
    note: str = "",
    actor: str,
    now: datetime,
) -> StockMovement:
    """Change ``product``'s stock by ``delta``, or set it to ``new_count``, for ``reason``; record why.

    Exactly one of ``delta`` and ``new_count`` is given. Raises ValidationFailed (fields ``reason``,
    ``quantity`` or ``note``) when the change is not possible; nothing is changed then. Only flushes.
    """
    problems: list[ValidationFailed] = []
    try:
        reason = StockReason(reason) if reason else None
    except ValueError:
        reason = None
    if reason is StockReason.sold_in_person:
        raise ValueError("a sale in person is recorded by shop.payments.offline.sell_in_person, not by hand")
    if reason not in BY_HAND:
        problems.append(ValidationFailed(N_("Choose why the stock changes."), field="reason"))
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        problems.append(ValidationFailed(N_("Use at most %(max_length)s characters."), field="note", max_length=300))
    if (delta is None) == (new_count is None):
        raise ValueError("give exactly one of delta and new_count")
    if problems:
        _raise(problems)

    # Work from the row as it is now, locked until commit, not from what the caller read earlier.
    current = lock_products(session, [product.id]).get(product.id)
    if current is None:
        raise ValidationFailed(N_("This piece no longer exists."), field="quantity")
    product = current
    if product.kind is ProductKind.made_to_order:
        raise ValidationFailed(
            N_("A made-to-order piece is woven when someone orders it, so it has no stock to change."),
            field="quantity",
        )

    before = product.stock_on_hand
    after = new_count if new_count is not None else before + delta
    change = after - before
    if change == 0:
        problems.append(
            ValidationFailed(N_("The stock is already %(count)d. Nothing was changed."), field="quantity", count=before)
        )
    elif reason in TAKES_AWAY and change > 0:
        problems.append(ValidationFailed(N_("A sale or a damaged piece can only take pieces away."), field="reason"))
    elif reason in PUTS_BACK and change < 0:
        problems.append(
            ValidationFailed(N_("A returned or newly woven piece can only add to the stock."), field="reason")
        )
    if after < 0:
        problems.append(
            ValidationFailed(
                N_("There are only %(count)d in stock; the stock cannot go below zero."), field="quantity", count=before
            )
        )
    elif product.kind is ProductKind.unique and after > 1:
        problems.append(
            ValidationFailed(N_("A one-of-a-kind piece can have a stock of 0 or 1."), field="quantity", count=after)
        )
    elif after > MAX_STOCK:
        problems.append(ValidationFailed(N_("Must be at most %(le)s."), field="quantity", le=MAX_STOCK))
    if problems:
        _raise(problems)
    if change < 0:
        refuse_held(session, product, -change, now)

    product.stock_on_hand = after
    if after == 0 and product.status is ProductStatus.active:
        product.status = ProductStatus.sold_out
    elif after > 0 and product.status is ProductStatus.sold_out:
        product.status = ProductStatus.active
    product.updated_at = now
    movement = StockMovement(
        product_id=product.id,
        delta=change,
        stock_after=after,
        reason=reason,
        note=note,
        actor=(actor or "").strip()[:120],
        created_at=now,
    )
    session.add(movement)
    session.flush()
    return movement


def record_sale(
    session: Session, *, product_id: int, quantity: int, order_id: int, note: str, actor: str, now: datetime
) -> StockMovement | None:
    """Write down, in the piece's stock history, units that a sale in person took (None: made to order)."""
    current = session.execute(
        sa.select(Product.kind, Product.stock_on_hand).where(Product.id == product_id)
    ).one_or_none()
    if current is None or current.kind is ProductKind.made_to_order:
        return None
    movement = StockMovement(
        product_id=product_id,
        delta=-quantity,
        stock_after=current.stock_on_hand,
        reason=StockReason.sold_in_person,
        order_id=order_id,
        note=(note or "").strip()[:NOTE_LENGTH],
        actor=(actor or "").strip()[:120],
        created_at=now,
    )
    session.add(movement)
    session.flush()
    return movement


def change_status(session: Session, product: Product, wanted: ProductStatus, *, now: datetime) -> ProductStatus:
    """Publish (active), take down (draft) or put away (archived) a piece; returns the status it got.

    Publishing a piece with nothing in stock (and not made to order) lists it as sold out, because that is
    what it is. Only flushes.
    """
    wanted = ProductStatus(wanted)
    if wanted is ProductStatus.sold_out:
        raise ValidationFailed(N_("A piece is sold out when its stock reaches zero."), field="status")
    current = lock_products(session, [product.id]).get(product.id) or product
    if wanted is ProductStatus.active and current.kind is not ProductKind.made_to_order and current.stock_on_hand == 0:
        wanted = ProductStatus.sold_out
    if current.status is not wanted:
        current.status = wanted
        current.updated_at = now
        session.flush()
    return wanted


def _raise(problems: list[ValidationFailed]) -> None:
    if len(problems) == 1:
        raise problems[0]
    raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
