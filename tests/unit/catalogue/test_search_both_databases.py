"""Both databases find the same pieces for every word of the demo: the SQLite index analyses text in Python as
PostgreSQL does in its own. Needs PostgreSQL (SHOP_TEST_DATABASE_URL); skipped without it."""

import os

import pytest
import sqlalchemy as sa

from shop import migrations
from shop.catalogue.models import Category, Image, Product, ProductWeaver, Weaver
from shop.catalogue.search import search_scores
from shop.catalogue.search_text import query_words
from shop.db import make_engine, session_scope

POSTGRES_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.demo,
    pytest.mark.skipif(not POSTGRES_URL, reason="compares SQLite with PostgreSQL: set SHOP_TEST_DATABASE_URL"),
]


def _found(session, word: str) -> frozenset[int]:
    scores = search_scores(session, word)
    return frozenset(session.scalars(sa.select(scores.c.product_id))) if scores is not None else frozenset()


def _sqlite_copy(session, path) -> sa.Engine:
    """The demo's catalogue, written into a fresh SQLite database in bulk, as a seed would."""
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as copy:
        for model in (Image, Category, Weaver, Product, ProductWeaver):
            table = model.__table__
            rows = [dict(row._mapping) for row in session.execute(sa.select(table))]
            copy.execute(sa.delete(table))
            if rows:
                copy.execute(sa.insert(table), rows)
    return engine


def test_every_word_of_the_demo_finds_the_same_pieces_on_sqlite_and_postgresql(session, tmp_path):
    texts = session.execute(
        sa.select(Product.title_es, Product.title_en, Product.description_es, Product.description_en)
    ).all()
    words = {word for row in texts for text in row for word in query_words(text)}
    words |= {word for name in session.scalars(sa.select(Weaver.name)) for word in query_words(name)}
    words |= {word[:4] for word in words if len(word) > 4}  # prefixes, as typed while searching
    assert len(words) > 200
    sqlite = _sqlite_copy(session, tmp_path / "copy.db")
    postgres = {word: _found(session, word) for word in sorted(words)}
    with session_scope(sqlite) as other:
        lite = {word: _found(other, word) for word in postgres}
    differences = {w: (sorted(postgres[w]), sorted(lite[w])) for w in postgres if postgres[w] != lite[w]}
    sqlite.dispose()
    assert differences == {}, f"{len(differences)} of {len(words)} words differ (PostgreSQL, SQLite)"
    assert sum(1 for pieces in postgres.values() if pieces) > len(words) * 0.8  # not two empty answers
    assert any(len(pieces) > 5 for pieces in postgres.values())
