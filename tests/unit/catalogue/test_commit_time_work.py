"""Work kept for the commit (taking converted stock, bumping the catalogue's revision) waits for the commit itself,
not for a savepoint released on the way (SQLAlchemy announces both alike): the rows it locks stay free until then."""

from __future__ import annotations

import sqlalchemy as sa
from factories import make_product

from shop.catalogue.models import CatalogueRevision, Product
from shop.catalogue.revision import current, mark_changed
from shop.catalogue.stock_sales import TO_TAKE, take_at_commit


def test_a_released_savepoint_leaves_the_commits_work_for_the_commit(session):
    bolsa = make_product(session, kind="series", stock_on_hand=5)
    session.commit()
    before = current(session.connection())
    take_at_commit(session, items=[(bolsa.id, 2)])
    mark_changed(session)
    with session.begin_nested():
        session.execute(sa.select(CatalogueRevision.revision))
    assert session.info.get(TO_TAKE) == [(bolsa.id, 2)]
    assert session.scalar(sa.select(Product.stock_on_hand).where(Product.id == bolsa.id)) == 5
    assert current(session.connection()) == before
    session.commit()
    assert session.scalar(sa.select(Product.stock_on_hand).where(Product.id == bolsa.id)) == 3
    assert current(session.connection()) == before + 1
