"""The buyer's cart: kept in the database, found by the random token in her signed cookie."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from shop.catalogue.availability import Availability, AvailabilityInfo, availability_of, deposit_amount
from shop.catalogue.browse import card_options
from shop.catalogue.models import PUBLIC_STATUSES, Product, ProductKind
from shop.catalogue.stock import available_quantities
from shop.clock import utcnow
from shop.errors import N_, Conflict, NotFound, ValidationFailed
from shop.orders.models import Cart, CartLine

MAX_SERIES = 20
MAX_MADE_TO_ORDER = 5


@dataclass
class CartItem:
    product: Product
    quantity: int
    availability: AvailabilityInfo
    unit_price: int
    line_total: int
    due_now: int
    weight_g: int
    problem: str | None = None  # a message id, set when the line can no longer be bought as it is


@dataclass
class CartView:
    items: list[CartItem]
    subtotal: int
    due_now: int
    weight_g: int
    currency: str = "MXN"

    @property
    def count(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def has_problems(self) -> bool:
        return any(item.problem for item in self.items)

    @property
    def has_made_to_order(self) -> bool:
        return any(item.product.kind is ProductKind.made_to_order for item in self.items)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def find_cart(session: Session, token: str | None) -> Cart | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(sa.select(Cart).where(Cart.token == token).options(selectinload(Cart.lines)))


def open_cart(session: Session, token: str | None) -> Cart:
    cart = find_cart(session, token)
    if cart is None:
        cart = Cart(token=new_token())
        cart.lines = []
        session.add(cart)
        session.flush()
    return cart


def _product(session: Session, product_id: int) -> Product:
    product = session.scalar(sa.select(Product).where(Product.id == product_id, Product.status.in_(PUBLIC_STATUSES)))
    if product is None:
        raise NotFound(N_("We could not find that piece. It may have been removed."))
    return product


def _limit(product: Product, available: int) -> int:
    if product.kind is ProductKind.made_to_order:
        return MAX_MADE_TO_ORDER
    if product.kind is ProductKind.unique:
        return min(1, available)
    return min(MAX_SERIES, available)


def _check_quantity(session: Session, product: Product, quantity: int) -> None:
    info = availability_of(product, available_quantities(session, [product], utcnow())[product.id])
    if not info.buyable:
        if info.state is Availability.on_hold:
            raise Conflict(N_("Someone is paying for this piece right now. Try again in half an hour."))
        raise Conflict(N_("Sorry, this piece is sold out."))
    if quantity < 1:
        raise ValidationFailed(N_("Choose at least one."), field="quantity")
    limit = _limit(product, info.quantity)
    if quantity > limit:
        if product.kind is ProductKind.unique:
            raise Conflict(N_("This piece is one of a kind: it is already in your cart."), field="quantity")
        raise ValidationFailed(N_("You can take at most %(limit)d of this piece."), field="quantity", limit=limit)


def add(session: Session, cart: Cart, product_id: int, quantity: int = 1) -> CartLine:
    product = _product(session, product_id)
    line = next((line for line in cart.lines if line.product_id == product_id), None)
    if line is not None and product.kind is ProductKind.unique:
        raise Conflict(N_("This piece is one of a kind: it is already in your cart."), field="quantity")
    total = (line.quantity if line else 0) + quantity
    _check_quantity(session, product, total)
    if line is None:
        line = CartLine(cart_id=cart.id, product_id=product_id, quantity=total)
        cart.lines.append(line)
    else:
        line.quantity = total
    cart.updated_at = utcnow()
    session.flush()
    return line


def set_quantity(session: Session, cart: Cart, product_id: int, quantity: int) -> None:
    line = next((line for line in cart.lines if line.product_id == product_id), None)
    if line is None:
        raise NotFound(N_("That piece is no longer in your cart."))
    if quantity <= 0:
        remove(session, cart, product_id)
        return
    _check_quantity(session, _product(session, product_id), quantity)
    line.quantity = quantity
    cart.updated_at = utcnow()
    session.flush()


def remove(session: Session, cart: Cart, product_id: int) -> None:
    for line in list(cart.lines):
        if line.product_id == product_id:
            cart.lines.remove(line)
            session.delete(line)
    cart.updated_at = utcnow()
    session.flush()


def clear(session: Session, cart: Cart) -> None:
    for line in list(cart.lines):
        session.delete(line)
    cart.lines.clear()
    session.flush()


def view(session: Session, cart: Cart | None, now: datetime | None = None, *, default_weight_g: int = 500) -> CartView:
    """The cart as the buyer sees it, with every line checked against what can be sold right now."""
    lines = list(cart.lines) if cart is not None else []
    if not lines:
        return CartView([], 0, 0, 0)
    products = {
        p.id: p
        for p in session.scalars(
            sa.select(Product).where(Product.id.in_([line.product_id for line in lines])).options(*card_options())
        ).unique()
    }
    available = available_quantities(session, list(products.values()), now or utcnow())
    items = []
    for line in lines:
        product = products.get(line.product_id)
        if product is None:
            continue
        info = availability_of(product, available[product.id])
        problem = None
        if info.state is Availability.on_hold:
            problem = N_("Someone else is paying for this piece right now. It may be back within the hour.")
        elif product.status not in PUBLIC_STATUSES or not info.buyable:
            problem = N_("Sold out: remove it to continue.")
        elif line.quantity > _limit(product, info.quantity):
            problem = N_("Only %(num)d left: lower the quantity to continue.")
        deposit = deposit_amount(product)
        line_total = product.price_amount * line.quantity
        items.append(
            CartItem(
                product=product,
                quantity=line.quantity,
                availability=info,
                unit_price=product.price_amount,
                line_total=line_total,
                due_now=deposit * line.quantity if deposit is not None else line_total,
                weight_g=(product.weight_g or default_weight_g) * line.quantity,
                problem=problem,
            )
        )
    return CartView(
        items=items,
        subtotal=sum(i.line_total for i in items),
        due_now=sum(i.due_now for i in items),
        weight_g=sum(i.weight_g for i in items),
    )
