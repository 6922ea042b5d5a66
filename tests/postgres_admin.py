"""Creating, emptying and dropping PostgreSQL databases for the tests."""

from __future__ import annotations

from sqlalchemy import insert, select, text
from sqlalchemy.engine import make_url

from shop.db import make_engine


def _admin(url: str):
    return make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False), pool_size=0)


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


def clone_postgres_database(template: str, url: str) -> None:
    """Replace the database at ``url`` by a copy of ``template`` (which must have no open connection)."""
    drop_postgres_database(url)
    admin = _admin(url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{make_url(url).database}" TEMPLATE "{make_url(template).database}"'))
    admin.dispose()


_SEEDS: dict[str, dict[str, list[dict]]] = {}


def remember_seeds(url: str) -> None:
    """Keep the rows the migrations put in (shipping rates, the default split…) to restore after each test."""
    from shop.tables import metadata

    engine = make_engine(url, pool_size=0)
    with engine.connect() as connection:
        _SEEDS[url] = {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in metadata.sorted_tables
        }
    engine.dispose()


def empty_tables(url: str) -> None:
    """Empty every table between tests (much faster than recreating the database), then put the seeds back."""
    from shop.tables import metadata

    seeds = _SEEDS.get(url, {})
    engine = make_engine(url, pool_size=0)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        for table in metadata.sorted_tables:
            rows = seeds.get(table.name)
            if not rows:
                continue
            connection.execute(insert(table), rows)
            if "id" in table.c and table.c.id.autoincrement is not False and isinstance(rows[0].get("id"), int):
                sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
                connection.execute(text(f'SELECT setval({sequence}, (SELECT max(id) FROM "{table.name}"))'))
    engine.dispose()
