"""Fair-price worksheets read from the database: a product's fair minimum, and which products are priced below
theirs. The arithmetic is ``shop.certification.fair_price``; this module only gathers its inputs."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Product
from shop.certification.fair_price import FairPrice, Worksheet, fair_minimum, hourly_centavos
from shop.certification.models import FairPriceWorksheet, WageBenchmark
from shop.errors import N_, ValidationFailed


def benchmarks(session: Session) -> list[WageBenchmark]:
    """Every benchmark, newest figures first."""
    return list(session.scalars(sa.select(WageBenchmark).order_by(WageBenchmark.valid_from.desc(), WageBenchmark.id)))


def price_of(sheet: FairPriceWorksheet, benchmark: WageBenchmark, week_hours: int) -> FairPrice:
    hourly = hourly_centavos(benchmark.amount, benchmark.unit, week_hours)
    return fair_minimum(Worksheet(sheet.materials, sheet.minutes, hourly, sheet.overhead_bp, sheet.margin_bp))


def fair_price_of(session: Session, product_id: int, week_hours: int) -> FairPrice | None:
    """The product's fair minimum, or None while it has no worksheet."""
    row = worksheet_of(session, product_id)
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


MAX_MATERIALS = 100_000_000  # centavos: a million pesos, as the highest price
MAX_MINUTES = 2_000 * 60  # a year of full-time weaving for one piece
MAX_ADDED_BP = 30_000  # overhead or margin of at most 300%


@dataclass(frozen=True)
class WorksheetDraft:
    benchmark_id: int | None
    materials: int | None
    minutes: int | None
    overhead_bp: int = 0
    margin_bp: int = 0


def _problems(session: Session, draft: WorksheetDraft) -> list[ValidationFailed]:
    problems = []
    if draft.benchmark_id is None or session.get(WageBenchmark, draft.benchmark_id) is None:
        problems.append(ValidationFailed(N_("Choose the wage to pay the hours at."), field="benchmark_id"))
    if draft.materials is None:
        problems.append(ValidationFailed(N_("Write what the materials cost (0 if nothing)."), field="materials"))
    elif not 0 <= draft.materials <= MAX_MATERIALS:
        problems.append(ValidationFailed(N_("The materials cost is too high."), field="materials"))
    if not draft.minutes:
        problems.append(ValidationFailed(N_("Write the hours of work the piece took."), field="work_hours"))
    elif not 0 < draft.minutes <= MAX_MINUTES:
        problems.append(
            ValidationFailed(N_("At most %(hours)d hours of work."), field="work_hours", hours=MAX_MINUTES // 60)
        )
    for name, value in (("overhead_percent", draft.overhead_bp), ("margin_percent", draft.margin_bp)):
        if not 0 <= value <= MAX_ADDED_BP:
            problems.append(ValidationFailed(N_("At most %(percent)d%%."), field=name, percent=MAX_ADDED_BP // 100))
    return problems


def save_worksheet(session: Session, product_id: int, draft: WorksheetDraft) -> FairPriceWorksheet:
    """Set a product's worksheet (a new one, or new figures in its own); the change is audited."""
    problems = _problems(session, draft)
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    sheet = session.get(FairPriceWorksheet, product_id) or FairPriceWorksheet(product_id=product_id)
    sheet.benchmark_id = draft.benchmark_id
    sheet.materials = draft.materials
    sheet.minutes = draft.minutes
    sheet.overhead_bp = draft.overhead_bp
    sheet.margin_bp = draft.margin_bp
    session.add(sheet)
    session.flush()
    return sheet


def worksheet_of(session: Session, product_id: int) -> tuple[FairPriceWorksheet, WageBenchmark] | None:
    row = session.execute(
        sa.select(FairPriceWorksheet, WageBenchmark)
        .join(WageBenchmark, WageBenchmark.id == FairPriceWorksheet.benchmark_id)
        .where(FairPriceWorksheet.product_id == product_id)
    ).first()
    return None if row is None else (row[0], row[1])
