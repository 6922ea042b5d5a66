"""Search: Snowball stems on SQLite as on PostgreSQL, dyes and consenting weavers' names searchable.

SQLite's FTS table now holds text analysed in Python (stems, no stop words) by the ``shop_search_text`` function
that every shop connection registers (shop.catalogue.search_text); PostgreSQL's tsvector gains the dyes and a
``weaver_names`` column that triggers keep to the names of the piece's weavers who consented to be shown.
Existing rows are indexed here.

Revision ID: 5b8c0d2e4f6a
Revises: c4d5e6f7a8b9
Create Date: 2026-12-05 20:20:00.000000
"""

import unicodedata
from collections.abc import Sequence

from alembic.script import ScriptDirectory

from alembic import op
from shop.catalogue.search_text import register

revision: str = "5b8c0d2e4f6a"
down_revision: str | None = "c4d5e6f7a8b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here so this migration never changes when application code does.
_FIELDS = ("title", "technique", "materials", "dyes", "description")
_WEIGHTS = {"title": "A", "technique": "B", "materials": "C", "dyes": "C", "description": "D"}
_LANGUAGES = {"es": "spanish", "en": "english"}
_COLUMNS = tuple(f"{field}_{lang}" for field in _FIELDS for lang in _LANGUAGES)
_ACCENTED = "áéíóúüñàèìòùâêîôûçäëïöãõÁÉÍÓÚÜÑÀÈÌÒÙÂÊÎÔÛÇÄËÏÖÃÕ"
_PLAIN = "".join(unicodedata.normalize("NFKD", ch.lower())[0] for ch in _ACCENTED)
_FOLD = f"translate(lower(coalesce({{col}}, '')), '{_ACCENTED}', '{_PLAIN}')"
# The names of a piece's weavers who agreed to be shown; a weaver who did not never makes her pieces findable.
_NAMES_SQLITE = (
    "(SELECT group_concat(w.name, ' ') FROM product_weavers pw JOIN weavers w ON w.id = pw.weaver_id "
    "WHERE pw.product_id = {product} AND w.consent_to_publish)"
)


def upgrade() -> None:
    _first_search().module._drop_search()
    if op.get_bind().dialect.name == "postgresql":
        _create_postgres()
    else:
        _create_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_postgres()
    else:
        _drop_sqlite()
    _first_search().module._create_search()
    if op.get_bind().dialect.name == "sqlite":
        op.execute("INSERT INTO products_fts(products_fts) VALUES ('rebuild')")


def _first_search():
    """The catalogue's migration, which made the search this one replaces (and is made again on the way down)."""
    return ScriptDirectory.from_config(op.get_context().config).get_revision("a05fc4228a08")


# --------------------------------------------------------------------------- PostgreSQL


def _vector(column: str, config: str, weight: str) -> str:
    return f"setweight(to_tsvector('{config}'::regconfig, {_FOLD.format(col=column)}), '{weight}')"


