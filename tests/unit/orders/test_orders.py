from datetime import timedelta

import pytest
from factories import make_category, make_product, make_weaver, place
from sqlalchemy import func, select

from shop.catalogue import stock
from shop.catalogue.models import ProductStatus, ReservationStatus, StockReservation
from shop.catalogue.schemas import ProductUpdate
from shop.catalogue.service import update_product
from shop.clock import utcnow
from shop.errors import InvalidState, ValidationFailed
from shop.orders import service as orders
from shop.orders.models import OrderEvent, OrderStatus
from shop.split_rules.service import set_split_rule


@pytest.fixture
def piece(session):
    maria, petrona = make_weaver(session, name="María"), make_weaver(session, name="Petrona")
    product = make_product(
        session,
        weavers=[(maria, 6000), (petrona, 4000)],
        title_es="Huipil de rombos",
        title_en="Diamond huipil",
        price_amount=185_000,
        weight_g=600,
    )
    session.commit()
    return product


def test_an_order_freezes_what_was_sold(session, piece):
    order = place(session, [(piece, 1)])
    session.commit()
    line = order.lines[0]
    assert (order.status, order.number) == (OrderStatus.pending_payment, f"JJ-{order.id:06d}")
    assert (line.title_es, line.title_en, line.unit_price, line.quantity) == (
        "Huipil de rombos",
        "Diamond huipil",
        185_000,
        1,
    )
    assert sorted((w.weaver_name, w.share_bp) for w in line.weavers) == [("María", 6000), ("Petrona", 4000)]
    assert (line.weavers_bp, line.split_rule) == (8000, "default")
    assert order.shipping_amount == 19_000  # 600 g to Mexico: the 1 kg band
    assert order.total == order.amount_due_now == 185_000 + 19_000
    assert len(order.token) >= 40

    # Editing the product afterwards changes nothing on the order.
    data = {k: v for k, v in piece.model_dump().items() if k in ProductUpdate.model_fields}
    data.update(
        title_es="Otro título",
        price_amount=999_900,
        weavers=[{"weaver_id": line.weavers[0].weaver_id, "share_bp": 10_000}],
    )
    update_product(session, piece, ProductUpdate(**data))
    set_split_rule(session, product_id=piece.id, weavers_bp=9000)
    session.commit()
    again = orders.order_by_token(session, order.token)
    assert (again.lines[0].title_es, again.lines[0].unit_price, again.lines[0].weavers_bp) == (
        "Huipil de rombos",
        185_000,
        8000,
    )
    assert len(again.lines[0].weavers) == 2


def test_made_to_order_lines_take_a_deposit_now(session):
    product = make_product(
        session, kind="made_to_order", stock_on_hand=0, lead_time_days=45, deposit_bp=3000, price_amount=450_000
    )
    order = place(session, [(product, 1)])
    line = order.lines[0]
    assert (line.amount_due_now, line.lead_time_days) == (135_000, 45)
    assert order.amount_due_now == 135_000 + order.shipping_amount
    assert order.total == 450_000 + order.shipping_amount
    assert session.scalar(select(func.count()).select_from(StockReservation)) == 0  # nothing on the shelf to hold


def test_shipping_follows_the_destination(session, piece):
    assert place(session, [(piece, 1)], country="US", region="CA", postal_code="94103").shipping_amount == 65_000
    other = make_product(session, price_amount=50_000, weight_g=300)
    assert place(session, [(other, 1)], country="JP", region="", postal_code="100-0001").shipping_amount == 65_000


def test_stock_is_held_and_a_second_buyer_is_told_it_just_sold(session, piece):
    place(session, [(piece, 1)])
    session.commit()
    with pytest.raises(stock.JustSold) as caught:
        place(session, [(piece, 1)])
    assert caught.value.code == "just_sold"
    assert "Huipil de rombos" in caught.value.params["titles"]
    session.rollback()


def test_an_expired_hold_stops_counting_at_once(session, piece):
    old = place(session, [(piece, 1)], minutes=30)
    session.commit()
    hold = session.scalar(select(StockReservation).where(StockReservation.order_id == old.id))
    hold.expires_at = utcnow() - timedelta(seconds=1)  # ran out; no job has released it yet
    session.commit()
    assert place(session, [(piece, 1)]).status is OrderStatus.pending_payment


