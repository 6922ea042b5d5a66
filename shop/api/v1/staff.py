"""Staff actions on orders: confirm offline payments, refund, pack and ship, sell in person, and resolve
payments an order could not take (record it, put another piece in, reinstate the order, or give it back).

Each route needs a signed-in person with the right role: a personal API key (``shop user api-key``) as a
bearer token, or a workspace session. The workspace screens call the same services.
"""

from __future__ import annotations

from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from shop.accounts.models import Role
from shop.api.contract import BODY, SIGNED_IN, api_key, errors
from shop.api.http.auth import Signed, require
from shop.api.http.deps import SessionDep
from shop.api.v1.orders import OrderRead, ProductSlug, order_read
from shop.catalogue.models import Product
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, NotFound
from shop.orders import service as orders
from shop.orders.schemas import OrderItem
from shop.orders.scope import visible_order
from shop.payments import refunds as refund_flow
from shop.payments.offline import confirm_offline_payment, record_money_to_resolve, sell_in_person
from shop.payments.receiving import reinstate, unallocated_payment
from shop.payments.service import payment_of
from shop.validation import filled, plain

Packers = Annotated[Signed, Depends(require(Role.member, Role.treasurer, Role.council, Role.admin))]
Treasurer = Annotated[Signed, Depends(require(Role.treasurer, Role.admin))]
Sellers = Annotated[Signed, Depends(require(Role.treasurer, Role.council, Role.admin))]
router = APIRouter(
    prefix="/staff", tags=["staff"], dependencies=[Depends(api_key)], responses=errors(*SIGNED_IN, *BODY, 409)
)
# Routes that look an order up by its number.
ORDER = errors(404, _404="There is no such order (a member sees only orders holding a piece she wove)")
# Routes that may ask Stripe to give money back.
STRIPE_REFUND = errors(
    202,
    502,
    _202="Stripe did not answer in time: the refund is recorded as being sent (`refund_being_sent`)",
)


# Row ids and amounts have bounds, so any number the schema allows fits the database's integer columns.
RowId = Annotated[int, Field(ge=1, le=999_999_999)]
Centavos = Annotated[int, Field(gt=0, le=10_000_000_000, description="Centavos")]
# {order_line_id: centavos}: JSON keys are strings, so the ids are digits, checked as the schema says.
LINE_KEY = r"^[1-9][0-9]{0,8}$"
LineAmounts = Annotated[
    dict[Annotated[str, StringConstraints(pattern=LINE_KEY)], Centavos],
    WithJsonSchema(
        {
            "type": "object",
            "propertyNames": {"pattern": LINE_KEY},
            "additionalProperties": {"type": "integer", "exclusiveMinimum": 0, "maximum": 10_000_000_000},
        }
    ),
]


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConfirmIn(Actor):
    reference: plain(200) = ""


class RestockIn(BaseModel):
    line_id: RowId
    quantity: Annotated[int, Field(ge=1, le=50)]


class RefundIn(Actor):
    model_config = ConfigDict(json_schema_extra={"examples": [{"amount": 20_000, "via": "cash", "reason": "Talla"}]})

    amount: Centavos
    via: Literal["stripe", "cash"]
    reason: plain(500) = ""
    lines: LineAmounts | None = Field(
        default=None, description="Refund exactly these lines: {order_line_id: centavos}; else spread over the order"
    )
    restock: list[RestockIn] = Field(default_factory=list, description="Pieces the buyer sent back")


class GiveBackIn(Actor):
    via: Literal["stripe", "cash"]
    reason: plain(500) = ""


class SubstituteIn(Actor):
    line_id: RowId
    slug: Annotated[ProductSlug, Field(description="The piece agreed with the buyer")]


class ShipIn(Actor):
    model_config = ConfigDict(json_schema_extra={"examples": [{"carrier": "Estafeta", "tracking_number": "8055"}]})

    carrier: filled(80)
    tracking_number: filled(80)


class CancelIn(Actor):
    note: plain(500) = ""


class SaleLineIn(BaseModel):
    slug: ProductSlug
    quantity: Annotated[int, Field(ge=1, le=50)] = 1


class SaleIn(Actor):
    model_config = ConfigDict(json_schema_extra={"examples": [{"lines": [{"slug": "morral-lana", "quantity": 1}]}]})

    lines: Annotated[list[SaleLineIn], Field(min_length=1, max_length=50)]
    name: plain(200) = ""
    email: plain(254) = ""


def _read(request: Request, number: str) -> OrderRead:
    with session_scope(request.app.state.engine, writes=False) as session:
        order = orders.order_by_number(session, number)
        return order_read(order, payment_of(session, order), request.app.state.settings.base_url)


@router.post("/orders/{number}/confirm-payment", response_model=OrderRead, responses=ORDER)
def confirm_payment(request: Request, number: str, body: ConfirmIn, session: SessionDep, who: Treasurer) -> OrderRead:
    """The transfer arrived (or the buyer paid at the cooperative): the order becomes paid."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    confirm_offline_payment(
        session,
        order,
        actor=who.user.name,
        reference=body.reference,
        now=utcnow(),
        base_url=request.app.state.settings.base_url,
    )
    return order_read(order, payment_of(session, order), request.app.state.settings.base_url)


@router.post(
    "/orders/{number}/refunds", response_model=OrderRead, status_code=201, responses={**ORDER, **STRIPE_REFUND}
)
def refund(request: Request, number: str, body: RefundIn, who: Treasurer) -> OrderRead:
    """Give money back, in full or in part, through Stripe or in cash; optionally put pieces back in stock."""
    refund_flow.refund(
        request.app.state.engine,
        request.app.state.gateway,
        number=number,
        amount=body.amount,
        via=body.via,
        actor=who.user.name,
        reason=body.reason,
        lines={int(line): amount for line, amount in body.lines.items()} if body.lines is not None else None,
        restock={item.line_id: item.quantity for item in body.restock},
    )
    return _read(request, number)


@router.post("/orders/{number}/money-to-resolve", response_model=OrderRead, responses=ORDER)
def money_to_resolve(request: Request, number: str, body: ConfirmIn, session: SessionDep, who: Treasurer) -> OrderRead:
    """A transfer arrived for an order that cannot take it (cancelled, or a piece gone): book it to resolve."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    payment = record_money_to_resolve(
        session,
        order,
        actor=who.user.name,
        reference=body.reference,
        now=utcnow(),
        base_url=request.app.state.settings.base_url,
    )
    return order_read(order, payment, request.app.state.settings.base_url)


