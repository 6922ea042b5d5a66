"""Full-text search over the catalogue in both languages, done by the database itself.

SQLite uses an FTS5 table of analysed text (see ``search_text``) kept in step by triggers; PostgreSQL uses a
generated, GIN-indexed tsvector. Both fold accents ("algodon" finds "algodón"), stem Spanish and English with
Snowball ("rebozos" finds "rebozo"), match word prefixes ("rebo" finds "rebozo") and hold the names of the
weavers who agreed to be shown (a trigger-kept ``weaver_names`` column on PostgreSQL, a column of the FTS table
on SQLite), so both find the same pieces for the same words.
The structures are created by migrations and ignored by Alembic's comparison (see ``is_search_object``).

A listing ranks only the first ``CAP + 1`` matches, newest pieces still for sale first, and counts no further:
past that it shows "200+". So a common word costs a walk of the listing's index instead of ranking and
counting the whole catalogue, and a rare one a look-up in the full-text index.

Both databases are asked for the stems ``search_text.query_terms`` makes, as prefixes: FTS5 through its MATCH
syntax, PostgreSQL as a ``tsquery`` value. PyStemmer and the stop words are PostgreSQL's own, so the stems are
those PostgreSQL would make, and the rules (stop words, one stem when the other begins it) live in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Product
from shop.catalogue.search_text import query_terms, query_words

FTS_TABLE = "products_fts"
TSVECTOR_COLUMN = "search_vector"
WEAVER_NAMES_COLUMN = "weaver_names"
TSVECTOR_INDEX = "ix_products_search_vector"
# Every piece a search reads costs one to two microseconds (fetched, tested, ranked), and the dearest words are
# those about one piece in ten holds: the walk reads CAP * 10 pieces for them, the full-text index as many as hold
# the word. So the cap sets the price of the dearest search: on two cores, 32 connections searching back to back
# (tests/bench/search.py) waited 137-165 ms at p99 with 1,000, and 41-56 ms with 200. Nine pages of 24 is further
# than a buyer pages; a word that common is narrowed, not paged through.
CAP = 200
# Which matches a capped search ranks: pieces still for sale first ("active" sorts before "sold_out"), newest first.
NEWEST = (Product.status.asc(), Product.created_at.desc(), Product.id.desc())
# FTS5's command to merge its index, written as an insert of the command's name into the table's own column.
_MERGE = f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')"  # noqa: S608 (constant names only)
# bm25 weights follow the column order of the FTS table: titles, techniques, materials, dyes, descriptions,
# and the weavers' names.
_BM25 = f"-bm25({FTS_TABLE}, 10.0, 10.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 4.0)"


def is_search_object(name: str | None, type_: str) -> bool:
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(FTS_TABLE)
    if type_ == "column":
        return name in (TSVECTOR_COLUMN, WEAVER_NAMES_COLUMN)
    if type_ == "index":
        return name == TSVECTOR_INDEX
    return False


def search_scores(
    session: Session,
    query: str,
    *,
    within: Iterable[sa.ColumnElement[bool]] = (),
    cap: int | None = None,
    order: Sequence[sa.ColumnElement] = NEWEST,
) -> sa.Subquery | None:
    """A subquery of (product_id, score), higher score meaning more relevant; None if nothing to search.

    ``within`` narrows the products searched; with ``cap``, only the first ``cap + 1`` of them in ``order`` are
    ranked, so counting the subquery gives at most ``cap + 1`` and a page in that order is its first rows.
    """
    typed = query_words(query)
    if not typed:
        return None
    words = _stems(typed)
    if session.get_bind().dialect.name == "postgresql":
        planned_for_its_words(session)
        return _postgres_scores(words, list(within), cap, order)
    return _sqlite_scores(words, list(within), cap, order)


def _stems(typed: list[str]) -> list[list[str]]:
    # Each typed word's stems; a word that is a stop word in both languages is left out: no index holds it.
    return [terms for word in typed if (terms := query_terms(word))]


def merge_index(engine: sa.Engine) -> None:
    """Merge SQLite's full-text index into one segment, without the entries of rewritten and deleted pieces.

    Every write adds a segment and every rewrite leaves the old entries behind until FTS5 merges them, so after
    a bulk load or rewrite a common word is read from many segments (three times the index's size after the
    bench's rewrite of every piece). Run as the shop starts: about 0.1 s for 10,000 pieces, nothing when it is
    already merged. PostgreSQL's GIN index has no segments (its pending list is off)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        if sa.inspect(connection).has_table(FTS_TABLE):  # not before the first migration
            connection.exec_driver_sql(_MERGE)


def planned_for_its_words(session: Session) -> None:
    """Have PostgreSQL plan this transaction's searches for their own words, every time.

    psycopg prepares a statement it has run five times, and PostgreSQL may then plan it once for any words: a walk
    of the listing's index, right for a common word, reads every piece for a rare one. Planned for its own words
    (the ``tsquery`` value is then known to the planner), a search takes the walk or the full-text index,
    whichever they need."""
    session.connection().exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def _first(statement: sa.Select, cap: int | None, order: Sequence[sa.ColumnElement]) -> sa.Select:
    return statement if cap is None else statement.order_by(*order).limit(cap + 1)


def _sqlite_match(words: list[list[str]]) -> str:
    # Each word is one or more stems, searched as prefixes in every column; every word must match. The stems
    # are letters and digits (``query_words``), quoted, so no FTS5 syntax can come from a query.
    return " AND ".join("(" + " OR ".join(f'"{stem}"*' for stem in terms) + ")" for terms in words)


def postgres_query(words: list[list[str]]) -> str:
    """The same as ``_sqlite_match``, as PostgreSQL's ``tsquery`` text: ``('reboz':* | 'shawl':*) & 'tel':*``.

    Built here rather than by ``to_tsquery`` in the statement, which stemmed each word in both languages and
    chose between the stems in SQL: the planner then worked out a dozen ``to_tsquery`` calls for each search.
    Stems are letters and digits; a quote or backslash is escaped all the same, so none can end the lexeme."""
    return " & ".join("(" + " | ".join(f"'{_lexeme(stem)}':*" for stem in terms) + ")" for terms in words)


def _lexeme(stem: str) -> str:
    return stem.replace("\\", "\\\\").replace("'", "''")


def _sqlite_scores(words: list[list[str]], within: list, cap: int | None, order) -> sa.Subquery:
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    statement = sa.select(fts.c.rowid.label("product_id"), sa.literal_column(_BM25).label("score")).select_from(fts)
    if not words:  # only stop words: PostgreSQL finds nothing for them either
        statement = statement.where(sa.false())
    else:
        statement = statement.where(sa.text(f"{FTS_TABLE} MATCH :match").bindparams(match=_sqlite_match(words)))
    if within or cap is not None:
        statement = statement.join(Product, Product.id == fts.c.rowid).where(*within)
    return _first(statement, cap, order).subquery("search")


# The search's tsquery text (``postgres_query``), bound once per statement however often the statement reads it.
_TSQUERY = sa.text("CAST(:query AS tsquery)")


def _postgres_scores(words: list[list[str]], within: list, cap: int | None, order) -> sa.Subquery:
    vector = sa.literal_column(f"products.{TSVECTOR_COLUMN}")
    query = _TSQUERY.bindparams(query=postgres_query(words))
    matches = (
        sa.select(Product.id, vector.label("vector"))
        .where(vector.op("@@")(query) if words else sa.false())
        .where(*within)
    )
    found = _first(matches, cap, order).subquery("found")
    rank = sa.func.ts_rank(found.c.vector, query) if words else sa.literal(0.0)
    return sa.select(found.c.id.label("product_id"), rank.label("score")).subquery("search")


def page_terms(session: Session, query: str) -> dict | None:
    """The parameters ``search_page`` needs for ``query`` on this database; None when nothing in it can match (no
    words, or only stop words), so no statement runs."""
    words = _stems(query_words(query))
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        return {"query": postgres_query(words)}
    return {"match": _sqlite_match(words)}


Order = tuple[tuple[str, bool], ...]  # (column of products, or "score"; descending) pairs


@cache
def search_page(dialect: str, by_category: bool, first: Order, order: Order) -> sa.Select:
    """One page of a search, built once per shape. The first ``cap + 1`` public matches in ``first`` order (pieces
    for sale before sold ones, then the listing's sort) are found and ranked in one pass over ``products``,
    counted by a window, then put in ``order`` (after the same status) and cut to the page. Bound parameters:
    those of ``page_terms``, ``statuses``, ``category_id``, ``cap``, ``limit`` and ``offset``."""
    columns = [Product.id, Product.stock_on_hand, Product.status, Product.created_at, Product.price_amount]
    within = [Product.status.in_(sa.bindparam("statuses", expanding=True))]
    if by_category:
        within.append(Product.category_id == sa.bindparam("category_id"))
    # Only a page in order of relevance ranks its matches: ranking is a third to a half of a common word's
    # search, and in any other order nothing reads the score.
    ranked = any(name == "score" for name, _ in order)
    if dialect == "postgresql":
        vector = sa.literal_column(f"products.{TSVECTOR_COLUMN}")
        query = _TSQUERY
        # Ranked as they are found: the rows sorted and counted after carry a score, not the whole vector.
        score = sa.func.ts_rank(vector, query) if ranked else sa.literal(0.0)
        found = sa.select(*columns, score.label("score")).where(vector.op("@@")(query), *within)
    else:
        fts = sa.table(FTS_TABLE, sa.column("rowid"))
        score = sa.literal_column(_BM25) if ranked else sa.literal(0.0)
        found = (
            sa.select(*columns, score.label("score"))
            .select_from(fts)
            .join(Product, Product.id == fts.c.rowid)
            .where(sa.text(f"{FTS_TABLE} MATCH :match"), *within)
        )
    by_product = {column.key: column for column in columns}
    found = (
        found.order_by(Product.status.asc(), *_ordered(by_product, first))
        .limit(sa.bindparam("cap", type_=sa.Integer))
        .subquery("found")
    )
    on_found = {name: found.c[name] for name in (*by_product, "score")}
    return (
        sa.select(found.c.id, found.c.stock_on_hand, sa.func.count().over().label("total"))
        .order_by(found.c.status.asc(), *_ordered(on_found, order))
        .limit(sa.bindparam("limit", type_=sa.Integer))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )


def _ordered(columns: dict, order: Order) -> list:
    return [columns[name].desc() if descending else columns[name].asc() for name, descending in order]