def _create_postgres() -> None:
    op.execute("ALTER TABLE products ADD COLUMN weaver_names text NOT NULL DEFAULT ''")
    op.execute(
        "CREATE FUNCTION shop_weaver_names(product integer) RETURNS text LANGUAGE sql STABLE AS $$ "
        "SELECT coalesce(string_agg(w.name, ' ' ORDER BY w.id), '') FROM product_weavers pw "
        "JOIN weavers w ON w.id = pw.weaver_id WHERE pw.product_id = product AND w.consent_to_publish $$"
    )
    op.execute(
        """CREATE FUNCTION shop_refresh_weaver_names() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'weavers' THEN
                UPDATE products p SET weaver_names = shop_weaver_names(p.id)
                WHERE p.id IN (SELECT product_id FROM product_weavers WHERE weaver_id = NEW.id)
                AND p.weaver_names <> shop_weaver_names(p.id);
                RETURN NULL;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                UPDATE products SET weaver_names = shop_weaver_names(id)
                WHERE id = OLD.product_id AND weaver_names <> shop_weaver_names(id);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                UPDATE products SET weaver_names = shop_weaver_names(id)
                WHERE id = NEW.product_id AND weaver_names <> shop_weaver_names(id);
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER product_weavers_search AFTER INSERT OR UPDATE OR DELETE ON product_weavers "
        "FOR EACH ROW EXECUTE FUNCTION shop_refresh_weaver_names()"
    )
    op.execute(
        "CREATE TRIGGER weavers_search AFTER UPDATE OF name, consent_to_publish ON weavers "
        "FOR EACH ROW EXECUTE FUNCTION shop_refresh_weaver_names()"
    )
    op.execute("UPDATE products SET weaver_names = shop_weaver_names(id) WHERE shop_weaver_names(id) <> ''")
    parts = [
        _vector(f"{field}_{lang}", config, _WEIGHTS[field]) for field in _FIELDS for lang, config in _LANGUAGES.items()
    ]
    parts.append(_vector("weaver_names", "spanish", "B"))
    op.execute(
        f"ALTER TABLE products ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({' || '.join(parts)}) STORED"
    )
    op.execute("CREATE INDEX ix_products_search_vector ON products USING gin (search_vector)")


def _drop_postgres() -> None:
    op.execute("DROP TRIGGER IF EXISTS weavers_search ON weavers")
    op.execute("DROP TRIGGER IF EXISTS product_weavers_search ON product_weavers")
    op.execute("DROP FUNCTION IF EXISTS shop_refresh_weaver_names()")
    op.execute("DROP INDEX IF EXISTS ix_products_search_vector")
    op.execute("ALTER TABLE products DROP COLUMN IF EXISTS search_vector")
    op.execute("DROP FUNCTION IF EXISTS shop_weaver_names(integer)")
    op.execute("ALTER TABLE products DROP COLUMN IF EXISTS weaver_names")


def _analysed(column: str) -> str:
    return f"shop_search_text({column}, '{_LANGUAGES[column[-2:]]}')"


def _names(product: str) -> str:
    return f"shop_search_text({_NAMES_SQLITE.format(product=product)}, 'spanish')"


def _create_sqlite() -> None:
    register(op.get_bind().connection.driver_connection)
    cols = ", ".join(_COLUMNS)
    # "." and "-" belong to terms ("1.8", "three-panel"); the text is already folded and analysed.
    op.execute(f"CREATE VIRTUAL TABLE products_fts USING fts5({cols}, weavers, tokenize=\"unicode61 tokenchars '.-'\")")
    values = ", ".join(_analysed(f"new.{c}") for c in _COLUMNS)
    op.execute(
        f"CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN "
        f"INSERT INTO products_fts(rowid, {cols}, weavers) VALUES (new.id, {values}, {_names('new.id')}); END"
    )
    # Only when searchable text changes: stock and status updates, the busiest writes, leave the index alone.
    assignments = ", ".join(f"{c} = {_analysed(f'new.{c}')}" for c in _COLUMNS)
    op.execute(
        f"CREATE TRIGGER products_fts_update AFTER UPDATE OF {cols} ON products BEGIN "
        f"UPDATE products_fts SET {assignments} WHERE rowid = new.id; END"
    )
    op.execute(
        "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN DELETE FROM products_fts WHERE rowid = old.id; END"
    )
    refresh = "UPDATE products_fts SET weavers = {names} WHERE rowid = {product};"
    for event, rows in (("insert", ("new",)), ("delete", ("old",)), ("update", ("old", "new"))):
        body = " ".join(refresh.format(names=_names(f"{row}.product_id"), product=f"{row}.product_id") for row in rows)
        op.execute(
            f"CREATE TRIGGER product_weavers_fts_{event} AFTER {event.upper()} ON product_weavers BEGIN {body} END"
        )
    op.execute(
        "CREATE TRIGGER weavers_fts_update AFTER UPDATE OF name, consent_to_publish ON weavers BEGIN "
        f"UPDATE products_fts SET weavers = {_names('products_fts.rowid')} "
        "WHERE rowid IN (SELECT product_id FROM product_weavers WHERE weaver_id = new.id); END"
    )
    values = ", ".join(_analysed(c) for c in _COLUMNS)
    op.execute(
        f"INSERT INTO products_fts(rowid, {cols}, weavers) SELECT id, {values}, {_names('products.id')} FROM products"
    )


def _drop_sqlite() -> None:
    for trigger in ("products_fts_insert", "products_fts_update", "products_fts_delete", "weavers_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for event in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS product_weavers_fts_{event}")
    op.execute("DROP TABLE IF EXISTS products_fts")
