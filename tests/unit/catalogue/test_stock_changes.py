"""Stock changed by hand: every change has a reason and a record, the status follows the stock, held units
stay on the shelf, and a sale in person is never a change by hand."""

from datetime import timedelta

import pytest
from factories import make_product, message_of, place
from sqlalchemy import select

from shop.catalogue.models import ProductStatus, StockMovement, StockReason
from shop.catalogue.stock import HeldForOrder
from shop.catalogue.stock_changes import adjust_stock, change_status
from shop.clock import to_local, utcnow
from shop.errors import ValidationFailed


def change(session, product, **kwargs):
    kwargs.setdefault("reason", StockReason.new_stock)
    return adjust_stock(session, product, actor="María Pérez", now=utcnow(), note=kwargs.pop("note", ""), **kwargs)


def problems(caught) -> dict[str, str]:
    exc = caught.value
    return {e.field: message_of(e) for e in (exc.errors or [exc])}


def test_a_change_is_recorded_with_its_reason_note_and_author(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    movement = change(session, product, delta=-1, reason=StockReason.damaged, note="  Se mojó en la lluvia ")
    session.commit()
    assert product.stock_on_hand == 2
    stored = session.scalar(select(StockMovement).where(StockMovement.product_id == product.id))
    assert stored.id == movement.id
    assert (stored.delta, stored.stock_after, stored.reason, stored.note, stored.actor, stored.order_id) == (
        -1,
        2,
        StockReason.damaged,
        "Se mojó en la lluvia",
        "María Pérez",
        None,
    )
    assert stored.created_at.tzinfo is not None


def test_a_count_correction_sets_the_new_count(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    movement = change(session, product, new_count=5, reason=StockReason.count_correction)
    assert (product.stock_on_hand, movement.delta, movement.stock_after) == (5, 2, 5)
    movement = change(session, product, new_count=4, reason="count_correction")
    assert (product.stock_on_hand, movement.delta) == (4, -1)


def test_the_last_unit_marks_the_piece_sold_out_and_a_return_makes_it_active(session):
    product = make_product(session, kind="unique", stock_on_hand=1, status="active")
    change(session, product, delta=-1, reason=StockReason.damaged)
    assert (product.stock_on_hand, product.status) == (0, ProductStatus.sold_out)
    change(session, product, delta=1, reason=StockReason.returned)
    assert (product.stock_on_hand, product.status) == (1, ProductStatus.active)


def test_a_draft_stays_a_draft_whatever_its_stock(session):
    product = make_product(session, kind="series", stock_on_hand=1, status="draft")
    change(session, product, delta=-1, reason=StockReason.damaged)
    assert product.status is ProductStatus.draft
    change(session, product, delta=2)
    assert product.status is ProductStatus.draft


@pytest.mark.parametrize("reason", [None, "", "stolen_by_aliens", "sold_unrecorded"])
def test_a_reason_is_required(session, reason):
    product = make_product(session, kind="series", stock_on_hand=3)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=1, reason=reason)
    assert problems(caught) == {"reason": "Choose why the stock changes."}
    assert product.stock_on_hand == 3
    assert session.scalars(select(StockMovement)).all() == []


def test_stock_never_goes_below_zero(session):
    product = make_product(session, kind="series", stock_on_hand=2)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=-3, reason=StockReason.damaged)
    assert problems(caught) == {"quantity": "There are only 2 in stock; the stock cannot go below zero."}
    with pytest.raises(ValidationFailed):
        change(session, product, new_count=-1, reason=StockReason.count_correction)
    assert product.stock_on_hand == 2


def test_a_unique_piece_never_has_more_than_one(session):
    product = make_product(session, kind="unique", stock_on_hand=1)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=1, reason=StockReason.new_stock)
    assert problems(caught) == {"quantity": "A one-of-a-kind piece can have a stock of 0 or 1."}


def test_made_to_order_pieces_have_no_stock_to_change(session):
    product = make_product(session, kind="made_to_order", stock_on_hand=0, lead_time_days=20, deposit_bp=5000)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=1)
    assert "made-to-order" in problems(caught)["quantity"]


def test_the_reason_must_match_the_direction_and_something_must_change(session):
    product = make_product(session, kind="series", stock_on_hand=2)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=1, reason=StockReason.damaged)
    assert "reason" in problems(caught)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=-1, reason=StockReason.new_stock)
    assert "reason" in problems(caught)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, new_count=2, reason=StockReason.count_correction)
    assert problems(caught) == {"quantity": "The stock is already 2. Nothing was changed."}


def test_a_long_note_is_refused(session):
    product = make_product(session, kind="series", stock_on_hand=2)
    with pytest.raises(ValidationFailed) as caught:
        change(session, product, delta=1, note="x" * 301)
    assert set(problems(caught)) == {"note"}


