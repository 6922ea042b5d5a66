"""What each weaver really earned an hour: her share in the ledger of the pieces she sold, over the hours those
pieces took by their fair-price worksheets (her part of the work by her share of the piece), set against every
wage benchmark with its basis. It lives in the ledger because the earnings are the ledger's; the hours come from
the certification worksheets and the order lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.certification.fair_price import WageBasis, hourly_centavos
from shop.certification.models import FairPriceWorksheet, WageBenchmark
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.orders.models import OrderLine, OrderLineWeaver

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class Comparison:
    benchmark: str
    basis: WageBasis
    hourly: int  # the benchmark, in centavos an hour
    share_bp: int  # what she earned an hour as a share of it (10,000 = the same)


@dataclass(frozen=True)
class WeaverEarnings:
    weaver_id: int
    name: str
    earned: int  # centavos, net of refunds, on the pieces counted
    minutes: int  # of her work on them, rounded down
    hourly: int  # centavos an hour, rounded down
    against: tuple[Comparison, ...]


def fair_earnings(
    session: Session, week_hours: int, between: tuple[datetime, datetime] | None = None
) -> list[WeaverEarnings]:
    """Every weaver with sold pieces that have a worksheet, lowest hourly earnings first. A line wholly given
    back counts neither its money nor its hours; one partly given back counts the kept share of both.
    ``between``: only what was booked from the first instant up to the second (a quarter, eighteen months)."""
    lines = (
        sa.select(
            Account.weaver_id.label("weaver_id"),
            Entry.order_line_id.label("line_id"),
            (-sa.func.sum(Entry.amount)).label("earned"),
            sa.func.sum(sa.case((Entry.amount < 0, -Entry.amount), else_=0)).label("gross"),
        )
        .join(Account, Account.id == Entry.account_id)
        .where(Account.weaver_id.is_not(None), Entry.order_line_id.is_not(None))
        .group_by(Account.weaver_id, Entry.order_line_id)
    )
    if between is not None:
        lines = lines.join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id).where(
            LedgerTransaction.created_at >= between[0], LedgerTransaction.created_at < between[1]
        )
    earned_by_line = lines.subquery()
    rows = session.execute(
        sa.select(
            earned_by_line.c.weaver_id,
            earned_by_line.c.earned,
            earned_by_line.c.gross,
            FairPriceWorksheet.minutes * OrderLine.quantity * OrderLineWeaver.share_bp,
        )
        .join(OrderLine, OrderLine.id == earned_by_line.c.line_id)
        .join(
            OrderLineWeaver,
            sa.and_(
                OrderLineWeaver.order_line_id == OrderLine.id,
                OrderLineWeaver.weaver_id == earned_by_line.c.weaver_id,
            ),
        )
        .join(FairPriceWorksheet, FairPriceWorksheet.product_id == OrderLine.product_id)
        .where(earned_by_line.c.earned > 0)
    ).all()
    totals: dict[int, list[int]] = {}
    for weaver_id, earned, gross, minutes_bp in rows:
        total = totals.setdefault(weaver_id, [0, 0])
        total[0] += earned
        # A partial refund gives back part of the pieces: only the part she kept counts its hours.
        total[1] += minutes_bp * earned // gross if gross > earned else minutes_bp
    names = dict(session.execute(sa.select(Weaver.id, Weaver.name).where(Weaver.id.in_(list(totals)))).all())
    benchmarks = session.scalars(sa.select(WageBenchmark).order_by(WageBenchmark.valid_from.desc(), WageBenchmark.id))
    rates = [(b.name, b.basis, hourly_centavos(b.amount, b.unit, week_hours)) for b in benchmarks]
    found = []
    for weaver_id, (earned, minutes_bp) in totals.items():
        if minutes_bp <= 0:
            continue
        hourly = earned * 60 * BASIS_POINTS // minutes_bp
        against = tuple(
            Comparison(name, basis, rate, hourly * BASIS_POINTS // rate) for name, basis, rate in rates if rate > 0
        )
        found.append(WeaverEarnings(weaver_id, names[weaver_id], earned, minutes_bp // BASIS_POINTS, hourly, against))
    return sorted(found, key=lambda row: (row.hourly, row.name))
