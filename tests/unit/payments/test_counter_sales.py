"""Reading counter sales: the latest ones, and the same sale clicked twice."""

from datetime import timedelta

import pytest
from factories import make_product, make_weaver, place

from shop.clock import utcnow
from shop.orders.schemas import OrderItem
from shop.payments.counter_sales import DOUBLE_CLICK, recent_counter_sales, same_sale_just_now
from shop.payments.offline import sell_in_person


@pytest.fixture
def stock(session):
    weaver = make_weaver(session)
    return [make_product(session, weavers=[(weaver, 10_000)], stock_on_hand=5, kind="series") for _ in range(3)]


def sell(session, products, *, actor="Rosa", now=None):
    items = [OrderItem(product_id=p.id, quantity=1) for p in products]
    return sell_in_person(session, items=items, actor=actor, now=now or utcnow())


def test_the_latest_counter_sales_newest_first_and_never_online_orders(session, stock):
    now = utcnow()
    sales = [sell(session, [p], now=now - timedelta(minutes=10 - i)) for i, p in enumerate(stock)]
    place(session, [(stock[0], 1)])  # an online order is not a counter sale
    assert [o.id for o in recent_counter_sales(session)] == [o.id for o in reversed(sales)]
    assert [o.id for o in recent_counter_sales(session, limit=2)] == [sales[2].id, sales[1].id]


def test_the_same_sale_just_now_is_found_once_and_only_for_the_same_seller_and_pieces(session, stock):
    now = utcnow()
    sale = sell(session, stock[:2], now=now)
    wanted = {stock[0].id: 1, stock[1].id: 1}
    assert same_sale_just_now(session, "Rosa", wanted, now + timedelta(seconds=5)).id == sale.id
    assert same_sale_just_now(session, "Lucía", wanted, now) is None
    assert same_sale_just_now(session, "Rosa", {stock[0].id: 1}, now) is None
    assert same_sale_just_now(session, "Rosa", {stock[0].id: 2, stock[1].id: 1}, now) is None
    assert same_sale_just_now(session, "Rosa", wanted, now + DOUBLE_CLICK + timedelta(seconds=1)) is None
