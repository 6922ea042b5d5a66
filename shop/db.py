"""Engine, sessions and the one place where a transaction is committed.

Services only ``flush()``. Whoever opens the session (a request, a CLI command, a job) commits it, so a
failed commit surfaces as an error to that caller instead of after a response was already sent.
The request's session dependency lives in ``shop.api.http.deps``, so that domain packages, which import this
module for its metadata, never import the web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, create_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata = SQLModel.metadata


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # WAL lets readers proceed while one writer works; busy_timeout makes writers queue instead of
        # failing with "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


WRITE = {"shop_writes": True}


def _sqlite_begin(conn) -> None:
    # pysqlite's own transaction handling skips BEGIN before reads and breaks SAVEPOINT. With its
    # handling off, SQLAlchemy's transaction boundaries are the real ones.
    # A unit of work that will write takes the write lock at BEGIN (IMMEDIATE): a deferred transaction
    # that read first and then writes after another writer committed fails at once with "database is
    # locked", whatever the busy timeout. Readers stay deferred, so they never wait for writers.
    immediate = conn.get_execution_options().get("shop_writes", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, *, busy_timeout_ms: int = 5000, pool_size: int = 5, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        on_file = bool(database) and database != ":memory:" and not database.startswith("file::memory:")
        if on_file:
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            # A file's connections are kept like PostgreSQL's: one opened per request would redo the pragmas
            # and start with an empty page cache.
            **(_pool(pool_size) if on_file else {}),
        )
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))

        @event.listens_for(engine, "connect")
        def _no_pysqlite_transactions(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, **_pool(pool_size))


def _pool(pool_size: int) -> dict:
    """``pool_size`` connections kept, twice as many more opened at a peak; 0 opens one per use (commands)."""
    if pool_size <= 0:
        return {"poolclass": NullPool}
    return {"pool_size": pool_size, "max_overflow": pool_size * 2}


def optimize(engine: Engine) -> None:
    """Refresh SQLite's planner statistics (bounded work); without them it picks poor plans on big tables.

    PostgreSQL's autovacuum keeps its own statistics, so there is nothing to do there.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA analysis_limit=1000")
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


@contextmanager
def session_scope(engine: Engine, *, writes: bool = True, keep: Callable[[], bool] | None = None) -> Iterator[Session]:
    """A unit of work for CLI commands, jobs and requests: commit on success, roll back on any error, and
    also when ``keep`` (asked once the work is done) says the outcome is not to be kept (a request that
    answers with an error page).

    ``writes=False`` marks a read-only unit, which on SQLite never waits for the write lock.
    """
    bind = engine.execution_options(**WRITE) if writes else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            if keep is None or keep():
                session.commit()
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
