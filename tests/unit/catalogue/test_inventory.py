"""The inventory's lists and counts, narrowed to the pieces a person looks after."""

from functools import partial

import pytest
from factories import make_image, make_product, make_weaver
from sqlalchemy import select

from shop.catalogue import service as catalogue
from shop.catalogue.inventory import count_without_photo, inventory_page, looked_after_id
from shop.catalogue.models import Product, ProductWeaver
from shop.catalogue.models import ProductStatus as S


def of_weaver(statement, weaver_id):
    """A scope as the workspace passes one: a weaver's own pieces."""
    return statement.where(Product.id.in_(select(ProductWeaver.product_id).where(ProductWeaver.weaver_id == weaver_id)))


@pytest.fixture
def shelf(session, media_dir):
    maria, juana = make_weaver(session, name="María"), make_weaver(session, name="Juana")
    made = {
        "con_foto": make_product(session, slug="con-foto", weavers=[(maria, 10_000)]),
        "sin_foto": make_product(session, slug="sin-foto", weavers=[(maria, 10_000)]),
        "borrador": make_product(session, slug="borrador", status="draft", weavers=[(maria, 10_000)]),
        "agotado": make_product(session, slug="agotado", status="sold_out", stock_on_hand=0, weavers=[(maria, 10_000)]),
        "guardado": make_product(session, slug="guardado", status="archived", weavers=[(maria, 10_000)]),
        "de_juana": make_product(session, slug="de-juana", weavers=[(juana, 10_000)]),
    }
    catalogue.add_product_image(session, made["con_foto"], make_image(session, media_dir))
    session.commit()
    return {"maria": maria, "juana": juana, **made}


def slugs(page) -> set[str]:
    return {p.slug for p in page.products}


def test_the_everyday_list_leaves_put_away_pieces_out_and_counts_every_status(session, shelf):
    hers = partial(of_weaver, weaver_id=shelf["maria"].id)
    page = inventory_page(session, scope=hers)
    assert slugs(page) == {"con-foto", "sin-foto", "borrador", "agotado"}
    assert page.total == 4
    assert page.counts == {S.active: 2, S.draft: 1, S.sold_out: 1, S.archived: 1}
    assert page.photoless == 3  # put-away pieces need no photo
    assert slugs(inventory_page(session, scope=hers, status=S.archived)) == {"guardado"}
    assert slugs(inventory_page(session, scope=hers, no_photo=True)) == {"sin-foto", "borrador", "agotado"}


def test_pages_and_scope(session, shelf):
    hers = partial(of_weaver, weaver_id=shelf["maria"].id)
    first, second = (inventory_page(session, scope=hers, page=n, page_size=3) for n in (1, 2))
    assert (len(first.products), len(second.products), first.total) == (3, 1, 4)
    assert not slugs(first) & slugs(second)
    assert "de-juana" in slugs(inventory_page(session))


def test_pieces_without_a_photo_in_chosen_statuses(session, shelf):
    hers = partial(of_weaver, weaver_id=shelf["maria"].id)
    assert count_without_photo(session, scope=hers, statuses=(S.active, S.draft)) == 2
    assert count_without_photo(session, statuses=(S.active, S.draft)) == 3


def test_a_piece_is_found_only_within_the_scope(session, shelf):
    hers = partial(of_weaver, weaver_id=shelf["maria"].id)
    assert looked_after_id(session, "sin-foto", scope=hers) == shelf["sin_foto"].id
    assert looked_after_id(session, "de-juana", scope=hers) is None
    assert looked_after_id(session, "de-juana") == shelf["de_juana"].id
    assert looked_after_id(session, "no-such-piece") is None
