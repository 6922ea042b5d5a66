"""The dashboard's income rollups equal the figures computed by hand: by month in the cooperative's time zone,
the weavers' part, the fund, the fees, the weavers earning and their median (hidden under three weavers), by
community with the small ones folded, by category and by channel."""

from __future__ import annotations

from datetime import date, datetime

from factories import make_category, make_order, make_product, make_weaver, sale_for

from shop.clock import LOCAL_ZONE
from shop.ledger import rollups
from shop.ledger.sales import post_sale
from shop.orders.models import Channel


def sold(session, lines, *, at: datetime, fee: int = 0, channel: Channel = Channel.online, product=None):
    order, order_lines = make_order(session, lines)
    order.channel = channel
    for line in order_lines:
        line.product_id = product.id if product else None
    session.flush()
    post_sale(session, sale_for(session, order, order_lines, money="cash", fee=fee), booked_at=at)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL_ZONE)


def test_income_by_month_community_category_and_channel(session):
    a, b, c = (make_weaver(session, community="Nachij") for _ in range(3))
    d = make_weaver(session, community="Apas")
    huipiles = make_category(session, name_es="Huipiles")
    huipil = make_product(session, category=huipiles, weavers=[(a, 10_000)])
    sold(session, [(100_000, 8000, [(a, 10_000)])], at=local(2026, 7, 1, 0, 5), fee=3_000, product=huipil)
    sold(session, [(50_000, 8000, [(b, 10_000)])], at=local(2026, 7, 15, 12))
    sold(session, [(30_000, 8000, [(c, 10_000)])], at=local(2026, 7, 31, 23, 59), channel=Channel.in_person)
    sold(session, [(20_000, 8000, [(d, 10_000)])], at=local(2026, 7, 20, 9))
    sold(session, [(10_000, 8000, [(a, 10_000)])], at=local(2026, 8, 1, 0, 0))
    sold(session, [(99_000, 8000, [(a, 10_000)])], at=local(2026, 6, 30, 23, 59))  # June: outside
    july, august = rollups.by_month(session, date(2026, 7, 1), date(2026, 8, 31))
    # By hand: July 100,000 + 50,000 + 30,000 + 20,000; the weavers 80%: 80,000, 40,000, 24,000, 16,000.
    assert (july.key, july.gross, july.weavers, july.fund, july.fees) == ("2026-07", 200_000, 160_000, 40_000, 3_000)
    assert (july.earning, july.median) == (4, 32_000)  # (24,000 + 40,000) / 2
    assert (august.gross, august.earning, august.median) == (10_000, 1, None)  # one earner: hidden
    communities = rollups.by_community(session, date(2026, 7, 1), date(2026, 9, 1))
    assert communities == [rollups.Cell("Nachij", 152_000, 3), rollups.Cell(rollups.OTHER, 16_000, 1)]
    categories = rollups.by_category(session, date(2026, 7, 1), date(2026, 8, 1))
    assert categories == [rollups.Cell("Huipiles", 100_000), rollups.Cell(rollups.OTHER, 100_000)]
    channels = {c.key: c.amount for c in rollups.by_channel(session, date(2026, 7, 1), date(2026, 8, 1))}
    assert channels == {"online": 170_000, "in_person": 30_000}
    assert rollups.month_starts(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