def test_series_hold_only_what_is_free(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    session.commit()
    place(session, [(product, 2)])
    session.commit()
    with pytest.raises(stock.JustSold):
        place(session, [(product, 2)])
    session.rollback()
    place(session, [(product, 1)])


def test_paying_takes_the_stock_and_marks_the_last_unit_sold_out(session, piece):
    order = place(session, [(piece, 1)])
    assert orders.mark_paid(session, order, amount=order.amount_due_now, actor="test", now=utcnow())
    session.commit()
    session.refresh(piece)
    assert (piece.stock_on_hand, piece.status) == (0, ProductStatus.sold_out)
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.converted


def test_money_after_the_hold_was_taken_by_someone_else_is_flagged(session, piece):
    first = place(session, [(piece, 1)])
    session.commit()
    session.execute(
        StockReservation.__table__.update().values(status="released").where(StockReservation.order_id == first.id)
    )
    second = place(session, [(piece, 1)])
    orders.mark_paid(session, second, amount=1, actor="test", now=utcnow())
    session.commit()
    assert not orders.mark_paid(session, first, amount=1, actor="test", now=utcnow())
    assert first.attention == orders.SOLD_MEANWHILE


def test_cancelling_releases_the_hold(session, piece):
    order = place(session, [(piece, 1)])
    orders.cancel(session, order, actor="buyer", note="changed my mind", now=utcnow())
    session.commit()
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.released
    assert place(session, [(piece, 1)]).status is OrderStatus.pending_payment


def test_every_transition_is_recorded_and_illegal_ones_refused(session, piece):
    order = place(session, [(piece, 1)])
    now = utcnow()
    with pytest.raises(InvalidState, match="cannot become"):
        orders.mark_packed(session, order, actor="lucia", now=now)
    orders.mark_paid(session, order, amount=order.amount_due_now, actor="stripe", now=now)
    orders.mark_packed(session, order, actor="lucia", now=now)
    with pytest.raises(ValidationFailed) as caught:
        orders.mark_shipped(session, order, carrier="", tracking_number="", actor="lucia", now=now, base_url="")
    assert {e.field for e in caught.value.errors} == {"carrier", "tracking_number"}
    orders.mark_shipped(session, order, carrier="Estafeta", tracking_number="123", actor="lucia", now=now, base_url="")
    orders.mark_delivered(session, order, actor="lucia", now=now)
    with pytest.raises(InvalidState):
        orders.cancel(session, order, actor="lucia", note="", now=now)
    session.commit()
    events = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id)).all()
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("", "pending_payment", "test"),
        ("pending_payment", "paid", "stripe"),
        ("paid", "packed", "lucia"),
        ("packed", "shipped", "lucia"),
        ("shipped", "delivered", "lucia"),
    ]
    assert (order.carrier, order.tracking_number) == ("Estafeta", "123")


@pytest.mark.parametrize(
    ("start", "allowed"),
    [
        (OrderStatus.pending_payment, {OrderStatus.paid, OrderStatus.cancelled}),
        (OrderStatus.cancelled, {OrderStatus.paid}),  # reinstated with a payment to resolve
        (OrderStatus.refunded, set()),
        (OrderStatus.paid, {OrderStatus.packed, OrderStatus.refunded, OrderStatus.partially_refunded}),
    ],
)
def test_the_state_machine(start, allowed):
    assert orders.ALLOWED[start] == allowed


def test_refund_amounts_move_the_order_to_partly_then_fully_refunded(session, piece):
    order = place(session, [(piece, 1)])
    orders.mark_paid(session, order, amount=order.amount_due_now, actor="stripe", now=utcnow())
    orders.record_refund(session, order, 50_000, actor="tesorera", note="", now=utcnow())
    assert order.status is OrderStatus.partially_refunded
    with pytest.raises(ValidationFailed):
        orders.record_refund(session, order, order.amount_paid, actor="tesorera", note="", now=utcnow())
    orders.record_refund(session, order, order.amount_paid - 50_000, actor="tesorera", note="", now=utcnow())
    assert order.status is OrderStatus.refunded


def test_empty_and_unknown_orders_are_refused(session):
    with pytest.raises(ValidationFailed, match="empty"):
        place(session, [])
    from shop.errors import NotFound

    with pytest.raises(NotFound):
        orders.order_by_token(session, "x" * 43)
    category = make_category(session)
    draft = make_product(session, category=category, status="draft")
    with pytest.raises(NotFound):
        place(session, [(draft, 1)])


def test_bad_buyer_details_are_all_reported(session, piece):
    with pytest.raises(ValidationFailed) as caught:
        place(session, [(piece, 1)], email="nope", postal_code="1")
    assert {e.field for e in caught.value.errors} == {"email", "postal_code"}
