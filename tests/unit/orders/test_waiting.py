"""Counts of orders waiting for someone at the cooperative."""

from factories import make_product, make_weaver, place

from shop.clock import utcnow
from shop.orders import service as orders
from shop.orders.waiting import offline_payments_to_confirm


def test_offline_orders_still_unpaid_are_counted_and_no_others(session):
    weaver = make_weaver(session)
    pieces = [make_product(session, weavers=[(weaver, 10_000)]) for _ in range(3)]
    assert offline_payments_to_confirm(session) == 0
    first = place(session, [(pieces[0], 1)])
    place(session, [(pieces[1], 1)])
    place(session, [(pieces[2], 1)], method="stripe")
    assert offline_payments_to_confirm(session) == 2
    orders.cancel(session, first, actor="test", note="changed her mind", now=utcnow())
    assert offline_payments_to_confirm(session) == 1
