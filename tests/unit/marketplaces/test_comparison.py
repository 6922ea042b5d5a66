"""Each sale beside what eBay and Etsy would have taken: its real fee as the ledger booked it, what reached the
weaver, and the marketplaces' fees from their schedules, all computed by hand."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from factories import make_order, make_weaver, sale_for

from shop.clock import LOCAL_ZONE
from shop.ledger.models import LedgerTransaction
from shop.ledger.sales import post_sale
from shop.marketplaces.comparison import compare, totals
from shop.marketplaces.fees import Extra
from shop.marketplaces.models import ExchangeRate


def test_each_sale_beside_what_ebay_and_etsy_would_have_taken(session):
    session.add(ExchangeRate(day=date(2026, 7, 10), currency="USD", mxn_micro=17_000_000))
    weaver = make_weaver(session)
    order, lines = make_order(session, [(50_000, 8000, [(weaver, 10_000)])], shipping=10_000)
    posted = post_sale(session, sale_for(session, order, lines, money="stripe_clearing", fee=2_100))
    table = LedgerTransaction.__table__  # below the ORM, whose guard rightly keeps the ledger immutable
    moment = datetime(2026, 7, 10, 18, 0, tzinfo=LOCAL_ZONE)
    session.connection().execute(sa.update(table).where(table.c.id == posted.id).values(created_at=moment))
    (row,) = compare(session, date(2026, 7, 1), date(2026, 8, 1), Extra())
    # 600 pesos with shipping (USD 35.29): eBay 13.25% = 79.50 + USD 0.40 = 6.80 → 86.30;
    # Etsy 6.5% = 39.00 + one listing USD 0.20 = 3.40 → 42.40. The weaver: 80% of 500 pesos.
    assert (row.total, row.fee, row.weavers, row.ebay, row.etsy) == (60_000, 2_100, 40_000, 8_630, 4_240)
    assert row.day == date(2026, 7, 10) and row.channel == "online"
    summed = totals([row, row])
    assert (summed.sales, summed.fee, summed.ebay, summed.etsy) == (120_000, 4_200, 17_260, 8_480)
    assert compare(session, date(2026, 8, 1), date(2026, 9, 1), Extra()) == []


def test_a_sale_takes_the_latest_rate_even_from_before_the_period(session):
    session.add(ExchangeRate(day=date(2026, 7, 31), currency="USD", mxn_micro=20_000_000))
    weaver = make_weaver(session)
    order, lines = make_order(session, [(50_000, 8000, [(weaver, 10_000)])])
    posted = post_sale(session, sale_for(session, order, lines, money="stripe_clearing"))
    table = LedgerTransaction.__table__  # below the ORM, whose guard rightly keeps the ledger immutable
    sunday = datetime(2026, 8, 2, 12, 0, tzinfo=LOCAL_ZONE)
    session.connection().execute(sa.update(table).where(table.c.id == posted.id).values(created_at=sunday))
    (row,) = compare(session, date(2026, 8, 1), date(2026, 9, 1), Extra())
    # Friday's 20 pesos a dollar: eBay 13.25% of 500 = 66.25 + USD 0.40 = 8.00 → 74.25; Etsy 32.50 + 4.00 → 36.50.
    assert (row.ebay, row.etsy) == (7_425, 3_650)
