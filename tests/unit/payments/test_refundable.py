"""What an order can still give back: one rule for the refund form and for ``begin_refund``."""

import pytest
from factories import make_product, make_weaver, place

from shop.clock import utcnow
from shop.errors import ValidationFailed
from shop.orders.schemas import OrderItem
from shop.payments.offline import sell_in_person
from shop.payments.refund_records import begin_refund, complete_refund
from shop.payments.refundable import refundable


@pytest.fixture
def sold(session):
    """A huipil sold in person, paid in cash."""
    huipil = make_product(session, weavers=[(make_weaver(session), 10_000)], price_amount=650_000)
    order = sell_in_person(session, items=[OrderItem(product_id=huipil.id, quantity=1)], actor="Rosa", now=utcnow())
    session.commit()
    return order


def give_back(session, order, amount):
    return begin_refund(
        session, order, amount=amount, via="cash", actor="Rosa", reason="", lines=None, restock={}, now=utcnow()
    )


def test_a_paid_order_can_give_back_all_it_received(session, sold):
    room = refundable(session, sold, stripe=True)
    assert (room.left, room.payment.order_id) == (650_000, sold.id)
    assert room.via_stripe is False  # paid in cash: only cash can give it back, even with Stripe set up


def test_a_refund_being_sent_counts_as_given_back(session, sold):
    pending = give_back(session, sold, 100_000)
    assert refundable(session, sold).left == 550_000
    complete_refund(session, sold, pending, stripe_refund_id=None, now=utcnow())
    assert refundable(session, sold).left == 550_000


def test_begin_refund_refuses_more_than_the_form_offers(session, sold):
    give_back(session, sold, 600_000)
    left = refundable(session, sold).left
    assert left == 50_000
    with pytest.raises(ValidationFailed):
        give_back(session, sold, left + 1)
    give_back(session, sold, left)
    assert refundable(session, sold).left == 0


def test_an_unpaid_order_has_nothing_to_give_back(session):
    scarf = make_product(session, weavers=[(make_weaver(session), 10_000)], price_amount=90_000)
    order = place(session, [(scarf, 1)])
    session.commit()
    room = refundable(session, order, stripe=True)
    assert (room.payment, room.left, room.via_stripe) == (None, 0, False)
