"""A piece is never sold twice, however many buyers press "pay" at the same moment."""

import threading
from datetime import timedelta

from factories import buyer, make_product
from sqlalchemy import func, select

from shop.catalogue.models import ReservationStatus, StockReservation
from shop.catalogue.stock import JustSold
from shop.clock import utcnow
from shop.db import make_engine, session_scope
from shop.orders.models import PaymentMethod
from shop.orders.placing import place_order
from shop.orders.schemas import OrderItem

BUYERS = 50


def race(url: str, product_id: int, quantity: int = 1) -> tuple[int, int, list[BaseException]]:
    """BUYERS threads place an order for the same product at once; returns (placed, just_sold, other errors)."""
    engine = make_engine(url, pool_size=BUYERS)
    start = threading.Barrier(BUYERS)
    placed, sold, errors = [], [], []

    def checkout() -> None:
        start.wait(timeout=30)
        now = utcnow()
        try:
            with session_scope(engine) as session:
                place_order(
                    session,
                    items=[OrderItem(product_id=product_id, quantity=quantity)],
                    buyer=buyer(),
                    language="es",
                    method=PaymentMethod.offline,
                    now=now,
                    hold_until=now + timedelta(minutes=30),
                    actor="buyer",
                )
            placed.append(1)
        except JustSold:
            sold.append(1)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=checkout) for _ in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    engine.dispose()
    return len(placed), len(sold), errors


def held(session, product_id: int) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(StockReservation.quantity), 0)).where(
            StockReservation.product_id == product_id, StockReservation.status == ReservationStatus.active
        )
    )


def test_fifty_buyers_for_the_last_unique_piece_make_exactly_one_order(session, database_url):
    product = make_product(session, kind="unique", stock_on_hand=1)
    session.commit()
    placed, sold, errors = race(database_url, product.id)
    assert errors == []
    assert (placed, sold) == (1, BUYERS - 1)
    assert held(session, product.id) == 1


def test_fifty_buyers_for_three_units_of_a_series_get_exactly_three(session, database_url):
    product = make_product(session, kind="series", stock_on_hand=3)
    session.commit()
    placed, sold, errors = race(database_url, product.id)
    assert errors == []
    assert (placed, sold) == (3, BUYERS - 3)
    assert held(session, product.id) == 3
