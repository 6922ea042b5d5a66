"""The catalogue revision counts committed catalogue changes, once per transaction."""

from factories import make_category, make_product
from sqlalchemy import text

from shop.catalogue import revision
from shop.db import session_scope


def current(engine) -> int:
    with engine.connect() as connection:
        return revision.current(connection)


def test_one_bump_per_committed_transaction_that_changes_the_catalogue(engine, session):
    start = current(engine)
    with session_scope(engine) as db:
        category = make_category(db)
        make_product(db, category=category)
        make_product(db, category=category)
    assert current(engine) == start + 1


def test_reads_and_rollbacks_leave_it_alone(engine, session):
    make_product(session)
    session.commit()
    start = current(engine)
    with session_scope(engine, writes=False) as db:
        db.execute(text("SELECT count(*) FROM products")).scalar()
    try:
        with session_scope(engine) as db:
            make_category(db)
            raise RuntimeError("changed my mind")
    except RuntimeError:
        pass
    with session_scope(engine) as db:  # a later transaction must not inherit the rolled-back change
        db.execute(text("SELECT 1"))
    assert current(engine) == start


def test_raw_sql_writers_mark_the_change_themselves(engine, session):
    product = make_product(session, kind="series", stock_on_hand=3)
    session.commit()
    start = current(engine)
    with session_scope(engine) as db:
        db.execute(text("UPDATE products SET stock_on_hand = 2 WHERE id = :id"), {"id": product.id})
    assert current(engine) == start
    with session_scope(engine) as db:
        db.execute(text("UPDATE products SET stock_on_hand = 1 WHERE id = :id"), {"id": product.id})
        revision.mark_changed(db)
    assert current(engine) == start + 1
