"""Checkout and order status as JSON, for other front ends; same rules and flow as the store's pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shop.api.contract import BODY, errors
from shop.api.http.client import client_address
from shop.api.http.deps import SessionDep
from shop.catalogue.models import Product
from shop.catalogue.schemas import SLUG_PATTERN, Localized
from shop.db import session_scope
from shop.errors import N_, NotFound
from shop.i18n import translator
from shop.orders.models import Order, PaymentMethod
from shop.orders.schemas import BuyerDetails, OrderItem
from shop.orders.service import order_by_token
from shop.payments import checkout as checkout_flow
from shop.payments.methods import HOME, transfer_details_for
from shop.payments.models import Payment
from shop.payments.service import payment_of
from shop.validation import filled, plain

router = APIRouter(tags=["orders"])


# A product's address as the catalogue makes it; anything else cannot name a piece.
ProductSlug = Annotated[str, StringConstraints(max_length=120, pattern=SLUG_PATTERN)]


class CheckoutLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: ProductSlug
    quantity: Annotated[int, Field(ge=1, le=50)] = 1


class BuyerIn(BuyerDetails):
    """The buyer's details; the schema names what must be filled in.

    What a schema cannot say (an e-mail address that can receive mail, a phone with 7 digits, a region and a
    postal code that fit the country) is checked by the order service, which names each field in a 422.
    """

    email: filled(254)
    name: filled(200)
    phone: filled(40)
    address_line1: filled(200)
    address_line2: plain(200) = ""
    city: filled(120)
    region: plain(120) = ""
    postal_code: plain(20) = ""
    country: plain(2, to_upper=True) = "MX"


class CheckoutIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lines": [{"slug": "huipil-rombos", "quantity": 1}],
                    "buyer": {
                        "name": "Lucía Hernández",
                        "email": "lucia@example.org",
                        "phone": "+1 415 555 0134",
                        "address_line1": "2145 Mission St",
                        "address_line2": "Apt 3",
                        "city": "San Francisco",
                        "region": "CA",
                        "postal_code": "94110",
                        "country": "US",
                    },
                    "language": "es",
                    "payment_method": "offline",
                }
            ]
        },
    )

    lines: Annotated[list[CheckoutLineIn], Field(min_length=1, max_length=50)]
    buyer: BuyerIn
    language: Literal["es", "en"] = "es"
    payment_method: Literal["stripe", "offline"] = "stripe"


class OrderLineRead(BaseModel):
    id: int
    title: Localized
    product_slug: str
    kind: str
    quantity: int
    unit_price: int
    line_total: int
    amount_due_now: int
    lead_time_days: int | None


class PaymentRead(BaseModel):
    kind: str
    status: str
    method_detail: str
    amount: int
    amount_refunded: int
    voucher_url: str | None
    voucher_expires_at: datetime | None


class OrderRead(BaseModel):
    number: str
    status: str
    status_url: str
    currency: str
    lines: list[OrderLineRead]
    subtotal: int
    shipping_amount: int
    total: int
    amount_due_now: int
    amount_paid: int
    amount_refunded: int
    payment_method: str
    payment: PaymentRead | None
    carrier: str
    tracking_number: str
    created_at: datetime
    paid_at: datetime | None


class CheckoutOut(BaseModel):
    order: OrderRead
    payment_url: str | None = Field(description="Stripe's hosted page, when paying by card or OXXO")
    instructions: str | None = Field(description="How to pay by transfer or in person, for offline orders")


def order_read(order: Order, payment: Payment | None, base_url: str) -> OrderRead:
    return OrderRead(
        number=order.number,
        status=order.status.value,
        status_url=f"{base_url}/{order.language}/orders/{order.token}",
        currency=order.currency,
        lines=[
            OrderLineRead(
                id=line.id,
                title=Localized(es=line.title_es, en=line.title_en),
                product_slug=line.product_slug,
                kind=line.kind,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
                amount_due_now=line.amount_due_now,
                lead_time_days=line.lead_time_days,
            )
            for line in order.lines
        ],
        subtotal=order.subtotal,
        shipping_amount=order.shipping_amount,
        total=order.total,
        amount_due_now=order.amount_due_now,
        amount_paid=order.amount_paid,
        amount_refunded=order.amount_refunded,
        payment_method=order.payment_method.value,
        payment=PaymentRead(
            kind=payment.kind.value,
            status=payment.status.value,
            method_detail=payment.method_detail,
            amount=payment.amount,
            amount_refunded=payment.amount_refunded,
            voucher_url=payment.voucher_url or None,
            voucher_expires_at=payment.voucher_expires_at,
        )
        if payment
        else None,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        created_at=order.created_at,
        paid_at=order.paid_at,
    )


@router.post(
    "/checkout",
    response_model=CheckoutOut,
    status_code=201,
    responses=errors(
        *BODY,
        404,
        409,
        429,
        502,
        503,
        _404="A piece named in `lines` is not in the catalogue (or no longer for sale)",
        _409="A piece was just sold (`just_sold`)",
    ),
)
def checkout(request: Request, body: CheckoutIn) -> CheckoutOut:
    """Place an order for the given pieces and start its payment.

    Stock is held 30 minutes for card (until the voucher expires for OXXO); for transfers, 30 minutes until the
    buyer confirms her e-mail address by the link sent to her, then 72 hours. Too many orders from one client
    address or e-mail address get 429 with Retry-After, and nothing is written.
    With Stripe, send the buyer to ``payment_url``; the order becomes paid when Stripe confirms it.
    """
    state = request.app.state
    with session_scope(state.engine, writes=False) as session:
        slugs = [line.slug for line in body.lines]
        ids = dict(session.execute(sa.select(Product.slug, Product.id).where(Product.slug.in_(slugs))).all())
        missing = [slug for slug in slugs if slug not in ids]
        if missing:
            raise NotFound(N_("There is no product at “%(slug)s”."), field="lines", slug=missing[0])
    items = [OrderItem(product_id=ids[line.slug], quantity=line.quantity) for line in body.lines]
    result = checkout_flow.place(
        state.engine,
        state.settings,
        state.gateway,
        items=items,
        buyer=body.buyer,
        language=body.language,
        method=PaymentMethod(body.payment_method),
        throttle=state.throttle,
        client=client_address(request),
    )
    with session_scope(state.engine, writes=False) as session:
        order = order_by_token(session, result.token)
        payment = payment_of(session, order)
        read = order_read(order, payment, state.settings.base_url)
        details = transfer_details_for(
            session, order.country, national=state.settings.bank_transfer_details, gettext=translator("en").gettext
        )
        how = "by bank transfer or in person" if order.country == HOME else "by international bank transfer"
    instructions = None
    if result.method is PaymentMethod.offline:
        instructions = details or f"Pay {how} with the reference {result.number}."
        instructions += (
            f"\nThe buyer must open the link e-mailed to her within {state.settings.reservation_minutes} minutes"
            f" to keep the pieces for {state.settings.offline_hold_hours} hours."
        )
    return CheckoutOut(order=read, payment_url=result.payment_url, instructions=instructions)


@router.get("/orders/{token}", response_model=OrderRead, responses=errors(404))
def get_order(request: Request, token: str, session: SessionDep) -> OrderRead:
    """An order by its secret token (the one in the buyer's email link)."""
    order = order_by_token(session, token)
    return order_read(order, payment_of(session, order), request.app.state.settings.base_url)
