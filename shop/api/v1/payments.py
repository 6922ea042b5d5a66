"""Stripe's webhook: verify, record once, apply in one transaction, answer fast.

An event of a type the shop does not handle is acknowledged at once, without touching the database: it
changes nothing, so there is nothing to record. A signed body that is not a readable event is a 400, logged.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from shop.api.contract import errors
from shop.clock import utcnow
from shop.db import session_scope
from shop.payments import webhooks
from shop.payments.gateway import BadSignature, PaymentProviderUnavailable

log = logging.getLogger(__name__)
router = APIRouter(tags=["payments"])


class WebhookAnswer(BaseModel):
    received: bool
    outcome: str


def _process(state, event: dict) -> tuple[int, str]:
    if webhooks.needs_fetch(event):  # spare Stripe a call for an event already handled
        with session_scope(state.engine, writes=False) as session:
            if webhooks.seen(session, event["id"]):
                return 200, "duplicate"
    try:
        fetched = webhooks.fetch(event, state.gateway)
    except PaymentProviderUnavailable:
        return 503, "stripe unavailable; retry later"
    try:
        with session_scope(state.engine) as session:
            outcome = webhooks.handle(session, event, fetched=fetched, now=utcnow(), base_url=state.settings.base_url)
    except IntegrityError:
        return 200, "duplicate"  # a concurrent delivery of the same event got there first
    except webhooks.RetryLater as exc:
        return 503, str(exc)
    log.info("stripe event %s %s: %s", event["id"], event["type"], outcome)
    return 200, outcome


@router.post(
    "/payments/stripe/webhook",
    response_model=WebhookAnswer,
    openapi_extra={
        "parameters": [{"name": "Stripe-Signature", "in": "header", "required": True, "schema": {"type": "string"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
    },
    responses={
        **errors(
            400,
            413,
            _400="Bad or missing signature, Stripe not set up, or not a readable event: nothing was stored",
        ),
        503: {"model": WebhookAnswer, "description": "Stripe or the database could not finish it now: send it again"},
    },
)
async def stripe_webhook(request: Request) -> JSONResponse:
    """Receives Stripe's events. The signature is checked against the raw body before anything else."""
    state = request.app.state
    payload = await request.body()
    if state.gateway is None:
        return JSONResponse({"error": "not_configured", "detail": "Stripe is not set up"}, status_code=400)
    try:
        state.gateway.verify_signature(payload, request.headers.get("stripe-signature"))
    except BadSignature:
        return JSONResponse({"error": "bad_signature", "detail": "The Stripe signature is not valid."}, status_code=400)
    try:
        event = webhooks.parse(payload)
    except webhooks.MalformedEvent as exc:
        log.warning("stripe sent a signed event we cannot read: %s", exc)
        return JSONResponse({"error": "malformed_event", "detail": str(exc)}, status_code=400)
    if event["type"] not in webhooks.HANDLERS:
        return JSONResponse({"received": True, "outcome": "ignored"})
    status, outcome = await run_in_threadpool(_process, state, event)
    return JSONResponse({"received": True, "outcome": outcome}, status_code=status)
