"""Paying a weaver through Stripe Connect: claimed first, then asked of Stripe, then booked, so a crash or a
lost answer never pays twice and never loses a transfer.

1. Mark the payout ``sending`` (checks approval and her balance); commit.
2. Ask Stripe for the transfer with the payout's idempotency key (outside any transaction).
3. Book the payout in the ledger; commit.
If step 2 fails the payout waits again as ``pending`` with the reason. If the process dies after step 2, the
payout stays ``sending``; pressing "send" again repeats step 2 with the same key, and Stripe answers with the
transfer it already made.
"""

from __future__ import annotations

from datetime import timedelta

from shop.accounts.models import User
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, ValidationFailed
from shop.ledger import payouts as service
from shop.ledger.models import Payout
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused, StripeGateway, TransferRefused


def transfer(engine, gateway: StripeGateway | None, payout_id: int, *, by: User, hold: timedelta) -> Payout:
    if gateway is None:
        raise ValidationFailed(N_("Stripe Connect payouts are switched off."))
    with session_scope(engine) as session:
        payout = service.start_stripe_transfer(session, payout_id, by=by, now=utcnow(), hold=hold)
        request = {
            "amount": payout.amount,
            "currency": payout.currency,
            "destination": payout.stripe_account_id,
            "idempotency_key": service.transfer_key(payout),
            "transfer_group": f"payout-batch-{payout.batch_id}",
            "metadata": {"payout_id": str(payout.id), "weaver_id": str(payout.weaver_id)},
        }
    try:
        transfer_id = gateway.create_transfer(**request)
    except (TransferRefused, PaymentProviderUnavailable, PaymentRefused) as exc:
        with session_scope(engine) as session:
            service.stripe_transfer_failed(
                session, payout_id, reason=str(exc), refused=isinstance(exc, TransferRefused)
            )
        raise
    with session_scope(engine) as session:
        return service.finish_stripe_transfer(session, payout_id, transfer_id=transfer_id, by=by, now=utcnow())
