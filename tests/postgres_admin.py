"""Creating and dropping PostgreSQL databases for tests that need a database of their own."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from shop.db import make_engine


def _admin(url: str):
    return make_engine(
        make_url(url).set(database="postgres").render_as_string(hide_password=False), pool_size=0
    )


def drop_postgres_database(url: str) -> None:
    admin = _admin(url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def recreate_postgres_database(url: str) -> None:
    drop_postgres_database(url)
    admin = _admin(url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
    admin.dispose()


def empty_tables(url: str) -> None:
    """Empty every table between tests (much faster than recreating the database)."""
    from shop.tables import metadata

    engine = make_engine(url, pool_size=0)
    # The catalogue revision row is seeded by the migration and only ever counts up; keep it.
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name != "catalogue_revision")
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
