"""The seeded wage benchmarks and the fair minimum read from a product's worksheet, on both databases."""

from __future__ import annotations

from datetime import date

from factories import make_product
from sqlalchemy import select

from shop.certification.fair_price import WageBasis, WageUnit
from shop.certification.models import FairPriceWorksheet, WageBenchmark
from shop.certification.worksheets import below_fair_minimum, benchmarks, fair_price_of


def test_the_benchmarks_are_seeded_each_with_its_unit_basis_period_and_source(session):
    seeded = {b.name: b for b in benchmarks(session)}
    minimum = seeded["Salario mínimo general 2026"]
    assert (minimum.amount, minimum.unit, minimum.basis, minimum.valid_from) == (
        31_504,
        WageUnit.day,
        WageBasis.per_worker,
        date(2026, 1, 1),
    )
    assert seeded["Salario mínimo 2026, Zona Libre de la Frontera Norte"].amount == 44_087
    poverty = seeded["Línea de pobreza por ingresos, rural"]
    assert (poverty.amount, poverty.unit, poverty.basis, poverty.period) == (
        346_576,
        WageUnit.month,
        WageBasis.per_person,
        "2026-01",
    )
    living = seeded["Salario digno rural, Nayarit (Global Living Wage Coalition)"]
    assert (living.amount, living.unit, living.basis, living.period) == (
        1_327_200,
        WageUnit.month,
        WageBasis.per_worker,
        "2023",
    )
    assert all(b.source for b in seeded.values()) and len(seeded) == 4
    assert "INEGI" in poverty.source and "CONEVAL" in poverty.source


def sheet_for(session, product, benchmark_name: str, **figures) -> None:
    benchmark = session.scalar(select(WageBenchmark).where(WageBenchmark.name == benchmark_name))
    values = {"materials": 45_000, "minutes": 3_600, "overhead_bp": 1_000, "margin_bp": 1_500} | figures
    session.add(FairPriceWorksheet(product_id=product.id, benchmark_id=benchmark.id, **values))
    session.commit()


def test_a_worksheet_gives_the_fair_minimum_at_the_chosen_benchmark_and_week(session):
    huipil = make_product(session, price_amount=400_000)
    assert fair_price_of(session, huipil.id, 48) is None
    sheet_for(session, huipil, "Salario mínimo general 2026")
    assert fair_price_of(session, huipil.id, 48).minimum == 355_820
    assert fair_price_of(session, huipil.id, 40).minimum > 355_820  # fewer hours a week: more an hour


def test_the_products_below_their_fair_minimum_are_listed_furthest_first(session):
    fair = make_product(session, price_amount=400_000)
    cheap = make_product(session, price_amount=300_000)
    cheapest = make_product(session, price_amount=200_000)
    unsheeted = make_product(session, price_amount=100)
    for product in (fair, cheap, cheapest):
        sheet_for(session, product, "Salario mínimo general 2026")
    below = below_fair_minimum(session, 48)
    assert [(product.id, price.minimum) for product, price in below] == [
        (cheapest.id, 355_820),
        (cheap.id, 355_820),
    ]
    assert unsheeted.id not in {product.id for product, _ in below}
