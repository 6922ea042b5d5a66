"""The search migration indexes the pieces already there, stems and weavers' names included, and its way down
gives back the search it replaced."""

import sqlalchemy as sa
from factories import make_product, make_weaver
from sqlmodel import Session

from alembic import command
from shop import migrations
from shop.catalogue.browse import ProductQuery, list_public_products
from shop.db import make_engine

BEFORE = "c4d5e6f7a8b9"


def _found(engine, query: str) -> set[str]:
    with Session(engine) as session:
        return {p.slug for p in list_public_products(session, ProductQuery(q=query)).items}


def _found_the_old_way(engine, word: str) -> set[int]:
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            statement = "SELECT id FROM products WHERE search_vector @@ to_tsquery('spanish', :word || ':*')"
        else:
            statement = "SELECT rowid FROM products_fts WHERE products_fts MATCH :word || '*'"
        return set(connection.execute(sa.text(statement), {"word": word}).scalars())


def test_pieces_written_before_the_migration_are_found_after_it_and_after_its_way_down(empty_database_url):
    migrations.upgrade(empty_database_url, BEFORE)
    engine = make_engine(empty_database_url, pool_size=0)
    try:
        with Session(engine, expire_on_commit=False) as session:
            shown = make_weaver(session, name="Rosa Gómez")
            private = make_weaver(session, name="Juana Díaz", consent=False)
            rebozo = make_product(session, slug="rebozo", title_es="Rebozo jaspeado", weavers=[(shown, 10_000)])
            make_product(session, slug="morral", title_es="Morral", dyes_es="Cochinilla", weavers=[(private, 10_000)])
            session.commit()
        engine.dispose()
        migrations.upgrade(empty_database_url)
        assert _found(engine, "rebozos") == {"rebozo"}
        assert _found(engine, "rosa") == {"rebozo"}
        assert _found(engine, "cochinilla") == {"morral"}
        assert _found(engine, "juana") == set()
        engine.dispose()
        command.downgrade(migrations.alembic_config(empty_database_url), BEFORE)
        assert _found_the_old_way(engine, "rebozo") == {rebozo.id}
    finally:
        engine.dispose()
