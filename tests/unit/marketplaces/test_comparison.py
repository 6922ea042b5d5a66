"""Each sale beside what eBay and Etsy would have taken: its real fee as the ledger booked it, what reached the
weaver, and the marketplaces' fees from their schedules, all computed by hand."""

from __future__ import annotations

import random
from datetime import date, datetime

from factories import make_order, make_weaver, sale_for

from shop.clock import LOCAL_ZONE
from shop.ledger.sales import post_sale
from shop.marketplaces.comparison import Totals, compare, totals
from shop.marketplaces.fees import Extra
from shop.marketplaces.models import ExchangeRate


def test_each_sale_beside_what_ebay_and_etsy_would_have_taken(session):
    session.add(ExchangeRate(day=date(2026, 7, 10), currency="USD", mxn_micro=17_000_000))
    weaver = make_weaver(session)
    order, lines = make_order(session, [(50_000, 8000, [(weaver, 10_000)])], shipping=10_000)
    moment = datetime(2026, 7, 10, 18, 0, tzinfo=LOCAL_ZONE)
    post_sale(session, sale_for(session, order, lines, money="stripe_clearing", fee=2_100), booked_at=moment)
    (row,) = compare(session, date(2026, 7, 1), date(2026, 8, 1), Extra())
    # 600 pesos with shipping (USD 35.29): eBay 13.25% = 79.50 + USD 0.40 = 6.80 → 86.30;
    # Etsy 6.5% = 39.00 + one listing USD 0.20 = 3.40 → 42.40. The weaver: 80% of 500 pesos.
    assert (row.total, row.fee, row.weavers, row.ebay, row.etsy) == (60_000, 2_100, 40_000, 8_630, 4_240)
    assert row.day == date(2026, 7, 10) and row.channel == "online"
    again, lines = make_order(session, [(50_000, 8000, [(weaver, 10_000)])], shipping=10_000)
    post_sale(session, sale_for(session, again, lines, money="stripe_clearing", fee=2_100), booked_at=moment)
    summed = totals(session, date(2026, 7, 1), date(2026, 8, 1), Extra())
    assert (summed.sales, summed.fee, summed.weavers, summed.ebay, summed.etsy) == (
        120_000,
        4_200,
        80_000,
        17_260,
        8_480,
    )
    assert compare(session, date(2026, 8, 1), date(2026, 9, 1), Extra()) == []


def test_a_sale_takes_the_latest_rate_even_from_before_the_period(session):
    session.add(ExchangeRate(day=date(2026, 7, 31), currency="USD", mxn_micro=20_000_000))
    weaver = make_weaver(session)
    order, lines = make_order(session, [(50_000, 8000, [(weaver, 10_000)])])
    sunday = datetime(2026, 8, 2, 12, 0, tzinfo=LOCAL_ZONE)
    post_sale(session, sale_for(session, order, lines, money="stripe_clearing"), booked_at=sunday)
    (row,) = compare(session, date(2026, 8, 1), date(2026, 9, 1), Extra())
    # Friday's 20 pesos a dollar: eBay 13.25% of 500 = 66.25 + USD 0.40 = 8.00 → 74.25; Etsy 32.50 + 4.00 → 36.50.
    assert (row.ebay, row.etsy) == (7_425, 3_650)


def test_the_totals_added_up_in_the_database_equal_the_sales_one_by_one(session):
    """Sums in SQL, rounded per sale like ``would_take``: over sales at and around eBay's USD 10 threshold, of
    several pieces, with international and processing rates set, and a first day with no rate at all."""
    chance = random.Random(14)
    for day in range(2, 31, 3):
        session.add(ExchangeRate(day=date(2026, 7, day), currency="USD", mxn_micro=17_000_000 + day * 12_345))
    weaver = make_weaver(session)
    sold = []
    for n in range(40):
        day = date(2026, 7, 2 + n % 29)
        micro = 17_000_000 + (day.day - (day.day - 2) % 3) * 12_345
        at_threshold = (10 * 100 * micro) // 1_000_000  # centavos of USD 10 that day, at or below it
        amounts = [chance.choice((at_threshold, at_threshold + 1, 9_999, 123_457)) for _ in range(1 + n % 3)]
        order, lines = make_order(session, [(a, 8000, [(weaver, 10_000)]) for a in amounts])
        moment = datetime.combine(day, datetime.min.time(), LOCAL_ZONE).replace(hour=n % 24)
        post_sale(session, sale_for(session, order, lines, money="cash", fee=n * 7), booked_at=moment)
        sold.append(order)
    extra = Extra(ebay_international_bp=165, etsy_processing_bp=300)
    rows = compare(session, date(2026, 7, 1), date(2026, 8, 1), extra)
    assert len(rows) == 40 and any(r.ebay and r.total * 1_000_000 <= 1_000 * 17_000_000 for r in rows)
    summed = totals(session, date(2026, 7, 1), date(2026, 8, 1), extra)
    assert summed == Totals(
        sum(r.total for r in rows),
        sum(r.fee for r in rows),
        sum(r.weavers for r in rows),
        sum(r.ebay for r in rows),
        sum(r.etsy for r in rows),
    )
    assert [r.order_number for r in compare(session, date(2026, 7, 1), date(2026, 8, 1), extra, limit=3)] == [
        r.order_number for r in rows[:3]
    ]
    early, lines = make_order(session, [(50_000, 8000, [(weaver, 10_000)])])
    post_sale(
        session, sale_for(session, early, lines, money="cash"), booked_at=datetime(2026, 7, 1, 9, tzinfo=LOCAL_ZONE)
    )
    unknown = totals(session, date(2026, 7, 1), date(2026, 8, 1), extra)
    assert (unknown.ebay, unknown.etsy, unknown.sales) == (None, None, summed.sales + 50_000)
    assert totals(session, date(2026, 9, 1), date(2026, 10, 1), extra) == Totals(0, 0, 0, 0, 0)
