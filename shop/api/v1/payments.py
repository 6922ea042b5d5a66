"""Stripe's webhook: verify, record once, apply in one transaction, answer fast."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from shop.clock import utcnow
from shop.db import session_scope
from shop.payments import webhooks
from shop.payments.gateway import BadSignature, PaymentProviderUnavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["payments"])


def _process(state, event: dict) -> tuple[int, str]:
    with session_scope(state.engine, writes=False) as session:
        if webhooks.seen(session, event["id"]):
            return 200, "duplicate"
    details = None
    intent = webhooks.details_needed(event)
    if intent:
        try:
            details = state.gateway.payment_details(intent)
        except PaymentProviderUnavailable:
            return 503, "stripe unavailable; retry later"
    try:
        with session_scope(state.engine) as session:
            outcome = webhooks.handle(session, event, details=details, now=utcnow(), base_url=state.settings.base_url)
    except IntegrityError:
        return 200, "duplicate"  # a concurrent delivery of the same event got there first
    except webhooks.RetryLater as exc:
        return 503, str(exc)
    log.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
    return 200, outcome


@router.post(
    "/payments/stripe/webhook",
    responses={400: {"description": "Bad or missing signature: nothing was stored"}},
)
async def stripe_webhook(request: Request) -> JSONResponse:
    """Receives Stripe's events. The signature is checked against the raw body before anything else."""
    state = request.app.state
    payload = await request.body()
    if state.gateway is None:
        return JSONResponse({"error": "not_configured", "detail": "Stripe is not set up"}, status_code=400)
    try:
        state.gateway.construct_event(payload, request.headers.get("stripe-signature"))
        event = json.loads(payload)
    except (ValueError, BadSignature):
        return JSONResponse({"error": "bad_signature", "detail": "The Stripe signature is not valid."}, status_code=400)
    status, outcome = await run_in_threadpool(_process, state, event)
    return JSONResponse({"received": True, "outcome": outcome}, status_code=status)
