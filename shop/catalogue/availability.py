"""What a buyer can get of a piece, in terms the store turns into plain words."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shop.catalogue.models import Product, ProductKind, ProductStatus


class Availability(StrEnum):
    one_of_a_kind = "one_of_a_kind"
    in_stock = "in_stock"
    made_to_order = "made_to_order"
    on_hold = "on_hold"  # in stock, but every unit is held for a buyer who is paying right now
    sold_out = "sold_out"


# schema.org ItemAvailability for each state, for search engines.
SCHEMA_ORG = {
    Availability.one_of_a_kind: "https://schema.org/InStock",
    Availability.in_stock: "https://schema.org/InStock",
    Availability.made_to_order: "https://schema.org/MadeToOrder",
    Availability.on_hold: "https://schema.org/LimitedAvailability",
    Availability.sold_out: "https://schema.org/SoldOut",
}


@dataclass(frozen=True, slots=True)
class AvailabilityInfo:
    state: Availability
    quantity: int
    lead_time_days: int | None = None
    deposit_bp: int | None = None

    @property
    def buyable(self) -> bool:
        return self.state not in (Availability.sold_out, Availability.on_hold)

    @property
    def schema_org(self) -> str:
        return SCHEMA_ORG[self.state]


def availability_of(product: Product, available: int | None = None) -> AvailabilityInfo:
    """``available`` is stock net of reservations when the caller knows it; stock on hand otherwise."""
    quantity = product.stock_on_hand if available is None else max(0, available)
    if product.status is not ProductStatus.active:
        return AvailabilityInfo(Availability.sold_out, 0)
    if product.kind is ProductKind.made_to_order:
        return AvailabilityInfo(Availability.made_to_order, quantity, product.lead_time_days, product.deposit_bp)
    if quantity <= 0:
        held = available is not None and product.stock_on_hand > 0
        return AvailabilityInfo(Availability.on_hold if held else Availability.sold_out, 0)
    if product.kind is ProductKind.unique:
        return AvailabilityInfo(Availability.one_of_a_kind, 1)
    return AvailabilityInfo(Availability.in_stock, quantity)


def sellable(statement):
    """Narrow a product query to pieces that can be handed over from stock: active, and not made to order (the
    pieces ``availability_of`` neither calls sold out nor made to order, stock aside)."""
    return statement.where(Product.status == ProductStatus.active, Product.kind != ProductKind.made_to_order)


def deposit_amount(product: Product) -> int | None:
    """The deposit due when a made-to-order piece is ordered, rounded down to the centavo."""
    if product.kind is not ProductKind.made_to_order or not product.deposit_bp:
        return None
    return product.price_amount * product.deposit_bp // 10_000
