"""Concurrent writers queue for the lock instead of failing (SQLite WAL + BEGIN IMMEDIATE); connections are kept."""

import threading
import time

from factories import make_product
from sqlalchemy import event, select
from sqlalchemy.pool import NullPool

from shop.catalogue.models import Product
from shop.db import make_engine, session_scope


def test_a_writer_that_read_first_waits_for_another_writer(engine, session):
    product = make_product(session, title_en="Before", description_en="Before")
    session.commit()
    errors: list[BaseException] = []

    def slow_writer():
        try:
            with session_scope(engine) as db:
                row = db.get(Product, product.id)  # reads first ...
                time.sleep(0.4)
                row.title_en = "Changed by the slow writer"  # ... then writes
        except BaseException as exc:
            errors.append(exc)

    def quick_writer():
        time.sleep(0.1)
        try:
            with session_scope(engine) as db:
                db.get(Product, product.id).description_en = "Changed by the quick writer"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=slow_writer), threading.Thread(target=quick_writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert errors == []
    with session_scope(engine, writes=False) as db:
        title, description = db.execute(
            select(Product.title_en, Product.description_en).where(Product.id == product.id)
        ).one()
    assert (title, description) == ("Changed by the slow writer", "Changed by the quick writer")


def test_readers_do_not_wait_for_a_writer(engine, session):
    product = make_product(session)
    session.commit()
    holding = threading.Event()
    release = threading.Event()

    def writer():
        with session_scope(engine) as db:
            db.get(Product, product.id).title_en = "Pending"
            db.flush()
            holding.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(timeout=10)
        started = time.monotonic()
        with session_scope(engine, writes=False) as db:
            title = db.scalar(select(Product.title_en).where(Product.id == product.id))
        assert title != "Pending"  # it sees the last committed state ...
        assert time.monotonic() - started < 1  # ... without waiting for the writer
    finally:
        release.set()
        thread.join(timeout=10)


def test_a_sqlite_file_keeps_its_connections_open_between_requests(tmp_path):
    """One connection opened per request would redo the pragmas and start with an empty page cache each time."""
    engine = make_engine(f"sqlite:///{tmp_path / 'kept.db'}", pool_size=3)
    try:
        opened: list[object] = []
        event.listen(engine, "connect", lambda connection, _record: opened.append(connection))
        held = [engine.connect() for _ in range(9)]  # the pool's 3, and twice as many more at a peak
        for connection in held:
            connection.close()
        for _ in range(20):
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert len(opened) == 9
        assert engine.pool.checkedin() == 3  # the peak's extra six were closed; the three kept serve every use
    finally:
        engine.dispose()


def test_a_command_opens_a_connection_per_use(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'command.db'}", pool_size=0)
    assert isinstance(engine.pool, NullPool)
    engine.dispose()