def test_exactly_one_of_delta_and_new_count(session):
    product = make_product(session, kind="series", stock_on_hand=2)
    with pytest.raises(ValueError, match="exactly one"):
        change(session, product, delta=1, new_count=3)


def test_the_change_works_from_the_current_row_not_a_stale_copy(session, engine):
    from sqlmodel import Session

    product = make_product(session, kind="series", stock_on_hand=3)
    session.commit()
    with Session(engine) as other:  # a checkout sold two meanwhile
        other.get(type(product), product.id).stock_on_hand = 1
        other.commit()
    movement = change(session, product, delta=-1, reason=StockReason.damaged)
    assert (movement.stock_after, product.stock_on_hand) == (0, 0)


def test_publishing_follows_the_stock(session):
    product = make_product(session, kind="series", stock_on_hand=0, status="draft")
    assert change_status(session, product, ProductStatus.active, now=utcnow()) is ProductStatus.sold_out
    assert product.status is ProductStatus.sold_out
    assert change_status(session, product, ProductStatus.draft, now=utcnow()) is ProductStatus.draft
    change(session, product, delta=2)
    assert change_status(session, product, ProductStatus.active, now=utcnow()) is ProductStatus.active
    with pytest.raises(ValidationFailed):
        change_status(session, product, ProductStatus.sold_out, now=utcnow())


def test_a_sale_in_person_is_never_a_change_by_hand(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    with pytest.raises(ValueError, match="sell_in_person"):
        change(session, product, delta=-1, reason=StockReason.sold_in_person)
    with pytest.raises(ValueError, match="sell_in_person"):
        change(session, product, delta=-1, reason="sold_in_person")
    assert product.stock_on_hand == 3


def test_a_sold_in_person_movement_cannot_be_written_without_its_sale(session):
    from sqlalchemy.exc import IntegrityError

    product = make_product(session, kind="series", stock_on_hand=3)
    session.commit()
    session.add(
        StockMovement(product_id=product.id, delta=-1, stock_after=2, reason=StockReason.sold_in_person, actor="x")
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


@pytest.mark.parametrize(
    ("reason", "change_by"),
    [(StockReason.damaged, {"delta": -1}), (StockReason.count_correction, {"new_count": 0})],
)
def test_held_units_are_never_taken_off_the_shelf(session, reason, change_by):
    product = make_product(session, kind="unique", stock_on_hand=1, title_es="Huipil de rombos")
    order = place(session, [(product, 1)], minutes=72 * 60, name="Ana López")
    session.commit()
    with pytest.raises(HeldForOrder) as caught:
        change(session, product, reason=reason, **change_by)
    until = to_local(order.reserved_until).strftime("%d/%m/%Y %H:%M")
    assert message_of(caught.value) == (
        f"“Huipil de rombos” is held for online order {order.number} (Ana López) until {until}, while the buyer "
        "pays. It cannot be sold or taken off the shelf before then. If the piece is really gone, ask the "
        "treasurer to cancel that order first."
    )
    assert caught.value.status_code == 409
    session.rollback()
    assert session.get(type(product), product.id).stock_on_hand == 1
    assert session.scalars(select(StockMovement)).all() == []


def test_units_beyond_the_holds_can_still_change(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    place(session, [(product, 2)])
    movement = change(session, product, delta=-1, reason=StockReason.damaged)
    assert (movement.stock_after, product.stock_on_hand) == (2, 2)
    with pytest.raises(HeldForOrder):
        change(session, product, delta=-1, reason=StockReason.damaged)
    change(session, product, delta=1, reason=StockReason.new_stock)  # putting back is always allowed
    assert product.stock_on_hand == 3


def test_an_expired_hold_no_longer_keeps_the_piece(session):
    from shop.catalogue.stock import extend_reservations

    product = make_product(session, kind="unique", stock_on_hand=1)
    order = place(session, [(product, 1)])
    extend_reservations(session, order.id, utcnow() - timedelta(seconds=1))
    change(session, product, delta=-1, reason=StockReason.damaged)
    assert product.stock_on_hand == 0


def test_whom_a_piece_is_held_for_is_read_from_the_hold_itself(session):
    """The catalogue names the order and buyer from its own table: it never reads the orders'."""
    import re

    from sqlalchemy import event

    from shop.catalogue.stock import holds_on

    product = make_product(session, kind="unique", stock_on_hand=1)
    order = place(session, [(product, 1)], name="Ana López")
    session.commit()
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        holds = holds_on(session, [product.id], utcnow())[product.id]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [(hold.order_id, hold.order_number, hold.buyer) for hold in holds] == [(order.id, order.number, "Ana López")]
    assert statements
    assert not any(re.search(r"\borders\b", statement) for statement in statements)
