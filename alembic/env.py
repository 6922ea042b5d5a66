"""Alembic runs against the database named by SHOP_DATABASE_URL, or a connection handed over by the caller."""

from sqlalchemy import Connection, text

from alembic import context
from shop.catalogue.search import is_search_object
from shop.clock import UTCDateTime
from shop.config import get_settings
from shop.db import make_engine
from shop.tables import metadata

config = context.config
MIGRATION_LOCK = 7_454_201  # any constant; identifies "the shop's schema migration" to PostgreSQL


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # Full-text search structures differ per database and are managed by hand in the migrations.
    if is_search_object(name, type_):
        return False
    # SQLite does not report DESC columns when it reflects an index, so these cannot be compared there;
    # PostgreSQL compares them in full.
    bind = context.get_bind() if not context.is_offline_mode() else None
    return not (type_ == "index" and bind is not None and bind.dialect.name == "sqlite" and _has_desc(obj, compare_to))


def _has_desc(*indexes) -> bool:
    return any("DESC" in str(expr).upper() for index in indexes if index is not None for expr in index.expressions)


def render_item(type_, obj, autogen_context):
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url") or get_settings().database_url,
        target_metadata=metadata,
        literal_binds=True,
        include_object=include_object,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url, pool_size=0)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # Several workers or containers may start at once; only one migrates, the others wait.
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite drops a constraint by rebuilding the table; dropping the old copy of a table that
                # others reference must not cascade onto them. As SQLite's manual says: keys off (outside
                # the transaction) while migrating, then check them.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            configure(connection)
            with context.begin_transaction():
                context.run_migrations()
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the migration left rows pointing at rows that do not exist")
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
