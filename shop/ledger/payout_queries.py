"""What the payout pages read, without changing anything: recent batches and their totals, the batches waiting
for someone, a payout's batch, and the names of the weavers a batch pays."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.errors import N_, NotFound
from shop.ledger.models import BatchStatus, Payout, PayoutBatch, PayoutStatus

OPEN = (BatchStatus.prepared, BatchStatus.approved)


def recent_batches(session: Session, *, limit: int = 30) -> tuple[list[PayoutBatch], dict[int, int]]:
    """The batches still open first, then the newest; with each batch's total, cancelled payouts left out."""
    batches = session.scalars(
        sa.select(PayoutBatch)
        .order_by(sa.case((PayoutBatch.status.in_(OPEN), 0), else_=1))
        .order_by(PayoutBatch.id.desc())
        .limit(limit)
    ).all()
    totals = dict(
        session.execute(
            sa.select(Payout.batch_id, sa.func.sum(Payout.amount))
            .where(Payout.batch_id.in_([b.id for b in batches]), Payout.status != PayoutStatus.cancelled)
            .group_by(Payout.batch_id)
        ).all()
    )
    return list(batches), totals


def open_batch_counts(session: Session) -> dict[BatchStatus, int]:
    """How many batches wait for approval (``prepared``) and how many for paying (``approved``)."""
    return dict(
        session.execute(
            sa.select(PayoutBatch.status, sa.func.count())
            .where(PayoutBatch.status.in_(OPEN))
            .group_by(PayoutBatch.status)
        ).all()
    )


def batch_of_payout(session: Session, payout_id: int) -> int:
    """The id of the batch holding this payout; NotFound when there is no such payout."""
    batch_id = session.scalar(sa.select(Payout.batch_id).where(Payout.id == payout_id))
    if batch_id is None:
        raise NotFound(N_("There is no payout %(number)s."), number=payout_id)
    return batch_id


def payee_names(session: Session, batch: PayoutBatch) -> dict[int, str]:
    """The name of each weaver the batch pays, by weaver id."""
    ids = [p.weaver_id for p in batch.payouts]
    return dict(session.execute(sa.select(Weaver.id, Weaver.name).where(Weaver.id.in_(ids))).all())
