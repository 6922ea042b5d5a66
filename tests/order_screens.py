"""Orders as the workspace's order screens need them (to pay, paid by transfer), and their people: shared by the
page tests of orders, payments and packing."""

from __future__ import annotations

import pytest
from factories import fresh, make_product, make_weaver, place
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from workspace_helpers import person, signed_in

from shop.accounts.models import Role
from shop.clock import utcnow
from shop.orders.models import Order
from shop.payments.offline import confirm_offline_payment
from shop.payments.service import open_payment


def order_of(session, number: str) -> Order:
    fresh(session)
    return session.scalar(select(Order).where(Order.number == number).options(selectinload(Order.lines)))


def unpaid(session, products) -> Order:
    """An order to pay by transfer, as checkout leaves it: its pieces held and a payment waiting."""
    order = place(session, [(p, 1) for p in products])
    open_payment(session, order, now=utcnow())
    session.commit()
    return order


def paid_offline(session, products) -> Order:
    order = unpaid(session, products)
    confirm_offline_payment(session, order, actor="test", reference="", now=utcnow(), base_url="http://testserver")
    session.commit()
    return order


@pytest.fixture
def weavers(session):
    maria = make_weaver(session, slug="maria-perez", name="María Pérez")
    juana = make_weaver(session, slug="juana-diaz", name="Juana Díaz")
    session.commit()
    return {"maria": maria, "juana": juana}


@pytest.fixture
def pieces(session, weavers):
    huipil = make_product(
        session, slug="huipil", title_es="Huipil de rombos", weavers=[(weavers["maria"], 10_000)], price_amount=185_000
    )
    faja = make_product(
        session,
        slug="faja",
        title_es="Faja roja",
        weavers=[(weavers["juana"], 10_000)],
        price_amount=35_000,
        kind="series",
        stock_on_hand=3,
    )
    session.commit()
    return {"huipil": huipil, "faja": faja}


@pytest.fixture
def treasurer(app, session):
    person(session, "rosa", Role.treasurer, name="Rosa Gómez")
    return signed_in(app, "rosa")
