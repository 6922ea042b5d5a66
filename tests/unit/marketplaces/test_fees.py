"""What eBay and Etsy would have taken for a sale, from their seeded fee schedules and the day's exchange rate,
computed by hand: the rate on the total with shipping, the fee per order on either side of USD 10, the fee per
listing, the settings' extra rates; no schedule or no rate gives None."""

from __future__ import annotations

from datetime import date

from shop.marketplaces.fees import Extra, Sale, rate_on, schedule_on, would_have_cost
from shop.marketplaces.models import ExchangeRate, FeeSchedule, Marketplace

FRIDAY, SUNDAY = date(2026, 7, 10), date(2026, 7, 12)


def test_the_seeded_schedules_and_the_days_rate(session):
    ebay = schedule_on(session, Marketplace.ebay, FRIDAY)
    etsy = schedule_on(session, Marketplace.etsy, FRIDAY)
    assert (ebay.rate_bp, ebay.order_fee, ebay.order_fee_at_or_below, ebay.threshold) == (1325, 40, 30, 1000)
    assert (etsy.rate_bp, etsy.listing_fee, etsy.currency) == (650, 20, "USD") and "etsy.com" in etsy.source
    assert schedule_on(session, Marketplace.ebay, date(2020, 1, 1)) is None
    session.add(ExchangeRate(day=FRIDAY, currency="USD", mxn_micro=17_000_000, source="Banxico FIX"))
    session.flush()
    assert rate_on(session, "USD", SUNDAY) == 17_000_000  # the weekend takes Friday's
    assert rate_on(session, "USD", date(2026, 7, 9)) is None


def test_what_each_marketplace_would_have_taken(session):
    session.add(ExchangeRate(day=FRIDAY, currency="USD", mxn_micro=17_000_000))
    session.flush()
    # 500 pesos, USD 29.41: 13.25% = 66.25 pesos, plus USD 0.40 = 6.80 pesos: 73.05 pesos.
    # Etsy, two listings: 6.5% = 32.50 pesos, plus 2 × USD 0.20 = 6.80 pesos: 39.30 pesos.
    found = would_have_cost(session, Sale(50_000, 2, FRIDAY), Extra())
    assert found == {Marketplace.ebay: 7_305, Marketplace.etsy: 3_930}
    # 150 pesos is USD 8.82, at or below USD 10: 19.875 + 5.10 pesos = 24.975, rounded half up to 24.98.
    assert would_have_cost(session, Sale(15_000, 1, SUNDAY), Extra())[Marketplace.ebay] == 2_498
    # With the settings' extra rates: eBay's international 1.65%, Etsy's processing 3%.
    extra = Extra(ebay_international_bp=165, etsy_processing_bp=300)
    assert would_have_cost(session, Sale(50_000, 2, FRIDAY), extra) == {
        Marketplace.ebay: 7_305 + 825,
        Marketplace.etsy: 3_930 + 1_500,
    }
    assert would_have_cost(session, Sale(50_000, 1, date(2026, 7, 9)), Extra()) == {
        Marketplace.ebay: None,
        Marketplace.etsy: None,
    }


def test_a_new_schedule_takes_over_from_its_date(session):
    session.add(ExchangeRate(day=FRIDAY, currency="USD", mxn_micro=17_000_000))
    session.add(
        FeeSchedule(
            marketplace=Marketplace.etsy,
            valid_from=date(2026, 7, 11),
            rate_bp=700,
            listing_fee=20,
            source="Etsy fees, new rate",
        )
    )
    session.flush()
    assert would_have_cost(session, Sale(50_000, 2, FRIDAY), Extra())[Marketplace.etsy] == 3_930
    assert would_have_cost(session, Sale(50_000, 2, SUNDAY), Extra())[Marketplace.etsy] == 3_500 + 680
