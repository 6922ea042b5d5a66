"""Staff actions on orders: confirm offline payments, refund, pack and ship, sell in person.

Until people have accounts and roles, these need the staff token (``SHOP_STAFF_API_TOKEN``) as a bearer
token; without it configured they are closed. The workspace screens will call the same services.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from shop.api.v1.orders import OrderRead, order_read
from shop.catalogue.models import Product
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, Forbidden, NotFound
from shop.orders import service as orders
from shop.orders.schemas import OrderItem
from shop.payments.service import confirm_offline_payment, payment_of, sell_in_person
from shop.web import refund_flow
from shop.web.deps import SessionDep


class Unauthorized(Forbidden):
    status_code = 401
    code = "unauthorized"


def staff(request: Request) -> str:
    configured = request.app.state.settings.staff_api_token
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise Unauthorized(N_("Sign in first: this needs the staff token."))
    given = header[7:].strip()
    if configured is None or not hmac.compare_digest(given.encode(), configured.get_secret_value().encode()):
        raise Forbidden(N_("This token may not do that."))
    return "staff"


Staff = Annotated[str, Depends(staff)]
router = APIRouter(prefix="/staff", tags=["staff"], dependencies=[Depends(staff)])


class Actor(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Annotated[str, Field(min_length=1, max_length=120, description="Who is doing this, for the record")]


class ConfirmIn(Actor):
    reference: Annotated[str, Field(max_length=200)] = ""


class RestockIn(BaseModel):
    line_id: int
    quantity: Annotated[int, Field(ge=1, le=50)]


class RefundIn(Actor):
    amount: Annotated[int, Field(gt=0, description="Centavos")]
    via: Literal["stripe", "cash"]
    reason: Annotated[str, Field(max_length=500)] = ""
    lines: dict[int, Annotated[int, Field(gt=0)]] | None = Field(
        default=None, description="Refund exactly these lines: {order_line_id: centavos}; else spread over the order"
    )
    restock: list[RestockIn] = Field(default_factory=list, description="Pieces the buyer sent back")


class ShipIn(Actor):
    carrier: Annotated[str, Field(max_length=80)]
    tracking_number: Annotated[str, Field(max_length=80)]


class CancelIn(Actor):
    note: Annotated[str, Field(max_length=500)] = ""


class SaleLineIn(BaseModel):
    slug: Annotated[str, Field(max_length=120)]
    quantity: Annotated[int, Field(ge=1, le=50)] = 1


class SaleIn(Actor):
    lines: Annotated[list[SaleLineIn], Field(min_length=1, max_length=50)]
    name: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=254)] = ""


def _read(request: Request, number: str) -> OrderRead:
    with session_scope(request.app.state.engine, writes=False) as session:
        order = orders.order_by_number(session, number)
        return order_read(order, payment_of(session, order), request.app.state.settings.base_url)


@router.post("/orders/{number}/confirm-payment", response_model=OrderRead)
def confirm_payment(request: Request, number: str, body: ConfirmIn, session: SessionDep) -> OrderRead:
    """The transfer arrived (or the buyer paid at the cooperative): the order becomes paid."""
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    confirm_offline_payment(
        session,
        order,
        actor=body.actor,
        reference=body.reference,
        now=utcnow(),
        base_url=request.app.state.settings.base_url,
    )
    return order_read(order, payment_of(session, order), request.app.state.settings.base_url)


@router.post("/orders/{number}/refunds", response_model=OrderRead, status_code=201)
def refund(request: Request, number: str, body: RefundIn) -> OrderRead:
    """Give money back, in full or in part, through Stripe or in cash; optionally put pieces back in stock."""
    refund_flow.refund(
        request.app.state.engine,
        request.app.state.gateway,
        number=number,
        amount=body.amount,
        via=body.via,
        actor=body.actor,
        reason=body.reason,
        lines=body.lines,
        restock={item.line_id: item.quantity for item in body.restock},
    )
    return _read(request, number)


def _step(session, number: str, action) -> None:
    order = orders.lock_order(session, orders.order_by_number(session, number).id)
    action(order)


@router.post("/orders/{number}/packed", response_model=OrderRead)
def packed(request: Request, number: str, body: Actor, session: SessionDep) -> OrderRead:
    _step(session, number, lambda o: orders.mark_packed(session, o, actor=body.actor, now=utcnow()))
    return order_read(orders.order_by_number(session, number), None, request.app.state.settings.base_url)


@router.post("/orders/{number}/shipped", response_model=OrderRead)
def shipped(request: Request, number: str, body: ShipIn, session: SessionDep) -> OrderRead:
    base_url = request.app.state.settings.base_url
    _step(
        session,
        number,
        lambda o: orders.mark_shipped(
            session,
            o,
            carrier=body.carrier,
            tracking_number=body.tracking_number,
            actor=body.actor,
            now=utcnow(),
            base_url=base_url,
        ),
    )
    return order_read(orders.order_by_number(session, number), None, base_url)


@router.post("/orders/{number}/delivered", response_model=OrderRead)
def delivered(request: Request, number: str, body: Actor, session: SessionDep) -> OrderRead:
    _step(session, number, lambda o: orders.mark_delivered(session, o, actor=body.actor, now=utcnow()))
    return order_read(orders.order_by_number(session, number), None, request.app.state.settings.base_url)


@router.post("/orders/{number}/cancel", response_model=OrderRead)
def cancel(request: Request, number: str, body: CancelIn, session: SessionDep) -> OrderRead:
    _step(session, number, lambda o: orders.cancel(session, o, actor=body.actor, note=body.note, now=utcnow()))
    return order_read(orders.order_by_number(session, number), None, request.app.state.settings.base_url)


@router.post("/sales", response_model=OrderRead, status_code=201)
def in_person_sale(request: Request, body: SaleIn, session: SessionDep) -> OrderRead:
    """A sale at the cooperative's shop, paid in cash: same order, stock and ledger path as online."""
    slugs = [line.slug for line in body.lines]
    ids = dict(session.execute(sa.select(Product.slug, Product.id).where(Product.slug.in_(slugs))).all())
    missing = [slug for slug in slugs if slug not in ids]
    if missing:
        raise NotFound(N_("There is no product at “%(slug)s”."), field="lines", slug=missing[0])
    order = sell_in_person(
        session,
        items=[OrderItem(product_id=ids[line.slug], quantity=line.quantity) for line in body.lines],
        actor=body.actor,
        now=utcnow(),
        name=body.name,
        email=body.email,
    )
    return order_read(order, payment_of(session, order), request.app.state.settings.base_url)
