"""Each weaver's implied hourly earnings: her net share in the ledger of the pieces she sold, over her part of
the hours their worksheets give, against every benchmark with its basis."""

from __future__ import annotations

from factories import make_order, make_product, make_weaver, sale_for
from sqlalchemy import select

from shop.certification.fair_price import WageBasis
from shop.certification.models import FairPriceWorksheet, WageBenchmark
from shop.ledger.fair_earnings import fair_earnings
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale

MINIMUM = "Salario mínimo general 2026"


def sold(session, product, amount: int, weavers) -> int:
    """A paid line of ``product`` for ``amount`` centavos (80% to the weavers), posted to the ledger."""
    order, (line,) = make_order(session, [(amount, 8000, weavers)])
    line.product_id = product.id
    post_sale(session, sale_for(session, order, [line], money="cash"))
    session.commit()
    return order.id


def worksheet(session, product, minutes: int) -> None:
    benchmark = session.scalar(select(WageBenchmark.id).where(WageBenchmark.name == MINIMUM))
    session.add(FairPriceWorksheet(product_id=product.id, benchmark_id=benchmark, materials=0, minutes=minutes))
    session.commit()


def test_earnings_an_hour_come_from_the_ledger_share_and_the_worksheet_hours(session):
    rosa, juana = make_weaver(session, name="Rosa Pérez"), make_weaver(session, name="Juana Díaz")
    huipil, faja, bag = make_product(session), make_product(session), make_product(session)
    worksheet(session, huipil, 600)  # 10 hours
    worksheet(session, faja, 1_200)  # 20 hours, woven by both
    sold(session, huipil, 100_000, [(rosa, 10_000)])  # 800 pesos to Rosa
    sold(session, faja, 60_000, [(rosa, 5_000), (juana, 5_000)])  # 240 pesos each, 10 hours each
    sold(session, bag, 50_000, [(juana, 10_000)])  # no worksheet: not counted
    given_back = sold(session, huipil, 100_000, [(juana, 10_000)])
    post_refund(session, key="all-back", order_id=given_back, money_account="cash", amount=100_000)
    session.commit()

    rows = {row.name: row for row in fair_earnings(session, 48)}
    assert [row.name for row in fair_earnings(session, 48)] == ["Juana Díaz", "Rosa Pérez"]
    juana_row, rosa_row = rows["Juana Díaz"], rows["Rosa Pérez"]
    assert (juana_row.earned, juana_row.minutes, juana_row.hourly) == (24_000, 600, 2_400)
    assert (rosa_row.earned, rosa_row.minutes, rosa_row.hourly) == (104_000, 1_200, 5_200)
    minimum = next(c for c in rosa_row.against if c.benchmark == MINIMUM)
    assert (minimum.hourly, minimum.basis, minimum.share_bp) == (3_938, WageBasis.per_worker, 13_204)
    poverty = next(c for c in juana_row.against if c.basis is WageBasis.per_person)
    assert poverty.benchmark == "Línea de pobreza por ingresos, rural"
    assert len(rosa_row.against) == 4


def test_a_partial_refund_counts_only_the_kept_share_of_the_hours(session):
    """Half given back leaves half of her money and half of the hours, so her hourly earnings do not fall."""
    maruch = make_weaver(session, name="Maruch López")
    huipil = make_product(session)
    worksheet(session, huipil, 600)
    half_back = sold(session, huipil, 100_000, [(maruch, 10_000)])  # 800 pesos for 10 hours
    post_refund(session, key="half-back", order_id=half_back, money_account="cash", amount=50_000)
    session.commit()

    (row,) = fair_earnings(session, 48)
    assert (row.earned, row.minutes, row.hourly) == (40_000, 300, 8_000)


def test_earnings_an_hour_within_a_quarter_count_only_what_was_booked_in_it(session):
    from datetime import datetime

    import sqlalchemy as sa

    from shop.clock import LOCAL_ZONE
    from shop.indicators import derived
    from shop.indicators.periods import Quarter
    from shop.ledger import summary
    from shop.ledger.models import LedgerTransaction

    rosa = make_weaver(session, name="Rosa Pérez", community="Nachij")
    juana = make_weaver(session, name="Juana Díaz", community="Apas")
    huipil = make_product(session)
    worksheet(session, huipil, 600)  # 10 hours
    for weaver, amount, month in ((rosa, 100_000, 8), (juana, 50_000, 8), (rosa, 500_000, 4)):
        order_id = sold(session, huipil, amount, [(weaver, 10_000)])
        table = LedgerTransaction.__table__  # below the ORM, whose guard rightly keeps the ledger immutable
        session.connection().execute(
            sa.update(table)
            .where(table.c.order_id == order_id)
            .values(created_at=datetime(2026, month, 15, 12, tzinfo=LOCAL_ZONE))
        )
    summary.rebuild(session)  # the plain UPDATE went round the summaries: they are summed again
    session.commit()
    # In Q3: Rosa 800 pesos in 10 hours (80/h), Juana 400 in 10 (40/h); median of the two: 60 pesos an hour.
    found = derived.hourly_earnings(session, Quarter(2026, 3))
    assert found.total == 6_000
    assert found.by_community == {"Apas": {("", ""): 4_000}, "Nachij": {("", ""): 8_000}}
    assert derived.hourly_earnings(session, Quarter(2026, 2)).total == 40_000  # April: 4,000 pesos in 10 hours
