"""Carts, orders with their snapshotted lines, order events, and shipping rates."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import JSON, Column
from sqlmodel import Field, Relationship, SQLModel

from shop.audit import track
from shop.catalogue.revision import shown_in_store
from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum


class Cart(SQLModel, table=True):
    """A buyer's cart, found by the random token in her signed cookie; no account needed."""

    __tablename__ = "carts"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    lines: list["CartLine"] = Relationship(
        back_populates="cart",
        sa_relationship_kwargs={"lazy": "raise", "cascade": "all, delete-orphan", "order_by": "CartLine.id"},
    )


class CartLine(SQLModel, table=True):
    __tablename__ = "cart_lines"
    __table_args__ = (
        sa.UniqueConstraint("cart_id", "product_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cart_id: int = Field(foreign_key="carts.id", ondelete="CASCADE")
    product_id: int = Field(foreign_key="products.id", ondelete="CASCADE", index=True)
    quantity: int = 1
    added_at: datetime = created_at_field()

    cart: Cart = Relationship(back_populates="lines", sa_relationship_kwargs={"lazy": "raise"})


class ShippingZone(SQLModel, table=True):
    """Mexico, United States and Canada, rest of the world; countries map to a zone, others to the default."""

    __tablename__ = "shipping_zones"
    __table_args__ = (sa.CheckConstraint("min_days > 0 AND max_days >= min_days", name="delivery_days"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name_es: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    # ISO 3166 alpha-2 codes, comma separated; empty for the zone that takes every other country.
    countries: str = Field(default="", max_length=400)
    position: int = 0
    # Business days from dispatch to the buyer's door, as the carrier promises them.
    min_days: int = Field(default=3, sa_column_kwargs={"server_default": "3"})
    max_days: int = Field(default=10, sa_column_kwargs={"server_default": "10"})

    rates: list["ShippingRate"] = Relationship(
        back_populates="zone",
        sa_relationship_kwargs={"lazy": "raise", "order_by": "ShippingRate.max_weight_g"},
    )


class ShippingRate(SQLModel, table=True):
    """The price of a parcel up to ``max_weight_g`` grams in a zone."""

    __tablename__ = "shipping_rates"
    __table_args__ = (
        sa.UniqueConstraint("zone_id", "max_weight_g"),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("max_weight_g > 0", name="weight_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    zone_id: int = Field(foreign_key="shipping_zones.id", ondelete="CASCADE")
    max_weight_g: int
    amount: int
    currency: str = Field(default="MXN", max_length=3)

    zone: ShippingZone = Relationship(back_populates="rates", sa_relationship_kwargs={"lazy": "raise"})


class OrderStatus(StrEnum):
    pending_payment = "pending_payment"
    paid = "paid"
    packed = "packed"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    refunded = "refunded"
    partially_refunded = "partially_refunded"


class PaymentMethod(StrEnum):
    stripe = "stripe"  # card or OXXO, chosen on Stripe's page
    offline = "offline"  # bank transfer or paying in person, confirmed by the treasurer
    cash = "cash"  # sold in person at the cooperative's shop


class Channel(StrEnum):
    online = "online"  # the store
    in_person = "in_person"  # at the cooperative's shop or a market
    wholesale = "wholesale"  # to a shop or reseller, sold at the counter
    marketplace = "marketplace"  # made on eBay or Etsy, imported from their order export


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        sa.CheckConstraint("subtotal >= 0 AND shipping_amount >= 0 AND total >= 0", name="amounts_not_negative"),
        sa.CheckConstraint("amount_due_now <= total", name="due_now_within_total"),
        sa.CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount_paid", name="refunds_within_paid"),
        sa.Index("ix_orders_status_created_at", "status", "created_at"),
        # A marketplace's order is imported once, whatever the file it comes in.
        sa.UniqueConstraint("marketplace", "external_ref", name="uq_orders_marketplace_external_ref"),
        sa.CheckConstraint("marketplace IN ('ebay', 'etsy')", name="marketplace_known"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Unguessable: the buyer's only key to her order's page.
    token: str = Field(max_length=64, unique=True)
    number: str = Field(max_length=20, unique=True)
    status: OrderStatus = Field(
        default=OrderStatus.pending_payment, sa_type=str_enum(OrderStatus, "order_status"), nullable=False
    )
    channel: Channel = Field(default=Channel.online, sa_type=str_enum(Channel, "order_channel"), nullable=False)
    marketplace: str | None = Field(default=None, max_length=20)  # "ebay", "etsy": where a marketplace sale was made
    external_ref: str | None = Field(default=None, max_length=60)  # the marketplace's order number
    payment_method: PaymentMethod = Field(sa_type=str_enum(PaymentMethod, "payment_method"), nullable=False)
    language: str = Field(default="es", max_length=5)
    currency: str = Field(default="MXN", max_length=3)

    email: str = Field(default="", max_length=254)
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    address_line1: str = Field(default="", max_length=200)
    address_line2: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=120)
    region: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=20)
    country: str = Field(default="MX", max_length=2)
    shipping_zone: str = Field(default="", max_length=20)

    subtotal: int = 0
    shipping_amount: int = 0
    # The full price of everything ordered, made-to-order balances included.
    total: int = 0
    # What is charged at checkout: shipping plus full prices, or deposits for made-to-order pieces.
    amount_due_now: int = 0
    amount_paid: int = 0
    amount_refunded: int = 0

    carrier: str = Field(default="", max_length=80)
    tracking_number: str = Field(default="", max_length=80)
    # Set when something needs a person, e.g. money arrived for a piece that was sold meanwhile.
    attention: str = Field(default="", max_length=300)

    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()
    reserved_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # An offline order's buyer confirmed her e-mail address by its link, or the cooperative confirmed the
    # order: only then are its pieces held for the full offline time (see shop.payments.offline_holds).
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    lines: list["OrderLine"] = Relationship(
        back_populates="order", sa_relationship_kwargs={"lazy": "raise", "order_by": "OrderLine.id"}
    )
    events: list["OrderEvent"] = Relationship(
        back_populates="order", sa_relationship_kwargs={"lazy": "raise", "order_by": "OrderEvent.id"}
    )


class OrderLine(SQLModel, table=True):
    """What was bought, frozen at the moment of ordering: later edits to the product change nothing here."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("weavers_bp >= 0 AND weavers_bp <= 10000", name="split_range"),
        sa.CheckConstraint("amount_due_now <= line_total", name="due_now_within_total"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", index=True)
    product_id: int | None = Field(default=None, foreign_key="products.id", ondelete="SET NULL", index=True)
    product_slug: str = Field(max_length=120)
    title_es: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    unit_price: int
    quantity: int
    line_total: int
    # For made-to-order pieces: the deposit charged now, and the lead time promised.
    deposit_bp: int | None = None
    lead_time_days: int | None = None
    # For made-to-order pieces: what the buyer wrote at checkout (size, colours) for the weaver.
    notes: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})
    amount_due_now: int
    weight_g: int = 0
    # The split rule in force when ordered: the weavers' part in basis points; the fund takes the rest.
    weavers_bp: int
    split_rule: str = Field(max_length=80)
    # The fair-trade claims the piece carried when ordered (scheme, certificate, wording): what the buyer paid for.
    fair_trade: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    order: Order = Relationship(back_populates="lines", sa_relationship_kwargs={"lazy": "raise"})
    weavers: list["OrderLineWeaver"] = Relationship(
        back_populates="line", sa_relationship_kwargs={"lazy": "raise", "order_by": "OrderLineWeaver.weaver_id"}
    )


class OrderLineWeaver(SQLModel, table=True):
    """Who wove the piece and her share, as they were when it was ordered."""

    __tablename__ = "order_line_weavers"
    __table_args__ = (sa.CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_range"),)

    order_line_id: int = Field(foreign_key="order_lines.id", ondelete="CASCADE", primary_key=True)
    weaver_id: int = Field(foreign_key="weavers.id", ondelete="RESTRICT", primary_key=True, index=True)
    weaver_name: str = Field(max_length=120)
    share_bp: int

    line: OrderLine = Relationship(back_populates="weavers", sa_relationship_kwargs={"lazy": "raise"})


class OrderEvent(SQLModel, table=True):
    """Every change of an order's state, with who did it, when, and why."""

    __tablename__ = "order_events"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", index=True)
    from_status: str = Field(default="", max_length=30)
    to_status: str = Field(max_length=30)
    actor: str = Field(max_length=120)
    note: str = Field(default="", max_length=1000)
    created_at: datetime = created_at_field()

    order: Order = Relationship(back_populates="events", sa_relationship_kwargs={"lazy": "raise"})


# The audit log keeps every change a person makes to these tables.
track(Order, ShippingZone, ShippingRate)


# The product page shows the shipping cost to her country: a change of rates is a change of the store.
shown_in_store(ShippingZone, ShippingRate)
