"""Concurrent writers queue for the lock instead of failing (SQLite WAL + BEGIN IMMEDIATE)."""

import threading
import time

from factories import make_product
from sqlalchemy import select

from shop.catalogue.models import Product
from shop.db import session_scope


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
