"""Full-text search over the catalogue in both languages, done by the database itself.

SQLite uses an FTS5 table kept in step by triggers; PostgreSQL uses a generated, GIN-indexed tsvector.
Both fold accents so "algodon" finds "algodón", and match word prefixes so "rebo" finds "rebozo".
The structures are created by migrations and ignored by Alembic's comparison (see ``is_search_object``).
"""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from sqlalchemy.orm import Session

FTS_TABLE = "products_fts"
TSVECTOR_COLUMN = "search_vector"
TSVECTOR_INDEX = "ix_products_search_vector"
MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def is_search_object(name: str | None, type_: str) -> bool:
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(FTS_TABLE)
    if type_ == "column":
        return name == TSVECTOR_COLUMN
    if type_ == "index":
        return name == TSVECTOR_INDEX
    return False


def fold(text: str) -> str:
    """Lower-case and strip accents the way both databases' indexes do."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


def search_scores(session: Session, query: str) -> sa.Subquery | None:
    """A subquery of (product_id, score), higher score meaning more relevant; None if nothing to search."""
    words = terms(query)
    if not words:
        return None
    if session.get_bind().dialect.name == "postgresql":
        return _postgres_scores(words)
    return _sqlite_scores(words)


def _sqlite_scores(words: list[str]) -> sa.Subquery:
    match = " ".join(f'"{word}"*' for word in words)
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    # bm25 weights follow the column order of the FTS table: titles, techniques, materials, descriptions.
    score = sa.literal_column(f"-bm25({FTS_TABLE}, 10.0, 10.0, 4.0, 4.0, 2.0, 2.0, 1.0, 1.0)")
    return (
        sa.select(fts.c.rowid.label("product_id"), score.label("score"))
        .select_from(fts)
        .where(sa.text(f"{FTS_TABLE} MATCH :match").bindparams(match=match))
        .subquery("search")
    )


def _postgres_tsquery(words: list[str], prefix: str) -> sa.TextClause:
    parts = [f"(to_tsquery('spanish', :{prefix}{i}) || to_tsquery('english', :{prefix}{i}))" for i in range(len(words))]
    params = {f"{prefix}{i}": f"{word}:*" for i, word in enumerate(words)}
    return sa.text("(" + " && ".join(parts) + ")").bindparams(**params)


def _postgres_scores(words: list[str]) -> sa.Subquery:
    products = sa.table("products", sa.column("id"), sa.column(TSVECTOR_COLUMN))
    vector = sa.literal_column(TSVECTOR_COLUMN)
    return (
        sa.select(
            products.c.id.label("product_id"),
            sa.func.ts_rank(vector, _postgres_tsquery(words, "r")).label("score"),
        )
        .select_from(products)
        .where(vector.op("@@")(_postgres_tsquery(words, "m")))
        .subquery("search")
    )
