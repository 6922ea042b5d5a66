"""What the tests of the payout pages share: a CLABE that passes its check digit, the proposal form, and the
batch and payout just made."""

from __future__ import annotations

from factories import fresh
from sqlalchemy import select
from workspace_helpers import csrf_of

from shop.ledger.models import Payout, PayoutBatch

VALID_CLABE = "012180000000000002"


def prepare(client, rows: dict[int, str], ticked=None):
    """Post the proposal form: ``rows`` {weaver id: amount typed}; ticked defaults to every row."""
    page = client.get("/taller/pagos-tejedoras/nuevo")
    data = {"csrf_token": csrf_of(page.text), "weaver": [], "amount": [], "pay": []}
    for weaver_id, amount in rows.items():
        data["weaver"].append(str(weaver_id))
        data["amount"].append(amount)
    data["pay"] = [str(w) for w in (ticked if ticked is not None else rows)]
    return client.post("/taller/pagos-tejedoras/nuevo", data=data, follow_redirects=False)


def only_batch(session) -> PayoutBatch:
    fresh(session)
    return session.scalars(select(PayoutBatch)).one()


def batch_payout(session, weaver) -> int:
    fresh(session)
    return session.scalar(select(Payout.id).where(Payout.weaver_id == weaver.id).order_by(Payout.id.desc()))
