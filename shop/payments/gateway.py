"""The only place that talks to Stripe, through the official SDK.

The SDK is imported only when Stripe is configured: it is large, and a shop without Stripe (the demo, a
cooperative paying by transfer) should not carry it in every worker's memory.

The API base is configurable, so tests point the real SDK at a fake Stripe on loopback. Every call that
creates something carries an idempotency key tied to our own record, so a retry never charges or refunds
twice. Timeouts are short: a buyer must not wait a minute for an answer that will not come.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shop.config import Settings
from shop.errors import N_, DomainError

log = logging.getLogger(__name__)


class PaymentProviderUnavailable(DomainError):
    status_code = 503
    code = "payment_provider_unavailable"

    def __init__(self):
        super().__init__(
            N_(
                "Card and OXXO payments are not answering right now, so nothing was charged and your pieces are "
                "back in the shop. Please try again in a few minutes, or choose bank transfer."
            )
        )


class BadSignature(Exception):
    """A webhook body that Stripe did not sign with our secret, or signed too long ago."""


class PaymentRefused(DomainError):
    status_code = 502
    code = "payment_refused"


class TransferRefused(DomainError):
    """Stripe would not pay a weaver through Connect; nothing moved, so the payout can wait or go by hand."""

    status_code = 409
    code = "transfer_refused"


@dataclass(frozen=True)
class CheckoutLine:
    name: str
    unit_amount: int
    quantity: int


@dataclass(frozen=True)
class CreatedSession:
    id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class PaymentDetails:
    payment_intent_id: str
    status: str
    amount_received: int
    fee: int | None  # None: paid, but Stripe has not written its balance transaction yet
    method: str  # "card", "oxxo", …
    voucher_url: str = ""
    voucher_expires_at: datetime | None = None


@dataclass(frozen=True)
class StripeRefund:
    """A refund as Stripe has it: ours carry our refund's id in ``metadata["refund_id"]``."""

    id: str
    amount: int
    status: str  # pending, requires_action, succeeded, failed, canceled
    payment_intent: str | None
    metadata: dict

    @classmethod
    def of(cls, obj: dict) -> StripeRefund:
        return cls(
            id=str(obj["id"]),
            amount=int(obj.get("amount") or 0),
            status=str(obj.get("status") or ""),
            payment_intent=obj.get("payment_intent"),
            metadata=dict(obj.get("metadata") or {}),
        )


