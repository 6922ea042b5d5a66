"""Every test's database, checked after the test: the ledger's summaries, kept as each posting commits, equal the
sums of the entries it holds, whatever the test did (sales, fees, refunds, reversals, payouts, races)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from shop.ledger import summary
from shop.ledger.models import LedgerTransaction


def summaries_agree(url: str) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with Session(engine) as session:
            if session.scalar(sa.select(LedgerTransaction.id).limit(1)) is None:
                return
            assert summary.kept(session) == summary.recomputed(session), "the ledger's summaries disagree with it"
    finally:
        engine.dispose()
