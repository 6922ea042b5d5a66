"""The pieces a member can hand over at the counter, and finding them by a word of their name or a weaver's."""

from datetime import timedelta

import pytest
from factories import make_product, make_weaver, place
from sqlalchemy import select

from shop.catalogue.availability import sellable
from shop.catalogue.counter import counter_grid, pieces
from shop.catalogue.models import Product
from shop.clock import utcnow


@pytest.fixture
def shelf(session):
    juana = make_weaver(session, name="Juana Díaz Sántiz")
    made = {
        "huipil": make_product(
            session, title_es="Huipil de algodón", title_en="Cotton huipil", weavers=[(juana, 10_000)]
        ),
        "rebozo": make_product(
            session, title_es="Rebozo de lana", title_en="Wool shawl", stock_on_hand=3, kind="series"
        ),
        "encargo": make_product(
            session,
            title_es="Huipil por encargo",
            kind="made_to_order",
            lead_time_days=30,
            deposit_bp=5000,
            stock_on_hand=0,
        ),
        "borrador": make_product(session, title_es="Huipil sin publicar", status="draft"),
        "agotado": make_product(session, title_es="Huipil vendido", status="sold_out", stock_on_hand=0),
    }
    session.commit()
    return made


def titles(products) -> list[str]:
    return [p.title_es for p in products]


def test_sellable_keeps_active_pieces_that_are_not_made_to_order(session, shelf):
    found = session.scalars(sellable(select(Product)).order_by(Product.title_es)).all()
    assert titles(found) == ["Huipil de algodón", "Rebozo de lana"]


def test_a_word_of_the_name_finds_a_piece_accents_folded_and_as_a_prefix(session, shelf):
    grid, available, more = counter_grid(session, "algodon", utcnow())
    assert (titles(grid), available[shelf["huipil"].id], more) == (["Huipil de algodón"], 1, False)
    assert titles(counter_grid(session, "rebo", utcnow())[0]) == ["Rebozo de lana"]
    assert titles(counter_grid(session, "wool", utcnow())[0]) == ["Rebozo de lana"]  # the English name too


def test_the_weavers_name_finds_her_pieces(session, shelf):
    assert titles(counter_grid(session, "Juana", utcnow())[0]) == ["Huipil de algodón"]


def test_only_pieces_that_can_be_handed_over_now_are_offered(session, shelf):
    assert titles(counter_grid(session, "", utcnow())[0]) == ["Huipil de algodón", "Rebozo de lana"]
    assert counter_grid(session, "encargo", utcnow())[0] == []
    assert counter_grid(session, "publicar", utcnow())[0] == []
    assert counter_grid(session, "?!", utcnow())[0] == []  # no word to search for: nothing matches
    place(session, [(shelf["huipil"], 1)])  # a buyer is paying for it online
    session.commit()
    grid, available, _ = counter_grid(session, "", utcnow())
    assert titles(grid) == ["Rebozo de lana"] and available[shelf["huipil"].id] == 0
    assert titles(counter_grid(session, "", utcnow() + timedelta(hours=1))[0])[0] == "Huipil de algodón"


def test_a_full_grid_says_there_are_more(session, shelf):
    grid, _, more = counter_grid(session, "", utcnow(), size=1)
    assert (titles(grid), more) == (["Huipil de algodón"], True)


def test_pieces_by_id_and_only_those_still_for_sale(session, shelf):
    ids = [shelf["huipil"].id, shelf["encargo"].id, shelf["agotado"].id]
    assert set(pieces(session, ids)) == set(ids)
    assert list(pieces(session, ids, only_sellable=True)) == [shelf["huipil"].id]
    assert pieces(session, []) == {}
