"""Stock changed by hand: every change has a reason and a record, and the status follows the stock."""

import pytest
from factories import make_product, message_of
from sqlalchemy import select

from shop.catalogue.models import ProductStatus, StockMovement, StockReason
from shop.catalogue.stock_changes import adjust_stock, change_status
from shop.clock import utcnow
from shop.errors import ValidationFailed


def change(session, product, **kwargs):
    kwargs.setdefault("reason", StockReason.new_stock)
    return adjust_stock(session, product, actor="María Pérez", now=utcnow(), note=kwargs.pop("note", ""), **kwargs)


def problems(caught) -> dict[str, str]:
    exc = caught.value
    return {e.field: message_of(e) for e in (exc.errors or [exc])}


def test_a_change_is_recorded_with_its_reason_note_and_author(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    movement = change(session, product, delta=-1, reason=StockReason.sold_in_person, note="  Feria del domingo ")
    session.commit()
    assert product.stock_on_hand == 2
    stored = session.scalar(select(StockMovement).where(StockMovement.product_id == product.id))
    assert stored.id == movement.id
    assert (stored.delta, stored.stock_after, stored.reason, stored.note, stored.actor) == (
        -1,
        2,
        StockReason.sold_in_person,
        "Feria del domingo",
        "María Pérez",
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
    change(session, product, delta=-1, reason=StockReason.sold_in_person)
    assert (product.stock_on_hand, product.status) == (0, ProductStatus.sold_out)
    change(session, product, delta=1, reason=StockReason.returned)
    assert (product.stock_on_hand, product.status) == (1, ProductStatus.active)


def test_a_draft_stays_a_draft_whatever_its_stock(session):
    product = make_product(session, kind="series", stock_on_hand=1, status="draft")
    change(session, product, delta=-1, reason=StockReason.damaged)
    assert product.status is ProductStatus.draft
    change(session, product, delta=2)
    assert product.status is ProductStatus.draft


@pytest.mark.parametrize("reason", [None, "", "stolen_by_aliens"])
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
        change(session, product, delta=1, reason=StockReason.sold_in_person)
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
    movement = change(session, product, delta=-1, reason=StockReason.sold_in_person)
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
