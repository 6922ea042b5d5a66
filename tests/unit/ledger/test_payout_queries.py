"""What the payout pages read: recent batches with their totals, batches waiting for someone, a payout's batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from factories import make_order, make_user, sale_for

from shop.accounts.models import Role
from shop.errors import NotFound
from shop.ledger import payout_batches
from shop.ledger.models import BatchStatus
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.payout_queries import batch_of_payout, open_batch_counts, payee_names, recent_batches
from shop.ledger.sales import post_sale

HOLD = timedelta(days=7)
LATER = datetime.now(UTC) + timedelta(days=8)


@pytest.fixture
def desk(session):
    return {
        "tesorera": make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera"),
        "consejera": make_user(session, roles=[Role.council], username="consejera", name="Consejera"),
    }


@pytest.fixture
def batches(session, desk, maria, juana):
    """A cancelled batch, then an approved one paying both weavers, then one prepared for María."""
    for weaver in (maria, juana, maria, maria):
        order, (line,) = make_order(session, [(100_000, 8000, [(weaver, 10_000)])])
        post_sale(session, sale_for(session, order, [line], money="cash"))

    def prepare(*lines):
        return payout_batches.prepare_batch(
            session, lines=[PayoutLine(w.id, a) for w, a in lines], by=desk["tesorera"], now=LATER, hold=HOLD
        )

    cancelled = prepare((maria, 10_000))
    payout_batches.cancel_batch(session, cancelled.id, by=desk["consejera"], reason="Wrong month", now=LATER)
    approved = prepare((maria, 50_000), (juana, 30_000))
    payout_batches.approve_batch(session, approved.id, by=desk["consejera"], now=LATER)
    waiting = prepare((maria, 20_000))
    return cancelled, approved, waiting


def test_open_batches_come_first_then_the_newest_with_totals_of_live_payouts(session, batches):
    cancelled, approved, waiting = batches
    shown, totals = recent_batches(session)
    assert [b.id for b in shown] == [waiting.id, approved.id, cancelled.id]
    assert totals == {waiting.id: 20_000, approved.id: 80_000}  # a cancelled payout adds nothing
    assert [b.id for b in recent_batches(session, limit=1)[0]] == [waiting.id]


def test_open_batch_counts_say_what_waits_for_approval_and_for_paying(session, batches):
    assert open_batch_counts(session) == {BatchStatus.prepared: 1, BatchStatus.approved: 1}


def test_a_payouts_batch_and_the_names_it_pays(session, batches, maria, juana):
    _, approved, _ = batches
    batch = payout_batches.batch_by_id(session, approved.id)
    assert {batch_of_payout(session, p.id) for p in batch.payouts} == {approved.id}
    assert payee_names(session, batch) == {maria.id: maria.name, juana.id: juana.name}
    with pytest.raises(NotFound):
        batch_of_payout(session, 999_999)
