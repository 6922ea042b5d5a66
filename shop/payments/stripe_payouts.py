"""Paying a weaver through Stripe Connect: claimed first, then asked of Stripe, then booked, so a crash or a
lost answer never pays twice and never loses a transfer. It lives beside the Stripe gateway, in payments,
because the ledger never imports payments (payments post to the ledger).

1. Mark the payout ``sending`` (checks approval and her balance); commit.
2. Ask Stripe for the transfer with the payout's idempotency key (outside any transaction).
3. Book the payout in the ledger; commit.

Only a clear refusal (``TransferRefused``: no money moved) puts the payout back to ``pending``. When Stripe does
not answer, the transfer may have been made: the payout stays ``sending`` (it cannot be undone or cancelled),
and pressing "send" again first asks Stripe for a transfer already made for it, then repeats step 2 with the
same key.
"""

from __future__ import annotations

from datetime import timedelta

from shop.accounts.models import User
from shop.clock import utcnow
from shop.db import session_scope
from shop.errors import N_, DomainError, ValidationFailed
from shop.ledger import paying
from shop.ledger.models import Payout, PayoutStatus
from shop.payments.gateway import PaymentRefused, StripeGateway, TransferRefused

METADATA_KEY = "payout_id"


class TransferUnanswered(DomainError):
    """Stripe did not answer: the treasurer must know the money may already have left."""

    status_code = 503
    code = "payment_provider_unavailable"

    def __init__(self):
        super().__init__(
            N_(
                "Stripe did not answer, so we do not know yet whether the transfer was made. Press “Send” again "
                "in a few minutes: it never pays twice."
            )
        )


def transfer(engine, gateway: StripeGateway | None, payout_id: int, *, by: User, hold: timedelta) -> Payout:
    if gateway is None:
        raise ValidationFailed(N_("Stripe Connect payouts are switched off."))
    with session_scope(engine) as session:
        resumed = paying.payout_status(session, payout_id) is PayoutStatus.sending
        payout = paying.start_stripe_transfer(session, payout_id, by=by, now=utcnow(), hold=hold)
        group = f"payout-batch-{payout.batch_id}"
        request = {
            "amount": payout.amount,
            "currency": payout.currency,
            "destination": payout.stripe_account_id,
            "idempotency_key": paying.transfer_key(payout),
            "transfer_group": group,
            "metadata": {METADATA_KEY: str(payout.id), "weaver_id": str(payout.weaver_id)},
        }
    try:
        made = None
        if resumed:
            made = gateway.find_transfer(transfer_group=group, metadata_key=METADATA_KEY, metadata_value=str(payout_id))
        transfer_id = made or gateway.create_transfer(**request)
    except (TransferRefused, PaymentRefused) as exc:
        with session_scope(engine) as session:
            paying.stripe_transfer_failed(session, payout_id, reason=str(exc), refused=True)
        raise
    with session_scope(engine) as session:
        return paying.finish_stripe_transfer(session, payout_id, transfer_id=transfer_id, by=by, now=utcnow())