@router.post("/orders/{number}/substitute", response_model=OrderRead, responses=ORDER)
def substitute(request: Request, number: str, body: SubstituteIn, session: SessionDep, who: Treasurer) -> OrderRead:
    """Put another piece, agreed with the buyer, in place of one that is gone (before the order is paid)."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    product_id = session.scalar(sa.select(Product.id).where(Product.slug == body.slug))
    if product_id is None:
        raise NotFound(N_("There is no product at “%(slug)s”."), field="slug", slug=body.slug)
    orders.substitute_line(session, order, body.line_id, product_id, actor=who.user.name, now=utcnow())
    return order_read(
        orders.lock_order(session, order.id), payment_of(session, order), request.app.state.settings.base_url
    )


@router.post("/orders/{number}/reinstate", response_model=OrderRead, responses=ORDER)
def reinstate_order(request: Request, number: str, body: Actor, session: SessionDep, who: Treasurer) -> OrderRead:
    """The order takes its payment to resolve after all: its pieces are free (or substituted)."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    payment = unallocated_payment(session, order, lock=True)
    if payment is None:
        raise NotFound(N_("Order %(number)s has no payment waiting to be resolved."), number=number)
    base_url = request.app.state.settings.base_url
    reinstate(session, order, payment, actor=who.user.name, now=utcnow(), base_url=base_url)
    return order_read(order, payment, base_url)


@router.post(
    "/orders/{number}/give-back", response_model=OrderRead, status_code=201, responses={**ORDER, **STRIPE_REFUND}
)
def give_back(request: Request, number: str, body: GiveBackIn, who: Treasurer) -> OrderRead:
    """Give back in full the payment its order could not take, through Stripe or in cash; booked once."""
    refund_flow.give_back(
        request.app.state.engine,
        request.app.state.gateway,
        number=number,
        via=body.via,
        actor=who.user.name,
        reason=body.reason,
    )
    return _read(request, number)


def _step(session, number: str, who: Signed, action) -> None:
    """Move an order on; a member may only move orders holding a piece she wove (others look unknown to her)."""
    action(orders.lock_order(session, visible_order(session, number, who).id))


@router.post("/orders/{number}/packed", response_model=OrderRead, responses=ORDER)
def packed(request: Request, number: str, body: Actor, session: SessionDep, who: Packers) -> OrderRead:
    _step(session, number, who, lambda o: orders.mark_packed(session, o, actor=who.user.name, now=utcnow()))
    return order_read(orders.order_by_number(session, number), None, request.app.state.settings.base_url)


@router.post("/orders/{number}/shipped", response_model=OrderRead, responses=ORDER)
def shipped(request: Request, number: str, body: ShipIn, session: SessionDep, who: Packers) -> OrderRead:
    base_url = request.app.state.settings.base_url
    _step(
        session,
        number,
        who,
        lambda o: orders.mark_shipped(
            session,
            o,
            carrier=body.carrier,
            tracking_number=body.tracking_number,
            actor=who.user.name,
            now=utcnow(),
            base_url=base_url,
        ),
    )
    return order_read(orders.order_by_number(session, number), None, base_url)


@router.post("/orders/{number}/delivered", response_model=OrderRead, responses=ORDER)
def delivered(request: Request, number: str, body: Actor, session: SessionDep, who: Packers) -> OrderRead:
    _step(session, number, who, lambda o: orders.mark_delivered(session, o, actor=who.user.name, now=utcnow()))
    return order_read(orders.order_by_number(session, number), None, request.app.state.settings.base_url)


@router.post("/orders/{number}/cancel", response_model=OrderRead, responses=ORDER)
def cancel(request: Request, number: str, body: CancelIn, session: SessionDep, who: Treasurer) -> OrderRead:
    _step(session, number, who, lambda o: orders.cancel(session, o, actor=who.user.name, note=body.note, now=utcnow()))
    return order_read(orders.order_by_number(session, number), None, request.app.state.settings.base_url)


@router.post(
    "/sales",
    response_model=OrderRead,
    status_code=201,
    responses=errors(404, _404="A piece named in `lines` is not in the catalogue"),
)
def in_person_sale(request: Request, body: SaleIn, session: SessionDep, who: Sellers) -> OrderRead:
    """A sale at the cooperative's shop, paid in cash: same order, stock and ledger path as online."""
    slugs = [line.slug for line in body.lines]
    ids = dict(session.execute(sa.select(Product.slug, Product.id).where(Product.slug.in_(slugs))).all())
    missing = [slug for slug in slugs if slug not in ids]
    if missing:
        raise NotFound(N_("There is no product at “%(slug)s”."), field="lines", slug=missing[0])
    order = sell_in_person(
        session,
        items=[OrderItem(product_id=ids[line.slug], quantity=line.quantity) for line in body.lines],
        actor=who.user.name,
        now=utcnow(),
        name=body.name,
        email=body.email,
    )
    return order_read(order, payment_of(session, order), request.app.state.settings.base_url)
