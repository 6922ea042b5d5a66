"""A fake Stripe API on loopback HTTP, so tests drive the real ``stripe`` SDK against it.

The fake covers what the shop uses: Checkout Sessions (create, retrieve, expire, line items), PaymentIntents,
charges and balance transactions (retrieve, with ``expand``), refunds, Connect transfers to connected accounts,
events, idempotency keys, API-key checks and Stripe's error shapes. Tests act as the buyer through
:class:`FakeStripe` methods (``complete_session``, ``pay_voucher``...), which return the webhook event Stripe would
send; ``sign`` turns an event into the exact bytes and ``Stripe-Signature`` header Stripe would deliver. Tests play
the cooperative's Connect set-up with ``add_connected_account`` and ``transfers_fail_with``.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import socket
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import stripe
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from .forms import parse_form

MODES = ("ok", "down", "slow", "error500", "lost_answer")
DEFAULT_WEBHOOK_SECRET = "whsec_fakestripe_0123456789abcdef"
DEFAULT_FEES: dict[str, tuple[int, int]] = {"card": (360, 300), "oxxo": (360, 300)}  # basis points, fixed minor units
# Stripe charges Mexican accounts IVA on its fees: the balance transaction's fee is the fee plus this tax.
DEFAULT_FEE_TAX_BP = 1600
# From this API version on, a charge no longer lists its refunds (https://docs.stripe.com/upgrades#2022-11-15).
CHARGE_REFUNDS_DROPPED = "2022-11-15"
MEXICO_CITY = ZoneInfo("America/Mexico_City")

# Stripe's minimum charge per currency, in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_CHARGE = {"mxn": 1000, "usd": 50, "eur": 50, "gbp": 30, "cad": 50}
PAYMENT_METHOD_TYPES = frozenset(
    {"card", "oxxo", "link", "customer_balance", "paypal", "klarna", "affirm", "afterpay_clearpay", "alipay"}
)
# fmt: off
LOCALES = frozenset({
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr", "fr-CA", "hr",
    "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl",
    "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
})
SESSION_PARAMS = frozenset({
    "mode", "line_items", "payment_method_types", "payment_method_options", "customer_email", "customer",
    "client_reference_id", "metadata", "payment_intent_data", "success_url", "cancel_url", "expires_at", "locale",
    "expand", "submit_type", "billing_address_collection", "shipping_address_collection", "phone_number_collection",
    "custom_text", "ui_mode", "return_url", "allow_promotion_codes", "automatic_tax", "customer_creation",
    "invoice_creation", "consent_collection", "currency", "discounts", "after_expiration", "custom_fields",
    "payment_method_collection", "tax_id_collection", "redirect_on_completion", "saved_payment_method_options",
    "payment_method_configuration", "customer_update",
})
# fmt: on
LINE_ITEM_PARAMS = frozenset(
    {"price", "price_data", "quantity", "adjustable_quantity", "dynamic_tax_rates", "tax_rates"}
)
PRICE_DATA_PARAMS = frozenset(
    {"currency", "unit_amount", "unit_amount_decimal", "product", "product_data", "recurring", "tax_behavior"}
)
# fmt: off
REFUND_PARAMS = frozenset({
    "payment_intent", "charge", "amount", "metadata", "reason", "refund_application_fee", "reverse_transfer",
    "instructions_email", "origin", "currency", "customer", "expand",
})
# fmt: on
REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
# fmt: off
TRANSFER_PARAMS = frozenset({
    "amount", "currency", "destination", "description", "metadata", "source_transaction", "source_type",
    "transfer_group", "expand",
})
# fmt: on
TRANSFER_SOURCE_TYPES = frozenset({"bank_account", "card", "fpx"})
# What ``transfers_fail_with`` can make Stripe answer to a transfer, by error code.
TRANSFER_FAILURES = {
    "balance_insufficient": "You have insufficient available funds in your Stripe account.",
}
ID_PREFIXES = {
    "cs_": "sessions",
    "pi_": "payment_intents",
    "ch_": "charges",
    "txn_": "balance_transactions",
    "re_": "refunds",
    "tr_": "transfers",
}

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    """A Stripe-looking id: the prefix plus random letters and digits."""
    return prefix + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def _format_amount(amount: int, currency: str) -> str:
    return f"{currency.upper()} {amount // 100:,}.{amount % 100:02d}"


class FakeStripeError(ValueError):
    """A Stripe API error. The server renders it as Stripe's JSON error; control methods raise it as is."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        replayed: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.code = code
        self.param = param
        # Raised after the endpoint began its work (not by param validation): Stripe keeps it under the
        # idempotency key and answers the same to every retry with that key.
        self.replayed = replayed

    def body(self, request_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        error["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": error}


@dataclass
class RecordedRequest:
    """One request the fake received (``status`` is filled in once it has answered; None if it never did)."""

    method: str
    path: str
    params: dict[str, Any]
    idempotency_key: str | None
    headers: dict[str, str]
    status: int | None = None


@dataclass
class _Stored:
    """An idempotent result: what was asked and what was answered."""

    method: str
    path: str
    params: dict[str, Any]
    status: int
    body: bytes
    request_id: str


@dataclass
class _Context:
    """Who is asking: used for events' ``request`` and ``api_version``."""

    request_id: str | None = None
    idempotency_key: str | None = None
    api_version: str | None = None


# ---------------------------------------------------------------------------------------------- param validation


def _missing(param: str) -> FakeStripeError:
    return FakeStripeError(f"Missing required param: {param}.", code="parameter_missing", param=param)


def _check_known(params: dict[str, Any], known: frozenset[str], prefix: str = "") -> None:
    for name in params:
        if name not in known:
            full = f"{prefix}[{name}]" if prefix else name
            raise FakeStripeError(f"Received unknown parameter: {full}", code="parameter_unknown", param=full)


def _int(value: Any, param: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not re.fullmatch(r"-?\d+", str(value)):
        raise FakeStripeError(f"Invalid integer: {value}", code="parameter_invalid_integer", param=param)
    number = int(value)
    if minimum is not None and number < minimum:
        text = "positive integer" if minimum == 1 else f"integer (must be at least {minimum})"
        raise FakeStripeError(f"Invalid {text}", code="parameter_invalid_integer", param=param)
    if maximum is not None and number > maximum:
        raise FakeStripeError(
            f"This value must be less than or equal to {maximum} (it currently is '{number}').",
            code="parameter_invalid_integer",
            param=param,
        )
    return number


def _string(value: Any, param: str, *, max_length: int = 5000, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise _missing(param)
        return None
    if not isinstance(value, str):
        raise FakeStripeError(f"Invalid string: {value!r}", param=param)
    if len(value) > max_length:
        raise FakeStripeError(
            f"Invalid string: {value[:20]}...; must be at most {max_length} characters",
            param=param,
        )
    return value


def _dict(value: Any, param: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise FakeStripeError(f"Invalid object: {param} must be a hash", param=param)
    return value


def _metadata(value: Any, param: str) -> dict[str, str]:
    metadata = _dict(value, param)
    if len(metadata) > 50:
        raise FakeStripeError("You can specify up to 50 keys for metadata.", param=param)
    for key, item in metadata.items():
        if not isinstance(item, str):
            raise FakeStripeError(f"Invalid value for metadata key {key}: must be a string", param=f"{param}[{key}]")
        if len(key) > 40:
            raise FakeStripeError(
                f"Metadata keys can have up to 40 characters, but you passed in a key that is {len(key)} characters.",
                param=f"{param}[{key}]",
            )
        if len(item) > 500:
            raise FakeStripeError(
                f"Metadata values can have up to 500 characters, but you passed in a value that is {len(item)} "
                "characters.",
                param=f"{param}[{key}]",
            )
    return {key: item for key, item in metadata.items() if item != ""}  # an empty value unsets the key


def _url(value: Any, param: str) -> str | None:
    text = _string(value, param)
    if text is not None and not re.match(r"^https?://[^\s/]+", text):
        raise FakeStripeError("Not a valid URL", code="url_invalid", param=param)
    return text


def _currency(value: Any, param: str) -> str:
    text = _string(value, param, required=True)
    assert text is not None
    if not re.fullmatch(r"[A-Za-z]{3}", text):
        raise FakeStripeError(f"Invalid currency: {text.lower()}.", param=param)
    return text.lower()


def _expand_paths(params: dict[str, Any]) -> list[str]:
    expand = params.get("expand")
    if expand is None or expand == "":
        return []
    if isinstance(expand, str):
        return [expand]
    if isinstance(expand, list) and all(isinstance(path, str) for path in expand):
        return expand
    raise FakeStripeError("Invalid array", param="expand")


# ---------------------------------------------------------------------------------------------- the fake


class FakeStripe:
    """A fake Stripe API server plus the controls a test needs to play the buyer, the dashboard and Stripe itself.

    Use as a context manager (``with FakeStripe() as fake:``) or call ``start()`` / ``stop()``.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
        fees: dict[str, tuple[int, int]] | None = None,
        slow_seconds: float = 3.0,
        clock: Callable[[], float] = time.time,
        api_version: str = stripe.api_version,
        fee_tax_bp: int = DEFAULT_FEE_TAX_BP,
    ) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.fees: dict[str, tuple[int, int]] = {**DEFAULT_FEES, **(fees or {})}
        self.fee_tax_bp = fee_tax_bp
        self.slow_seconds = slow_seconds
        self.clock = clock
        self.api_version = api_version
        self.on_event: Callable[[dict[str, Any]], None] | None = None

        self._lock = threading.RLock()
        self._mode = "ok"
        self.requests: list[RecordedRequest] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.balance_transactions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.connected_accounts: dict[str, dict[str, Any]] = {}
        self._transfers_fail_with: str | None = None
        self.events: list[dict[str, Any]] = []
        self._line_items: dict[str, list[dict[str, Any]]] = {}
        self._session_options: dict[str, dict[str, Any]] = {}
        self._idempotency: dict[tuple[str, str], _Stored] = {}
        self._pending_events: list[dict[str, Any]] = []

        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._stopping = False
        self._route_table = self._routes()
        self.app = _build_app(self)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeStripe:
        """Serve on 127.0.0.1 at a free port in a background thread; returns once it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("FakeStripe is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        config = uvicorn.Config(
            self.app,
            http=_protocol_class(self),
            ws="none",
            lifespan="off",
            loop="asyncio",
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="fakestripe", daemon=True)
        self._stopping = False
        self._server, self._thread, self._socket = server, thread, sock
        self._port = sock.getsockname()[1]
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("FakeStripe server did not start")
            time.sleep(0.002)
        return self

    def stop(self) -> None:
        """Stop serving (in-flight slow requests are cut short). Safe to call twice."""
        if self._thread is None:
            return
        self._stopping = True
        assert self._server is not None
        self._server.should_exit = True
        self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self._port = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base address, e.g. ``http://127.0.0.1:54321``; pass it as ``base_addresses={"api": fake.url}``."""
        if self._port is None:
            raise RuntimeError("FakeStripe is not running; call start() or use it as a context manager")
        return f"http://127.0.0.1:{self._port}"

    @property
    def mode(self) -> str:
        """``ok``, ``down`` (connections are dropped), ``slow`` (answers after ``slow_seconds``), ``error500``, or
        ``lost_answer`` (the request is done at once, but answered only after ``slow_seconds``: the caller's
        timeout fires although Stripe did what was asked)."""
        return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        if value not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {value!r}")
        self._mode = value

    @property
    def transfers_fail_with(self) -> str | None:
        """An error code (a key of ``TRANSFER_FAILURES``, e.g. ``balance_insufficient``) that every transfer
        that passes validation gets instead of moving money; None (the default) lets transfers through."""
        return self._transfers_fail_with

    @transfers_fail_with.setter
    def transfers_fail_with(self, value: str | None) -> None:
        if value is not None and value not in TRANSFER_FAILURES:
            raise ValueError(f"transfers_fail_with must be None or one of {sorted(TRANSFER_FAILURES)}, not {value!r}")
        self._transfers_fail_with = value

    def reset(self) -> None:
        """Forget every object, request, event, connected account and idempotency key, and go back to mode ``ok``
        with transfers going through."""
        with self._lock:
            self._mode = "ok"
            self._transfers_fail_with = None
            for store in (
                self.requests,
                self.sessions,
                self.payment_intents,
                self.charges,
                self.balance_transactions,
                self.refunds,
                self.transfers,
                self.connected_accounts,
                self.events,
                self._line_items,
                self._session_options,
                self._idempotency,
                self._pending_events,
            ):
                store.clear()

    def client(self, api_key: str = "sk_test_123", *, timeout: float = 5) -> stripe.StripeClient:
        """A StripeClient configured the way the shop configures its own, pointed at this fake."""
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": self.url},
            max_network_retries=0,
            http_client=stripe.HTTPXClient(timeout=timeout, allow_sync_methods=True),
        )

    def fee_parts(self, method: str, amount: int) -> tuple[int, int]:
        """Stripe's processing fee for ``amount`` by ``method`` (percentage rounded half up, plus fixed) and the
        tax on it, rounded half up."""
        basis_points, fixed = self.fees[method]
        fee = (amount * basis_points + 5000) // 10000 + fixed
        return fee, (fee * self.fee_tax_bp + 5000) // 10000

    def fee_for(self, method: str, amount: int) -> int:
        """What the balance transaction's ``fee`` says Stripe kept: its fee plus the tax on it."""
        return sum(self.fee_parts(method, amount))

    def add_connected_account(self, account_id: str | None = None, *, country: str = "MX") -> str:
        """A weaver's Stripe Connect account that transfers may go to; returns its id (``acct_…``)."""
        if account_id is not None and not account_id.startswith("acct_"):
            raise ValueError(f"a connected account id starts with 'acct_', not {account_id!r}")
        account_id = account_id or new_id("acct_1", 15)
        with self._lock:
            self.connected_accounts[account_id] = {
                "id": account_id,
                "object": "account",
                "country": country,
                "default_currency": "mxn" if country == "MX" else "usd",
                "payouts_enabled": True,
                "type": "express",
            }
        return account_id

    # ------------------------------------------------------------------ buyer / dashboard controls

    def complete_session(self, session_id: str, method: str = "card") -> dict[str, Any]:
        """The buyer pays on the hosted page. ``card``: paid at once. ``oxxo``: a voucher, still unpaid.

        Returns the ``checkout.session.completed`` event.
        """
        with self._lock:
            self._expire_due_sessions()
            session = self._session_for_control(session_id)
            if session["status"] != "open":
                raise FakeStripeError(f"Checkout Session {session_id} is {session['status']}, not open")
            if session["amount_total"] > 0 and method not in session["payment_method_types"]:
                raise ValueError(f"{method!r} is not among the session's payment_method_types")
            if method not in ("card", "oxxo"):
                raise ValueError("the fake completes sessions with method 'card' or 'oxxo' only")
            session["status"] = "complete"
            session["url"] = None
            session["customer_details"] = {
                "address": None,
                "email": session["customer_email"],
                "name": None,
                "phone": None,
                "tax_exempt": "none",
                "tax_ids": [],
            }
            if session["amount_total"] == 0:
                session["payment_status"] = "no_payment_required"
            else:
                intent = self._new_payment_intent(session, method)
                session["payment_intent"] = intent["id"]
                if method == "card":
                    self._succeed(intent, "card")
                    session["payment_status"] = "paid"
                else:
                    days = self._session_options[session_id]["oxxo_expires_after_days"]
                    intent["status"] = "requires_action"
                    intent["next_action"] = {
                        "type": "oxxo_display_details",
                        "oxxo_display_details": {
                            "expires_after": self._voucher_expiry(days),
                            "hosted_voucher_url": f"{self.url}/voucher/{intent['id']}",
                            "number": "".join(secrets.choice(string.digits) for _ in range(32)),
                        },
                    }
            event = self._emit("checkout.session.completed", session)
        self._deliver_pending()
        return event

    def pay_voucher(self, session_id: str) -> dict[str, Any]:
        """The buyer pays the OXXO voucher in a store. Returns ``checkout.session.async_payment_succeeded``."""
        with self._lock:
            session, intent = self._voucher_session(session_id)
            self._succeed(intent, "oxxo")
            session["payment_status"] = "paid"
            event = self._emit("checkout.session.async_payment_succeeded", session)
        self._deliver_pending()
        return event

    def fail_voucher(self, session_id: str) -> dict[str, Any]:
        """The OXXO voucher expires unpaid. Returns ``checkout.session.async_payment_failed``.

        The PaymentIntent goes back to ``requires_payment_method`` (no charge), as Stripe does for expired vouchers;
        the session stays ``complete`` / ``unpaid``.
        """
        with self._lock:
            session, intent = self._voucher_session(session_id)
            intent["status"] = "requires_payment_method"
            intent["next_action"] = None
            event = self._emit("checkout.session.async_payment_failed", session)
        self._deliver_pending()
        return event

    def expire_session(self, session_id: str) -> dict[str, Any]:
        """The session expires (as at ``expires_at``, or after an API expire). Returns ``checkout.session.expired``."""
        with self._lock:
            session = self._session_for_control(session_id)
            if session["status"] != "open":
                raise FakeStripeError(f"Checkout Session {session_id} is {session['status']}, not open")
            event = self._expire(session, _Context())
        self._deliver_pending()
        return event

    def expire_due_sessions(self) -> list[dict[str, Any]]:
        """Expire every open session whose ``expires_at`` has passed on ``clock``; returns their events.

        The server also does this before every request, so a test that moves ``clock`` sees expiry on its next call.
        """
        with self._lock:
            events = self._expire_due_sessions()
        self._deliver_pending()
        return events

    def dashboard_refund(self, payment_intent_id: str, amount: int | None = None) -> dict[str, Any]:
        """Someone refunds from the Stripe dashboard (no metadata). ``amount`` None refunds what is left.

        Returns ``charge.refunded`` whose ``data.object`` is the charge with ``amount_refunded`` and ``refunds``.
        """
        with self._lock:
            intent = self.payment_intents.get(payment_intent_id)
            if intent is None:
                raise FakeStripeError(f"No such payment_intent: '{payment_intent_id}'", code="resource_missing")
            charge = self._refundable_charge(intent)
            context = _Context(request_id=new_id("req_", 14))
            self._refund(charge, amount, {}, None, context)
            event = self.events[-1]
        self._deliver_pending()
        return event

    def fail_refund(self, refund_id: str) -> dict[str, Any]:
        """A refund fails after it was made (the card was closed, say): the money is back in the balance.

        Returns ``refund.updated`` whose object is the refund, now ``failed``.
        """
        with self._lock:
            refund = self.refunds.get(refund_id)
            if refund is None:
                raise FakeStripeError(f"No such refund: '{refund_id}'", code="resource_missing")
            if refund["status"] in ("failed", "canceled"):
                raise FakeStripeError(f"Refund {refund_id} is already {refund['status']}")
            refund["status"] = "failed"
            refund["failure_reason"] = "expired_or_canceled_card"
            charge = self.charges[refund["charge"]]
            charge["amount_refunded"] -= refund["amount"]
            charge["refunded"] = False
            event = self._emit("refund.updated", refund, _Context())
        self._deliver_pending()
        return event

    def refunds_of(self, payment_intent_id: str) -> list[dict[str, Any]]:
        """The refunds Stripe has of a payment, newest first, as ``GET /v1/refunds`` lists them."""
        with self._lock:
            return [
                copy.deepcopy(r) for r in reversed(self.refunds.values()) if r["payment_intent"] == payment_intent_id
            ]

    def dashboard_reverse_transfer(self, transfer_id: str, amount: int | None = None) -> dict[str, Any]:
        """Someone reverses (part of) a Connect transfer from the dashboard; ``amount`` None reverses what is left.

        Returns ``transfer.reversed`` whose ``data.object`` is the transfer with its new ``amount_reversed``.
        """
        with self._lock:
            transfer = self.transfers.get(transfer_id)
            if transfer is None:
                raise FakeStripeError(f"No such transfer: '{transfer_id}'", code="resource_missing")
            left = transfer["amount"] - transfer["amount_reversed"]
            amount = left if amount is None else amount
            if not 0 < amount <= left:
                raise FakeStripeError(f"Cannot reverse {amount}: {left} is left on the transfer", param="amount")
            reversal = {
                "id": new_id("trr_1"),
                "object": "transfer_reversal",
                "amount": amount,
                "currency": transfer["currency"],
                "created": self._now(),
                "transfer": transfer_id,
                "metadata": {},
            }
            transfer["reversals"]["data"].append(reversal)
            transfer["reversals"]["total_count"] += 1
            transfer["amount_reversed"] += amount
            transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
            event = self._emit("transfer.reversed", transfer, _Context(request_id=new_id("req_", 14)))
        self._deliver_pending()
        return event

    def unknown_event(self, type: str = "customer.created") -> dict[str, Any]:
        """An event of a type the shop does not handle, e.g. to test that unknown types are acknowledged and ignored."""
        kind = type.rsplit(".", 1)[0]
        prefixes = {"customer": "cus_", "invoice": "in_", "product": "prod_", "price": "price_", "payout": "po_"}
        obj = {"id": new_id(prefixes.get(kind, "obj_")), "object": kind, "livemode": False, "metadata": {}}
        with self._lock:
            event = self._emit(type, obj)
        self._deliver_pending()
        return event

    # ------------------------------------------------------------------ webhook signing

    def sign(
        self,
        event_or_payload: dict[str, Any] | str | bytes,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers Stripe would POST to a webhook endpoint.

        A dict is serialised as Stripe does (pretty JSON, UTF-8); str/bytes are signed as given. The signature is
        ``v1`` = HMAC-SHA256(secret, f"{t}.{payload}") in hex. Pass another ``secret`` for a wrong signature or an
        old ``timestamp`` (e.g. ``int(time.time()) - 600``) for a stale one.
        """
        if isinstance(event_or_payload, dict):
            payload = json.dumps(event_or_payload, indent=2, ensure_ascii=False).encode("utf-8")
        elif isinstance(event_or_payload, str):
            payload = event_or_payload.encode("utf-8")
        else:
            payload = bytes(event_or_payload)
        return payload, {"Stripe-Signature": self.signature_header(payload, secret, timestamp)}

    def signature_header(self, payload: bytes | str, secret: str | None = None, timestamp: int | None = None) -> str:
        """Just the ``Stripe-Signature`` header value (``t=...,v1=...``) for ``payload``."""
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        stamp = int(time.time()) if timestamp is None else int(timestamp)
        key = (secret if secret is not None else self.webhook_secret).encode("utf-8")
        digest = hmac.new(key, f"{stamp}.{text}".encode(), hashlib.sha256).hexdigest()
        return f"t={stamp},v1={digest}"

    # ------------------------------------------------------------------ internals: objects

    def _now(self) -> int:
        return int(self.clock())

    def _session_for_control(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise FakeStripeError(f"No such checkout.session: '{session_id}'", code="resource_missing", status=404)
        return session

    def _voucher_session(self, session_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
        session = self._session_for_control(session_id)
        intent = self.payment_intents.get(session["payment_intent"] or "")
        if intent is None or (intent["next_action"] or {}).get("type") != "oxxo_display_details":
            raise ValueError(f"session {session_id} has no unpaid OXXO voucher (complete it with method='oxxo')")
        return session, intent

    def _voucher_expiry(self, days: int) -> int:
        """23:59 in Mexico City, ``days`` calendar days from today there, as Stripe documents."""
        today = datetime.fromtimestamp(self._now(), MEXICO_CITY).date()
        last_day = today + timedelta(days=days)
        return int(datetime(last_day.year, last_day.month, last_day.day, 23, 59, 59, tzinfo=MEXICO_CITY).timestamp())

    def _new_payment_intent(self, session: dict[str, Any], method: str) -> dict[str, Any]:
        intent_id = new_id("pi_3")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_capturable": 0,
            "amount_received": 0,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": "automatic",
            "client_secret": f"{intent_id}_secret_{new_id('', 25)}",
            "confirmation_method": "automatic",
            "created": self._now(),
            "currency": session["currency"],
            "customer": None,
            "description": None,
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": dict(self._session_options[session["id"]]["payment_intent_metadata"]),
            "next_action": None,
            "payment_method": new_id("pm_1"),
            "payment_method_types": list(session["payment_method_types"]),
            "receipt_email": None,
            "status": "requires_payment_method",
        }
        self.payment_intents[intent_id] = intent
        return intent

    def _succeed(self, intent: dict[str, Any], method: str) -> None:
        amount, currency, now = intent["amount"], intent["currency"], self._now()
        stripe_fee, tax = self.fee_parts(method, amount)
        fee = stripe_fee + tax
        charge_id, transaction_id = new_id("ch_3"), new_id("txn_3")
        self.balance_transactions[transaction_id] = {
            "id": transaction_id,
            "object": "balance_transaction",
            "amount": amount,
            "available_on": now + 7 * 86400,
            "created": now,
            "currency": currency,
            "description": None,
            "exchange_rate": None,
            "fee": fee,
            "fee_details": [
                {
                    "amount": stripe_fee,
                    "application": None,
                    "currency": currency,
                    "description": "Stripe processing fees",
                    "type": "stripe_fee",
                },
                {
                    "amount": tax,
                    "application": None,
                    "currency": currency,
                    "description": "IVA",
                    "type": "tax",
                },
            ],
            "net": amount - fee,
            "reporting_category": "charge",
            "source": charge_id,
            "status": "pending",
            "type": "charge",
        }
        if method == "card":
            details: dict[str, Any] = {
                "type": "card",
                "card": {
                    "brand": "visa",
                    "country": "MX",
                    "exp_month": 12,
                    "exp_year": 2034,
                    "funding": "credit",
                    "last4": "4242",
                    "network": "visa",
                },
            }
        else:
            voucher = (intent["next_action"] or {}).get("oxxo_display_details", {})
            details = {"type": "oxxo", "oxxo": {"number": voucher.get("number")}}
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "balance_transaction": transaction_id,
            "captured": True,
            "created": now,
            "currency": currency,
            "customer": None,
            "description": None,
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "outcome": {
                "network_status": "approved_by_network",
                "risk_level": "normal",
                "seller_message": "Payment complete.",
                "type": "authorized",
            },
            "paid": True,
            "payment_intent": intent["id"],
            "payment_method": intent["payment_method"],
            "payment_method_details": details,
            "receipt_url": f"{self.url}/receipts/{charge_id}",
            "refunded": False,
            "status": "succeeded",
        }
        if self.api_version < CHARGE_REFUNDS_DROPPED:
            self.charges[charge_id]["refunds"] = {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/charges/{charge_id}/refunds",
            }
        intent.update(
            status="succeeded",
            amount_received=amount,
            latest_charge=charge_id,
            next_action=None,
            payment_method_types=[method] if method == "oxxo" else intent["payment_method_types"],
        )

    def _refundable_charge(self, intent: dict[str, Any]) -> dict[str, Any]:
        if intent["status"] != "succeeded" or not intent["latest_charge"]:
            raise FakeStripeError(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="payment_intent_unexpected_state",
                param="payment_intent",
            )
        return self.charges[intent["latest_charge"]]

    def _refund(
        self,
        charge: dict[str, Any],
        amount: int | None,
        metadata: dict[str, str],
        reason: str | None,
        context: _Context,
    ) -> dict[str, Any]:
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise FakeStripeError(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        if amount is None:
            amount = remaining
        if amount <= 0:
            raise FakeStripeError("Invalid positive integer", code="parameter_invalid_integer", param="amount")
        if amount > remaining:
            raise FakeStripeError(
                f"Refund amount ({_format_amount(amount, charge['currency'])}) is greater than unrefunded amount on "
                f"charge ({_format_amount(remaining, charge['currency'])})",
                code="amount_too_large",
                param="amount",
            )
        now = self._now()
        refund_id, transaction_id = new_id("re_3"), new_id("txn_3")
        self.balance_transactions[transaction_id] = {
            "id": transaction_id,
            "object": "balance_transaction",
            "amount": -amount,
            "available_on": now,
            "created": now,
            "currency": charge["currency"],
            "description": "REFUND FOR CHARGE",
            "exchange_rate": None,
            "fee": 0,
            "fee_details": [],
            "net": -amount,
            "reporting_category": "refund",
            "source": refund_id,
            "status": "available",
            "type": "refund",
        }
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": transaction_id,
            "charge": charge["id"],
            "created": now,
            "currency": charge["currency"],
            "destination_details": None,
            "metadata": metadata,
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
        self.refunds[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        if "refunds" in charge:
            charge["refunds"]["data"].insert(0, refund)
            charge["refunds"]["total_count"] += 1
        self._emit("refund.created", refund, context)
        self._emit("charge.refunded", charge, context)
        return refund

    def _expire(self, session: dict[str, Any], context: _Context) -> dict[str, Any]:
        session["status"] = "expired"
        session["url"] = None
        return self._emit("checkout.session.expired", session, context)

    def _expire_due_sessions(self) -> list[dict[str, Any]]:
        now = self._now()
        return [
            self._expire(session, _Context())
            for session in list(self.sessions.values())
            if session["status"] == "open" and session["expires_at"] <= now
        ]

    # ------------------------------------------------------------------ internals: events

    def _emit(self, event_type: str, obj: dict[str, Any], context: _Context | None = None) -> dict[str, Any]:
        context = context or _Context()
        event = {
            "id": new_id("evt_3"),
            "object": "event",
            "api_version": context.api_version or self.api_version,
            "created": self._now(),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": context.request_id, "idempotency_key": context.idempotency_key},
            "type": event_type,
        }
        self.events.append(event)
        self._pending_events.append(event)
        return event

    def _deliver_pending(self) -> None:
        """Hand newly emitted events to ``on_event`` (outside the lock, so it may call back into the fake)."""
        with self._lock:
            pending, self._pending_events[:] = list(self._pending_events), []
        callback = self.on_event
        if callback is not None:
            for event in pending:
                callback(event)

    def _lookup(self, object_id: str) -> dict[str, Any] | None:
        for prefix, attribute in ID_PREFIXES.items():
            if object_id.startswith(prefix):
                return getattr(self, attribute).get(object_id)
        return None

    def _expand(self, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
        result = copy.deepcopy(obj)
        for path in paths:
            self._expand_path(result, path.split("."), path)
        return result

    def _expand_path(self, obj: dict[str, Any], parts: list[str], full: str) -> None:
        name = parts[0]
        value = obj.get(name, ...)
        if isinstance(value, str):
            target = self._lookup(value)
            if target is None:
                raise FakeStripeError(f"This property cannot be expanded ({name}).", param="expand")
            value = obj[name] = copy.deepcopy(target)
        elif value is ... or (value is not None and not isinstance(value, dict)):
            raise FakeStripeError(f"This property cannot be expanded ({name}).", param="expand")
        if value is not None and len(parts) > 1:
            self._expand_path(value, parts[1:], full)

    # ------------------------------------------------------------------ internals: API endpoints (lock held)

    def _get(self, store: dict[str, dict[str, Any]], object_id: str, name: str, param: str) -> dict[str, Any]:
        obj = store.get(object_id)
        if obj is None:
            raise FakeStripeError(f"No such {name}: '{object_id}'", status=404, code="resource_missing", param=param)
        return obj

    def _api_create_session(self, params: dict[str, Any], context: _Context) -> dict[str, Any]:
        _check_known(params, SESSION_PARAMS)
        mode = _string(params.get("mode"), "mode", required=True)
        if mode not in ("payment", "setup", "subscription"):
            raise FakeStripeError(
                f"Invalid mode: must be one of payment, setup, or subscription (got {mode})", param="mode"
            )
        if mode != "payment":
            raise FakeStripeError("FakeStripe only supports mode=payment", param="mode")

        line_items = params.get("line_items")
        if not line_items:
            raise FakeStripeError(
                "You must specify either `line_items` or `mode=setup` to create a Checkout Session.",
                code="parameter_missing",
                param="line_items",
            )
        if not isinstance(line_items, list):
            raise FakeStripeError("Invalid array", param="line_items")
        items: list[dict[str, Any]] = []
        currencies: set[str] = set()
        for index, item in enumerate(line_items):
            prefix = f"line_items[{index}]"
            if not isinstance(item, dict):
                raise FakeStripeError("Invalid object", param=prefix)
            _check_known(item, LINE_ITEM_PARAMS, prefix)
            if "price" in item:
                raise FakeStripeError(
                    f"No such price: '{item['price']}'", code="resource_missing", param=f"{prefix}[price]"
                )
            price_data = item.get("price_data")
            if not isinstance(price_data, dict):
                raise FakeStripeError(
                    "You must specify either `price` or `price_data` for each line item.",
                    code="parameter_missing",
                    param=f"{prefix}[price_data]",
                )
            _check_known(price_data, PRICE_DATA_PARAMS, f"{prefix}[price_data]")
            currency = _currency(price_data.get("currency"), f"{prefix}[price_data][currency]")
            if "unit_amount" not in price_data:
                raise _missing(f"{prefix}[price_data][unit_amount]")
            unit_amount = _int(price_data["unit_amount"], f"{prefix}[price_data][unit_amount]", minimum=0)
            product_data = _dict(price_data.get("product_data"), f"{prefix}[price_data][product_data]")
            if not product_data:
                raise _missing(f"{prefix}[price_data][product_data]")
            name = _string(product_data.get("name"), f"{prefix}[price_data][product_data][name]", required=True)
            if "quantity" not in item:
                raise _missing(f"{prefix}[quantity]")
            quantity = _int(item["quantity"], f"{prefix}[quantity]", minimum=1, maximum=999999)
            currencies.add(currency)
            items.append(
                {
                    "id": new_id("li_1"),
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": unit_amount * quantity,
                    "amount_tax": 0,
                    "amount_total": unit_amount * quantity,
                    "currency": currency,
                    "description": name,
                    "price": {
                        "id": new_id("price_1"),
                        "object": "price",
                        "currency": currency,
                        "product": new_id("prod_"),
                        "type": "one_time",
                        "unit_amount": unit_amount,
                    },
                    "quantity": quantity,
                }
            )
        if len(currencies) > 1:
            raise FakeStripeError(
                "Checkout does not support multiple currencies. All line items must use the same currency.",
                param="line_items",
            )
        currency = currencies.pop()
        amount = sum(item["amount_total"] for item in items)
        minimum = MINIMUM_CHARGE.get(currency, 50)
        if 0 < amount < minimum:
            raise FakeStripeError(
                f"The Checkout Session's total amount due must add up to at least {_format_amount(minimum, currency)}",
                param="line_items",
            )

        method_types = params.get("payment_method_types") or ["card"]
        if not isinstance(method_types, list):
            raise FakeStripeError("Invalid array", param="payment_method_types")
        for index, method in enumerate(method_types):
            if method not in PAYMENT_METHOD_TYPES:
                raise FakeStripeError(
                    f"Invalid payment_method_types[{index}]: must be one of {', '.join(sorted(PAYMENT_METHOD_TYPES))}",
                    param=f"payment_method_types[{index}]",
                )
        if "oxxo" in method_types and currency != "mxn":
            raise FakeStripeError(
                f"The currency provided ({currency}) is invalid. Payments with oxxo support the following "
                "currencies: mxn.",
                param="payment_method_types",
            )
        method_options = _dict(params.get("payment_method_options"), "payment_method_options")
        oxxo_options = _dict(method_options.get("oxxo"), "payment_method_options[oxxo]")
        oxxo_days = 3
        if "expires_after_days" in oxxo_options:
            oxxo_days = _int(
                oxxo_options["expires_after_days"],
                "payment_method_options[oxxo][expires_after_days]",
                minimum=1,
                maximum=7,
            )

        now = self._now()
        expires_at = now + 24 * 3600
        if params.get("expires_at") not in (None, ""):
            expires_at = _int(params["expires_at"], "expires_at")
            if expires_at < now + 30 * 60:
                raise FakeStripeError(
                    "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.",
                    param="expires_at",
                )
            if expires_at > now + 24 * 3600:
                raise FakeStripeError(
                    "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.",
                    param="expires_at",
                )

        email = _string(params.get("customer_email"), "customer_email", max_length=800)
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise FakeStripeError(f"Invalid email address: {email}", code="email_invalid", param="customer_email")
        locale = _string(params.get("locale"), "locale")
        if locale is not None and locale not in LOCALES:
            raise FakeStripeError(f"Invalid locale: {locale}", param="locale")
        intent_data = _dict(params.get("payment_intent_data"), "payment_intent_data")

        session_id = new_id("cs_test_a1", 56)
        payment_options: dict[str, Any] = {}
        if "card" in method_types:
            payment_options["card"] = {"request_three_d_secure": "automatic"}
        if "oxxo" in method_types:
            payment_options["oxxo"] = {"expires_after_days": oxxo_days}
        session = {
            "id": session_id,
            "object": "checkout.session",
            "after_expiration": None,
            "allow_promotion_codes": None,
            "amount_subtotal": amount,
            "amount_total": amount,
            "automatic_tax": {"enabled": False, "liability": None, "status": None},
            "billing_address_collection": None,
            "cancel_url": _url(params.get("cancel_url"), "cancel_url"),
            "client_reference_id": _string(params.get("client_reference_id"), "client_reference_id", max_length=200),
            "client_secret": None,
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_creation": "if_required",
            "customer_details": None,
            "customer_email": email,
            "expires_at": expires_at,
            "invoice": None,
            "livemode": False,
            "locale": locale,
            "metadata": _metadata(params.get("metadata"), "metadata"),
            "mode": "payment",
            "payment_intent": None,
            "payment_method_options": payment_options,
            "payment_method_types": list(method_types),
            "payment_status": "unpaid",
            "status": "open",
            "submit_type": None,
            "success_url": _url(params.get("success_url"), "success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted",
            "url": f"{self.url}/pay/{session_id}",
        }
        self._session_options[session_id] = {
            "oxxo_expires_after_days": oxxo_days,
            "payment_intent_metadata": _metadata(intent_data.get("metadata"), "payment_intent_data[metadata]"),
        }
        self._line_items[session_id] = items
        self.sessions[session_id] = session
        return session

    def _api_retrieve_session(self, params: dict[str, Any], session_id: str, context: _Context) -> dict[str, Any]:
        _check_known(params, frozenset({"expand"}))
        return self._get(self.sessions, session_id, "checkout.session", "session")

    def _api_expire_session(self, params: dict[str, Any], session_id: str, context: _Context) -> dict[str, Any]:
        _check_known(params, frozenset({"expand"}))
        session = self._get(self.sessions, session_id, "checkout.session", "session")
        if session["status"] != "open":
            raise FakeStripeError(
                f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a '
                f"status of {session['status']}."
            )
        self._expire(session, context)
        return session

    def _api_session_line_items(self, params: dict[str, Any], session_id: str, context: _Context) -> dict[str, Any]:
        _check_known(params, frozenset({"expand", "limit", "starting_after", "ending_before"}))
        self._get(self.sessions, session_id, "checkout.session", "session")
        items = self._line_items[session_id]
        return {
            "object": "list",
            "data": items,
            "has_more": False,
            "url": f"/v1/checkout/sessions/{session_id}/line_items",
        }

    def _api_retrieve(self, attribute: str, name: str, param: str) -> Callable[..., dict[str, Any]]:
        def retrieve(params: dict[str, Any], object_id: str, context: _Context) -> dict[str, Any]:
            _check_known(params, frozenset({"expand"}))
            return self._get(getattr(self, attribute), object_id, name, param)

        return retrieve

    def _api_list_transfers(self, params: dict[str, Any], context: _Context) -> dict[str, Any]:
        _check_known(params, frozenset({"transfer_group", "destination", "limit", "expand", "created"}))
        limit = _int(params.get("limit") or 10, "limit", minimum=1)
        if limit > 100:
            raise FakeStripeError("This value must be less than or equal to 100.", param="limit")
        found = [
            transfer
            for transfer in reversed(list(self.transfers.values()))
            if params.get("transfer_group") in (None, transfer["transfer_group"])
            and params.get("destination") in (None, transfer["destination"])
        ]
        return {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": "/v1/transfers"}

    def _api_list_refunds(self, params: dict[str, Any], context: _Context) -> dict[str, Any]:
        _check_known(
            params,
            frozenset({"payment_intent", "charge", "limit", "starting_after", "ending_before", "expand", "created"}),
        )
        limit = _int(params.get("limit") or 10, "limit", minimum=1)
        if limit > 100:
            raise FakeStripeError("This value must be less than or equal to 100.", param="limit")
        intent_id = _string(params.get("payment_intent"), "payment_intent")
        if intent_id is not None and intent_id not in self.payment_intents:
            raise FakeStripeError(
                f"No such payment_intent: '{intent_id}'", code="resource_missing", param="payment_intent"
            )
        found = [
            refund
            for refund in reversed(list(self.refunds.values()))
            if intent_id in (None, refund["payment_intent"]) and params.get("charge") in (None, refund["charge"])
        ]
        after = _string(params.get("starting_after"), "starting_after")
        if after is not None:
            ids = [refund["id"] for refund in found]
            if after not in ids:
                raise FakeStripeError(f"No such refund: '{after}'", code="resource_missing", param="starting_after")
            found = found[ids.index(after) + 1 :]
        return {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": "/v1/refunds"}

    def _api_retrieve_event(self, params: dict[str, Any], event_id: str, context: _Context) -> dict[str, Any]:
        _check_known(params, frozenset({"expand"}))
        for event in self.events:
            if event["id"] == event_id:
                return event
        raise FakeStripeError(f"No such event: '{event_id}'", status=404, code="resource_missing", param="id")

    def _api_create_refund(self, params: dict[str, Any], context: _Context) -> dict[str, Any]:
        _check_known(params, REFUND_PARAMS)
        intent_id = _string(params.get("payment_intent"), "payment_intent")
        charge_id = _string(params.get("charge"), "charge")
        if intent_id is None and charge_id is None:
            raise FakeStripeError(
                "One of the following params should be provided for this request: payment_intent or charge.",
                code="parameter_missing",
            )
        if intent_id is not None:
            intent = self.payment_intents.get(intent_id)
            if intent is None:
                raise FakeStripeError(
                    f"No such payment_intent: '{intent_id}'", code="resource_missing", param="payment_intent"
                )
            charge = self._refundable_charge(intent)
            if charge_id is not None and charge_id != charge["id"]:
                raise FakeStripeError(
                    f"The charge {charge_id} does not belong to PaymentIntent {intent_id}.", param="charge"
                )
        else:
            assert charge_id is not None
            found = self.charges.get(charge_id)
            if found is None:
                raise FakeStripeError(f"No such charge: '{charge_id}'", code="resource_missing", param="charge")
            charge = found
        amount = _int(params["amount"], "amount", minimum=1) if params.get("amount") not in (None, "") else None
        reason = _string(params.get("reason"), "reason")
        if reason is not None and reason not in REFUND_REASONS:
            raise FakeStripeError(f"Invalid reason: must be one of {', '.join(sorted(REFUND_REASONS))}", param="reason")
        metadata = _metadata(params.get("metadata"), "metadata")
        return self._refund(charge, amount, metadata, reason, context)

    def _api_create_transfer(self, params: dict[str, Any], context: _Context) -> dict[str, Any]:
        _check_known(params, TRANSFER_PARAMS)
        if params.get("amount") in (None, ""):
            raise _missing("amount")
        amount = _int(params["amount"], "amount", minimum=1)
        currency = _currency(params.get("currency"), "currency")
        destination = _string(params.get("destination"), "destination", required=True)
        assert destination is not None
        description = _string(params.get("description"), "description")
        transfer_group = _string(params.get("transfer_group"), "transfer_group")
        metadata = _metadata(params.get("metadata"), "metadata")
        source_type = _string(params.get("source_type"), "source_type") or "card"
        if source_type not in TRANSFER_SOURCE_TYPES:
            raise FakeStripeError(
                f"Invalid source_type: must be one of {', '.join(sorted(TRANSFER_SOURCE_TYPES))}", param="source_type"
            )
        source_transaction = _string(params.get("source_transaction"), "source_transaction")
        if source_transaction is not None and source_transaction not in self.charges:
            raise FakeStripeError(
                f"No such charge: '{source_transaction}'", code="resource_missing", param="source_transaction"
            )
        if destination not in self.connected_accounts:
            raise FakeStripeError(f"No such destination: '{destination}'", code="resource_missing", param="destination")
        if self._transfers_fail_with is not None:
            code = self._transfers_fail_with
            raise FakeStripeError(TRANSFER_FAILURES[code], code=code, replayed=True)

        now = self._now()
        transfer_id, transaction_id = new_id("tr_1"), new_id("txn_1")
        self.balance_transactions[transaction_id] = {
            "id": transaction_id,
            "object": "balance_transaction",
            "amount": -amount,
            "available_on": now,
            "created": now,
            "currency": currency,
            "description": description,
            "exchange_rate": None,
            "fee": 0,
            "fee_details": [],
            "net": -amount,
            "reporting_category": "transfer",
            "source": transfer_id,
            "status": "available",
            "type": "transfer",
        }
        transfer = {
            "id": transfer_id,
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "balance_transaction": transaction_id,
            "created": now,
            "currency": currency,
            "description": description,
            "destination": destination,
            "destination_payment": new_id("py_1"),
            "livemode": False,
            "metadata": metadata,
            "reversals": {
                "object": "list",
                "data": [],
                "has_more": False,
                "total_count": 0,
                "url": f"/v1/transfers/{transfer_id}/reversals",
            },
            "reversed": False,
            "source_transaction": source_transaction,
            "source_type": source_type,
            "transfer_group": transfer_group,
        }
        self.transfers[transfer_id] = transfer
        self._emit("transfer.created", transfer, context)
        return transfer

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., dict[str, Any]]]]:
        identifier = r"([A-Za-z0-9_]+)"
        return [
            ("POST", re.compile(r"/v1/checkout/sessions"), self._api_create_session),
            ("GET", re.compile(rf"/v1/checkout/sessions/{identifier}"), self._api_retrieve_session),
            ("POST", re.compile(rf"/v1/checkout/sessions/{identifier}/expire"), self._api_expire_session),
            ("GET", re.compile(rf"/v1/checkout/sessions/{identifier}/line_items"), self._api_session_line_items),
            (
                "GET",
                re.compile(rf"/v1/payment_intents/{identifier}"),
                self._api_retrieve("payment_intents", "payment_intent", "intent"),
            ),
            ("GET", re.compile(rf"/v1/charges/{identifier}"), self._api_retrieve("charges", "charge", "charge")),
            (
                "GET",
                re.compile(rf"/v1/balance_transactions/{identifier}"),
                self._api_retrieve("balance_transactions", "balance_transaction", "id"),
            ),
            ("POST", re.compile(r"/v1/refunds"), self._api_create_refund),
            ("GET", re.compile(r"/v1/refunds"), self._api_list_refunds),
            ("GET", re.compile(rf"/v1/refunds/{identifier}"), self._api_retrieve("refunds", "refund", "refund")),
            ("POST", re.compile(r"/v1/transfers"), self._api_create_transfer),
            ("GET", re.compile(r"/v1/transfers"), self._api_list_transfers),
            (
                "GET",
                re.compile(rf"/v1/transfers/{identifier}"),
                self._api_retrieve("transfers", "transfer", "transfer"),
            ),
            ("GET", re.compile(rf"/v1/events/{identifier}"), self._api_retrieve_event),
        ]

    # ------------------------------------------------------------------ internals: HTTP

    def _authorized(self, header: str) -> bool:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key:
            return False
        if self.api_key is not None:
            return secrets.compare_digest(key, self.api_key)
        return key.startswith(("sk_test_", "rk_test_"))

    def _handle_api(self, method: str, path: str, params: dict[str, Any], headers: dict[str, str]) -> Response:
        """Answer one authenticated API request (lock held by the caller)."""
        request_id = new_id("req_", 14)
        idempotency_key = headers.get("idempotency-key") or None
        api_key = headers.get("authorization", "").partition(" ")[2]
        response_headers = {
            "Request-Id": request_id,
            "Stripe-Version": headers.get("stripe-version") or self.api_version,
        }
        if idempotency_key is not None:
            response_headers["Idempotency-Key"] = idempotency_key

        stored_key = (api_key, idempotency_key or "")
        if method == "POST" and idempotency_key is not None:
            stored = self._idempotency.get(stored_key)
            if stored is not None:
                if (stored.method, stored.path, stored.params) != (method, path, params):
                    error = FakeStripeError(
                        "Keys for idempotent requests can only be used with the same parameters they were first used "
                        f"with. Try using a key other than '{idempotency_key}' if you meant to execute a different "
                        "request.",
                        error_type="idempotency_error",
                    )
                    return _json_response(400, error.body(request_id), response_headers)
                replay_headers = {
                    **response_headers,
                    "Idempotent-Replayed": "true",
                    "Original-Request": stored.request_id,
                }
                return Response(stored.body, stored.status, replay_headers, media_type="application/json")

        context = _Context(request_id, idempotency_key, headers.get("stripe-version"))
        try:
            for route_method, pattern, handler in self._route_table:
                match = pattern.fullmatch(path)
                if match is None or route_method != method:
                    continue
                paths = _expand_paths(params)  # a malformed expand fails before anything changes
                obj = handler(params, *match.groups(), context)
                body = self._expand(obj, paths) if paths else obj
                status, payload = 200, _dumps(body)
                break
            else:
                raise FakeStripeError(
                    f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help "
                    "at https://support.stripe.com/.",
                    status=404,
                )
        except FakeStripeError as error:
            response = _json_response(error.status, error.body(request_id), response_headers)
            if error.replayed and method == "POST" and idempotency_key is not None:
                self._idempotency[stored_key] = _Stored(method, path, params, error.status, response.body, request_id)
            return response

        # Stripe keeps the result of a request that ran (not one rejected by validation); the fake keeps successes
        # and the errors raised with ``replayed=True``.
        if method == "POST" and idempotency_key is not None:
            self._idempotency[stored_key] = _Stored(method, path, params, status, payload, request_id)
        return Response(payload, status, response_headers, media_type="application/json")

    async def _endpoint(self, request: Request) -> Response:
        method = request.method
        path = request.url.path
        query = request.scope.get("query_string", b"").decode("latin-1")
        if method == "POST":
            body = (await request.body()).decode("utf-8", errors="replace")
            params = {**parse_form(query), **parse_form(body)}
        else:
            params = parse_form(query)
        headers = {name.lower(): value for name, value in request.headers.items()}
        recorded = RecordedRequest(
            method=method,
            path=path,
            params=params,
            idempotency_key=headers.get("idempotency-key"),
            headers={
                name: headers[name]
                for name in (
                    "authorization",
                    "content-type",
                    "idempotency-key",
                    "stripe-version",
                    "stripe-account",
                    "user-agent",
                )
                if name in headers
            },
        )
        with self._lock:
            self.requests.append(recorded)

        mode = self._mode
        if mode == "slow":
            deadline = time.monotonic() + self.slow_seconds
            while not self._stopping and (remaining := deadline - time.monotonic()) > 0:
                await asyncio.sleep(min(remaining, 0.05))
        if mode == "error500":
            request_id = new_id("req_", 14)
            error = FakeStripeError("An unknown error occurred", status=500, error_type="api_error", code=None)
            response = _json_response(500, error.body(request_id), {"Request-Id": request_id})
        elif path.startswith(("/pay/", "/voucher/")):
            response = await self._page(path)
        elif not self._authorized(headers.get("authorization", "")):
            request_id = new_id("req_", 14)
            key = headers.get("authorization", "").partition(" ")[2]
            message = (
                f"Invalid API Key provided: {key[:8]}{'*' * max(len(key) - 12, 0)}{key[-4:]}"
                if key
                else "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
            )
            error = FakeStripeError(message, status=401)
            response = _json_response(
                401, error.body(request_id), {"Request-Id": request_id, "WWW-Authenticate": 'Basic realm="Stripe"'}
            )
        else:
            with self._lock:
                self._expire_due_sessions()
                response = self._handle_api(method, path, params, headers)
        recorded.status = response.status_code
        await asyncio.to_thread(self._deliver_pending)
        if mode == "lost_answer":  # done at Stripe, but the answer comes too late for the caller
            deadline = time.monotonic() + self.slow_seconds
            while not self._stopping and (remaining := deadline - time.monotonic()) > 0:
                await asyncio.sleep(min(remaining, 0.05))
        return response

    # ------------------------------------------------------------------ hosted pages

    async def _page(self, path: str) -> Response:
        parts = path.strip("/").split("/")
        if parts[0] == "voucher" and len(parts) == 2:
            with self._lock:
                intent = self.payment_intents.get(parts[1])
                details = ((intent or {}).get("next_action") or {}).get("oxxo_display_details")
                if intent is None or details is None:
                    return HTMLResponse("<!doctype html><title>Fake OXXO voucher</title><p>No such voucher.", 404)
                amount = _format_amount(intent["amount"], intent["currency"])
            return HTMLResponse(
                f"<!doctype html><title>Fake OXXO voucher</title><h1>OXXO</h1><p>Amount: {html.escape(amount)}"
                f"<p>Reference: <code>{html.escape(details['number'])}</code>"
            )
        if parts[0] != "pay" or len(parts) not in (2, 3):
            return HTMLResponse("<!doctype html><title>Not found</title><p>Not found.", 404)
        session_id = parts[1]
        with self._lock:
            self._expire_due_sessions()
            session = self.sessions.get(session_id)
            if session is None:
                return HTMLResponse("<!doctype html><title>Fake Stripe Checkout</title><p>No such session.", 404)
            status = session["status"]
            success_url, cancel_url = session["success_url"], session["cancel_url"]
            names = [item["description"] for item in self._line_items[session_id]]
            amount = _format_amount(session["amount_total"], session["currency"])
            offered = {"cancel", *session["payment_method_types"]}
        if len(parts) == 2:
            links = "".join(
                f'<li><a href="/pay/{session_id}/{method}">{label}</a>'
                for method, label in (("card", "Pay with card"), ("oxxo", "Pay with OXXO"), ("cancel", "Cancel"))
                if method in offered
            )
            items = "".join(f"<li>{html.escape(name)}" for name in names)
            body = f"<h1>Fake Stripe Checkout</h1><p>Pay <strong>{html.escape(amount)}</strong></p><ul>{items}</ul>" + (
                f"<ul>{links}</ul>" if status == "open" else f"<p>This Checkout Session is {status}.</p>"
            )
            return HTMLResponse(f"<!doctype html><title>Fake Stripe Checkout</title>{body}")
        action = parts[2]
        if action == "cancel":
            return RedirectResponse(cancel_url or "/", 303)
        if action not in ("card", "oxxo") or status != "open":
            return HTMLResponse(f"<!doctype html><title>Fake Stripe Checkout</title><p>Session is {status}.", 409)
        await asyncio.to_thread(self.complete_session, session_id, action)  # on_event may call back into the fake
        target = (success_url or "/").replace("{CHECKOUT_SESSION_ID}", session_id)
        return RedirectResponse(target, 303)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, indent=2, ensure_ascii=False).encode("utf-8")


def _json_response(status: int, body: dict[str, Any], headers: dict[str, str]) -> Response:
    return Response(_dumps(body), status, headers, media_type="application/json")


def _build_app(fake: FakeStripe) -> Starlette:
    return Starlette(routes=[Route("/{path:path}", fake._endpoint, methods=["GET", "POST", "DELETE"])])


def _protocol_class(fake: FakeStripe) -> type[H11Protocol]:
    """uvicorn's h11 protocol, except that while the fake is ``down`` it drops every connection and request."""

    class DroppingH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if fake.mode == "down":
                transport.abort()

        def data_received(self, data: bytes) -> None:
            if fake.mode == "down":
                self.transport.abort()
                return
            super().data_received(data)

    return DroppingH11Protocol