def _when(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


class StripeGateway:
    def __init__(self, settings: Settings):
        import stripe

        if settings.stripe_secret_key is None:
            raise RuntimeError("Stripe is not configured (SHOP_STRIPE_SECRET_KEY)")
        self.stripe = stripe
        self.settings = settings
        self.client = stripe.StripeClient(
            settings.stripe_secret_key.get_secret_value(),
            base_addresses={"api": settings.stripe_api_base},
            max_network_retries=settings.stripe_max_network_retries,
            http_client=stripe.HTTPXClient(timeout=settings.stripe_timeout_seconds, allow_sync_methods=True),
        )

    def create_checkout_session(
        self,
        *,
        idempotency_key: str,
        order_id: int,
        order_number: str,
        email: str,
        lines: list[CheckoutLine],
        currency: str,
        success_url: str,
        cancel_url: str,
        expires_at: datetime,
        language: str,
        method_types: list[str] | None = None,
    ) -> CreatedSession:
        """A hosted page for ``lines``; ``method_types`` are Stripe's payment method types (card and OXXO when
        not given: see ``shop.payments.methods.stripe_method_types`` for which fit a country)."""
        method_types = method_types or ["card", "oxxo"]
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": line.unit_amount,
                        "product_data": {"name": line.name[:250]},
                    },
                    "quantity": line.quantity,
                }
                for line in lines
            ],
            "payment_method_types": method_types,
            "customer_email": email,
            "client_reference_id": str(order_id),
            "metadata": {"order_id": str(order_id), "order_number": order_number},
            "payment_intent_data": {"metadata": {"order_id": str(order_id), "order_number": order_number}},
            "success_url": success_url,
            "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()),
            "locale": language if language in ("es", "en") else "es",
        }
        if "oxxo" in method_types:
            params["payment_method_options"] = {"oxxo": {"expires_after_days": self.settings.oxxo_expires_after_days}}
        session = self._call(
            lambda: self.client.v1.checkout.sessions.create(params=params, options={"idempotency_key": idempotency_key})
        )
        return CreatedSession(id=session.id, url=session.url, expires_at=_when(session.expires_at) or expires_at)

    def expire_session(self, session_id: str, *, idempotency_key: str) -> None:
        self._call(
            lambda: self.client.v1.checkout.sessions.expire(session_id, options={"idempotency_key": idempotency_key})
        )

    def payment_details(self, payment_intent_id: str) -> PaymentDetails:
        """What was paid, by which method, and Stripe's fee (from the charge's balance transaction)."""
        intent = self._call(
            lambda: self.client.v1.payment_intents.retrieve(
                payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]}
            )
        ).to_dict()
        # Stripe's fee as its balance transaction has it, tax included (the sum of its fee_details); None while
        # the charge has no balance transaction yet, so the caller can wait for it rather than book no fee.
        fee: int | None = 0
        charge = intent.get("latest_charge")
        if charge and not isinstance(charge, str):
            balance = charge.get("balance_transaction")
            fee = int(balance.get("fee") or 0) if balance and not isinstance(balance, str) else None
        voucher_url, voucher_expires = "", None
        action = intent.get("next_action")
        if action and action.get("type") == "oxxo_display_details":
            details = action.get("oxxo_display_details") or {}
            voucher_url = details.get("hosted_voucher_url") or ""
            voucher_expires = _when(details.get("expires_after"))
        types = list(intent.get("payment_method_types") or [])
        method = "oxxo" if voucher_url or types == ["oxxo"] else (types[0] if len(types) == 1 else "card")
        return PaymentDetails(
            payment_intent_id=intent["id"],
            status=intent["status"],
            amount_received=int(intent.get("amount_received") or 0),
            fee=fee,
            method=method,
            voucher_url=voucher_url,
            voucher_expires_at=voucher_expires,
        )

    def refund(self, *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: dict) -> str:
        refund = self._call(
            lambda: self.client.v1.refunds.create(
                params={"payment_intent": payment_intent_id, "amount": amount, "metadata": metadata},
                options={"idempotency_key": idempotency_key},
            )
        )
        return refund.id

    def list_refunds(self, payment_intent_id: str) -> list[StripeRefund]:
        """Every refund Stripe has of this payment (current API versions no longer list them on the charge)."""
        found: list[StripeRefund] = []
        params: dict[str, Any] = {"payment_intent": payment_intent_id, "limit": 100}
        while True:
            page = self._call(lambda params=params: self.client.v1.refunds.list(params=params))
            found.extend(StripeRefund.of(item.to_dict()) for item in page.data)
            if not page.has_more or not page.data:
                return found
            params = {**params, "starting_after": page.data[-1].id}

    def create_transfer(
        self,
        *,
        amount: int,
        currency: str,
        destination: str,
        idempotency_key: str,
        transfer_group: str,
        metadata: dict,
    ) -> str:
        """Pays a weaver from the cooperative's Stripe balance into her connected account; returns the transfer id.

        Stripe keeps a refusal under its idempotency key too: after TransferRefused, try again with a new key.
        """
        params: dict[str, Any] = {
            "amount": amount,
            "currency": currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group,
            "metadata": metadata,
        }
        transfer = self._call(
            lambda: self.client.v1.transfers.create(params=params, options={"idempotency_key": idempotency_key}),
            refused=lambda exc: self._transfer_refused(exc, destination),
        )
        return transfer.id

    def find_transfer(self, *, transfer_group: str, metadata_key: str, metadata_value: str) -> str | None:
        """The id of a transfer already made in ``transfer_group`` for this payout, if Stripe has one.

        Asked before sending again a transfer whose first answer was lost: idempotency keys expire after a day.
        """
        page = self._call(
            lambda: self.client.v1.transfers.list(params={"transfer_group": transfer_group, "limit": 100})
        )
        for transfer in page.data:
            metadata = transfer.metadata.to_dict() if transfer.metadata else {}
            if metadata.get(metadata_key) == metadata_value:
                return transfer.id
        return None

    def verify_signature(self, payload: bytes, signature: str | None) -> None:
        """Raises BadSignature unless Stripe signed ``payload`` with our webhook secret, recently enough.

        Only the signature is checked (``WebhookSignature.verify_header``): the caller parses the body once.
        """
        stripe = self.stripe
        if self.settings.stripe_webhook_secret is None:
            raise BadSignature("no webhook secret configured")
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"),
                signature or "",
                self.settings.stripe_webhook_secret.get_secret_value(),
                stripe.Webhook.DEFAULT_TOLERANCE,
            )
        except (UnicodeDecodeError, stripe.SignatureVerificationError) as exc:
            raise BadSignature(str(exc)) from exc

    def _call(self, request, *, refused: Callable[[Any], DomainError | None] | None = None):
        """``refused`` may turn a refusal into an error that says more than PaymentRefused (None: keep that)."""
        stripe = self.stripe
        try:
            return request()
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
            log.warning("stripe unavailable: %s", exc)
            raise PaymentProviderUnavailable() from exc
        except stripe.StripeError as exc:
            log.error("stripe refused a request: %s", exc)
            error = refused(exc) if refused is not None else None
            if error is None:
                error = PaymentRefused(
                    N_("The payment provider refused the request: %(reason)s"), reason=str(exc)[:200]
                )
            raise error from exc

    def _transfer_refused(self, exc, destination: str) -> DomainError | None:
        """What the treasurer can act on: top up the balance, or fix the weaver's account id."""
        if not isinstance(exc, self.stripe.InvalidRequestError):
            return None  # a wrong API key or a reused idempotency key is our mistake, not a refusal of this transfer
        if exc.code == "balance_insufficient":
            return TransferRefused(
                N_("Stripe refused the transfer: there is not enough money in the cooperative's Stripe balance.")
            )
        if exc.code == "resource_missing" and exc.param == "destination":
            return TransferRefused(
                N_("Stripe does not know the weaver's connected account %(account)s."), account=destination
            )
        return TransferRefused(
            N_("Stripe refused the transfer: %(reason)s"), reason=(exc.user_message or str(exc))[:200]
        )
