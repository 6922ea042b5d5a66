"""Background jobs free expired holds, cancel unpaid orders and send mail, safely from several workers."""

import threading
from datetime import timedelta

from factories import make_product, place
from sqlalchemy import func, select
from typer.testing import CliRunner

from shop.catalogue.models import ReservationStatus, StockReservation
from shop.clock import utcnow
from shop.jobs import run_once
from shop.mail.models import OutboxEmail, OutboxStatus
from shop.orders.models import Order, OrderStatus


def test_expired_holds_are_released_and_unpaid_orders_cancelled(engine, settings, session):
    product = make_product(session)
    order = place(session, [(product, 1)], minutes=30)
    session.commit()
    assert run_once(engine, settings)["orders_cancelled"] == 0
    later = utcnow() + timedelta(minutes=40)
    summary = run_once(engine, settings, now=later)
    assert (summary["holds_released"], summary["orders_cancelled"]) == (1, 1)
    session.expire_all()
    assert session.get(Order, order.id).status is OrderStatus.cancelled
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.released
    again = run_once(engine, settings, now=later)
    assert (again["holds_released"], again["orders_cancelled"]) == (0, 0)


def test_several_workers_at_once_cancel_each_order_once(engine, settings, session):
    products = [make_product(session) for _ in range(6)]
    orders = [place(session, [(p, 1)], minutes=30) for p in products]
    session.commit()
    later = utcnow() + timedelta(minutes=40)
    results = []
    threads = [threading.Thread(target=lambda: results.append(run_once(engine, settings, now=later))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r["orders_cancelled"] for r in results) == len(orders)
    assert session.scalar(select(func.count()).select_from(Order).where(Order.status == "cancelled")) == 6


def test_demo_mail_is_logged_and_marked_sent(engine, settings, session, caplog):
    product = make_product(session)
    place(session, [(product, 1)])
    from shop.payments.service import send_confirmation

    order = session.scalar(select(Order))
    session.refresh(order)
    from shop.orders.service import order_by_token

    send_confirmation(
        session, order_by_token(session, order.token), base_url="http://shop", bank_transfer_details="CLABE"
    )
    session.commit()
    caplog.set_level("INFO", logger="shop.mail")
    assert run_once(engine, settings)["mail_logged"] == 1
    assert session.scalar(select(OutboxEmail.status)) is OutboxStatus.sent
    assert "ana@example.org" in caplog.text


def test_shop_jobs_run_command(engine, settings, session, monkeypatch):
    from shop.cli import app
    from shop.config import get_settings

    monkeypatch.setenv("SHOP_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SHOP_SECRET_KEY", "jobs-test")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["jobs", "run"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "holds released: 0" in result.output


def test_the_web_process_can_run_the_jobs_itself(settings, session):
    import time

    from fastapi.testclient import TestClient

    from shop.config import Settings
    from shop.main import create_app

    place(session, [(make_product(session), 1)], minutes=30)
    session.execute(StockReservation.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    session.commit()
    app = create_app(Settings(**{**settings.model_dump(), "jobs_interval_seconds": 0.1}))
    with TestClient(app):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            session.rollback()
            if session.scalar(select(StockReservation.status)) is ReservationStatus.released:
                break
            time.sleep(0.1)
    app.state.engine.dispose()
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.released
