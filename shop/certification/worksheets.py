"""Fair-price worksheets read from the database: a product's fair minimum, and which products are priced below
theirs. The arithmetic is ``shop.certification.fair_price``; this module only gathers its inputs."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Product
from shop.certification.fair_price import FairPrice, Worksheet, fair_minimum, hourly_centavos
from shop.certification.models import FairPriceWorksheet, WageBenchmark


def benchmarks(session: Session) -> list[WageBenchmark]:
    """Every benchmark, newest figures first."""
    return list(session.scalars(sa.select(WageBenchmark).order_by(WageBenchmark.valid_from.desc(), WageBenchmark.id)))


def price_of(sheet: FairPriceWorksheet, benchmark: WageBenchmark, week_hours: int) -> FairPrice:
    hourly = hourly_centavos(benchmark.amount, benchmark.unit, week_hours)
    return fair_minimum(Worksheet(sheet.materials, sheet.minutes, hourly, sheet.overhead_bp, sheet.margin_bp))


def fair_price_of(session: Session, product_id: int, week_hours: int) -> FairPrice | None:
    """The product's fair minimum, or None while it has no worksheet."""
    row = session.execute(
        sa.select(FairPriceWorksheet, WageBenchmark)
        .join(WageBenchmark, WageBenchmark.id == FairPriceWorksheet.benchmark_id)
        .where(FairPriceWorksheet.product_id == product_id)
    ).first()
    return None if row is None else price_of(*row, week_hours)


def below_fair_minimum(session: Session, week_hours: int) -> list[tuple[Product, FairPrice]]:
    """Products whose price is under their fair minimum, the furthest below first."""
    rows = session.execute(
        sa.select(Product, FairPriceWorksheet, WageBenchmark)
        .join(FairPriceWorksheet, FairPriceWorksheet.product_id == Product.id)
        .join(WageBenchmark, WageBenchmark.id == FairPriceWorksheet.benchmark_id)
    ).all()
    priced = [(product, price_of(sheet, benchmark, week_hours)) for product, sheet, benchmark in rows]
    below = [(product, price) for product, price in priced if product.price_amount < price.minimum]
    return sorted(below, key=lambda pair: (pair[0].price_amount - pair[1].minimum, pair[0].id))
