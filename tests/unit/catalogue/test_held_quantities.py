"""What store pages ask of the holds: units held per piece, for any number of pieces (the statements for the
usual sizes are built once, with spare places that must change nothing)."""

from __future__ import annotations

import pytest
from factories import make_product, place

from shop.catalogue.models import ProductKind
from shop.catalogue.stock import held_quantities
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
