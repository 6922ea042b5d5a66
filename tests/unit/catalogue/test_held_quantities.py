"""What is held of each piece, for any number of pieces (the same piece asked for again and again counts once),
and the holds in force that store pages keep and work out at each later moment."""

from __future__ import annotations

import pytest
from factories import make_product, place

from shop.catalogue import stock
from shop.catalogue.models import ProductKind
from shop.catalogue.stock import held_quantities, holds_in_force
from shop.clock import utcnow


@pytest.mark.parametrize("asked", [1, 4, 5, 6, 24, 25, 26, 100, 101, 130])
def test_units_held_for_any_number_of_pieces(session, asked):
    held = make_product(session, slug="held", kind=ProductKind.series, stock_on_hand=5)
    other = make_product(session, slug="other", kind=ProductKind.series, stock_on_hand=5)
    free = make_product(session, slug="free")
    session.commit()
    place(session, [(held, 2)])
    place(session, [(held, 1), (other, 3)])
    session.commit()
    ids = [held.id, free.id, other.id][: min(asked, 3)] + [10_000 + n for n in range(max(0, asked - 3))]
    expected = {held.id: 3, other.id: 3} if asked >= 3 else {held.id: 3}
    assert held_quantities(session, ids, utcnow()) == expected
    assert held_quantities(session, [free.id] * asked, utcnow()) == {}  # the same piece asked for again and again


def test_ended_holds_hold_nothing(session):
    from datetime import timedelta

    held = make_product(session, slug="held")
    session.commit()
    place(session, [(held, 1)], minutes=30)
    session.commit()
    assert held_quantities(session, [held.id], utcnow()) == {held.id: 1}
    assert held_quantities(session, [held.id], utcnow() + timedelta(minutes=31)) == {}


def test_the_holds_in_force_answer_what_the_database_does_at_every_later_moment(session):
    """Kept for a catalogue revision, they must follow the clock alone: each hold stops counting as it ends."""
    from datetime import timedelta

    held = make_product(session, slug="held", kind=ProductKind.series, stock_on_hand=5)
    other = make_product(session, slug="other", kind=ProductKind.series, stock_on_hand=5)
    free = make_product(session, slug="free")
    session.commit()
    place(session, [(held, 1)], minutes=10)
    place(session, [(held, 2), (other, 1)], minutes=30)
    place(session, [(other, 2)], minutes=60)
    session.commit()
    start = utcnow()
    kept = holds_in_force(session, start)
    ids = [held.id, other.id, free.id]
    for minutes in (0, 9, 11, 29, 31, 59, 61):
        now = start + timedelta(minutes=minutes)
        assert kept.held(ids, now) == held_quantities(session, ids, now), minutes
    assert kept.held(ids, start) == {held.id: 3, other.id: 3}
    assert kept.first_end(held.id, start) == kept.ends[held.id][0][0] < kept.first_end(other.id, start)
    assert kept.first_end(held.id, start + timedelta(minutes=11)) == kept.first_end(other.id, start)
    assert kept.first_end(held.id, start + timedelta(minutes=31)) is None
    assert kept.first_end(free.id, start) is None


def test_more_holds_than_are_kept_are_asked_for_piece_by_piece(session, monkeypatch):
    monkeypatch.setattr(stock, "HOLDS_KEPT", 2)
    pieces = [make_product(session, slug=f"p{n}") for n in range(3)]
    session.commit()
    for piece in pieces[:2]:
        place(session, [(piece, 1)])
    session.commit()
    ids = [p.id for p in pieces]
    assert holds_in_force(session, utcnow()).held(ids, utcnow()) == {pieces[0].id: 1, pieces[1].id: 1}
    place(session, [(pieces[2], 1)])
    session.commit()
    assert holds_in_force(session, utcnow()) is None
    asked = holds_in_force(session, utcnow(), [pieces[2].id])
    assert asked.held(ids, utcnow()) == {pieces[2].id: 1}
