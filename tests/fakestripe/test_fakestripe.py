"""The fake Stripe server works with the real `stripe` SDK, the way the shop calls it."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import stripe

from fakestripe import FakeStripe, FakeStripeError
from fakestripe.forms import parse_form

API_KEY = "sk_test_123"

# stripe.HTTPXClient passes the form body as httpx `data=<str>`, which httpx deprecates; that is the SDK's business.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")


@pytest.fixture(scope="module")
def running_fake():
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake(running_fake):
    running_fake.reset()
    yield running_fake
    running_fake.reset()
    running_fake.on_event = None


@pytest.fixture
def client(fake):
    return fake.client(API_KEY)


def session_params(**overrides):
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {"currency": "mxn", "unit_amount": 185000, "product_data": {"name": "Huipil"}},
                "quantity": 1,
            },
            {
                "price_data": {"currency": "mxn", "unit_amount": 45000, "product_data": {"name": "Camino de mesa"}},
                "quantity": 2,
            },
        ],
        "payment_method_types": ["card", "oxxo"],
        "payment_method_options": {"oxxo": {"expires_after_days": 3}},
        "customer_email": "ana@example.com",
        "client_reference_id": "7",
        "metadata": {"order_id": "7", "order_number": "JJ-000007"},
        "payment_intent_data": {"metadata": {"order_id": "7", "order_number": "JJ-000007"}},
        "success_url": "https://shop.example/checkout/done?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.example/cart",
        "expires_at": int(time.time()) + 3600,
        "locale": "es",
    }
    params.update(overrides)
    return params


def create_session(client, key="checkout-7-1", **overrides):
    return client.v1.checkout.sessions.create(params=session_params(**overrides), options={"idempotency_key": key})


def paid_intent_id(fake, client, method="card"):
    session = create_session(client)
    fake.complete_session(session.id, method=method)
    if method == "oxxo":
        fake.pay_voucher(session.id)
    return fake.sessions[session.id]["payment_intent"]


# --------------------------------------------------------------------------------------------------- encoding


def test_form_decoding_builds_nested_dicts_and_lists():
    text = (
        "line_items[0][price_data][unit_amount]=185000&line_items[0][quantity]=1&line_items[1][quantity]=2"
        "&expand[0]=a.b&expand[1]=c&metadata[order_id]=7&metadata[0]=zero&ids[]=x&ids[]=y&url=https%3A%2F%2Fa%2F%3Fq%3D1"
    )
    assert parse_form(text) == {
        "line_items": [{"price_data": {"unit_amount": "185000"}, "quantity": "1"}, {"quantity": "2"}],
        "expand": ["a.b", "c"],
        "metadata": {"order_id": "7", "0": "zero"},
        "ids": ["x", "y"],
        "url": "https://a/?q=1",
    }


# --------------------------------------------------------------------------------------------------- checkout


def test_create_session_with_the_shops_params(fake, client):
    expires_at = int(time.time()) + 3600

    session = create_session(client, expires_at=expires_at)

    assert session.id.startswith("cs_test_")
    assert session.object == "checkout.session"
    assert session.url == f"{fake.url}/pay/{session.id}"
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert session.amount_subtotal == session.amount_total == 185000 + 2 * 45000
    assert session.currency == "mxn"
    assert session.customer_email == "ana@example.com"
    assert session.client_reference_id == "7"
    assert session.metadata.to_dict() == {"order_id": "7", "order_number": "JJ-000007"}
    assert session.expires_at == expires_at
    assert session.success_url == "https://shop.example/checkout/done?session_id={CHECKOUT_SESSION_ID}"
    assert session.cancel_url == "https://shop.example/cart"
    assert session.locale == "es"
    assert session.payment_method_types == ["card", "oxxo"]
    assert session.payment_method_options.oxxo.expires_after_days == 3

    request = fake.requests[-1]
    assert (request.method, request.path, request.idempotency_key, request.status) == (
        "POST",
        "/v1/checkout/sessions",
        "checkout-7-1",
        200,
    )
    assert request.params["line_items"][0]["price_data"]["unit_amount"] == "185000"  # the SDK sends strings
    assert request.headers["authorization"] == f"Bearer {API_KEY}"

    again = client.v1.checkout.sessions.retrieve(session.id)
    assert again.to_dict() == session.to_dict()
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(item.description, item.quantity, item.amount_total) for item in items.data] == [
        ("Huipil", 1, 185000),
        ("Camino de mesa", 2, 90000),
    ]

    page = httpx.get(session.url)
    assert page.status_code == 200
    assert "<title>Fake Stripe Checkout</title>" in page.text
    assert "MXN 2,750.00" in page.text
    assert "Pay with card" in page.text and "Pay with OXXO" in page.text


def test_same_idempotency_key_and_params_replays_the_stored_response(fake, client):
    params = session_params()
    first = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "checkout-7-1"})
    second = client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "checkout-7-1"})

    assert second.id == first.id
    assert len(fake.sessions) == 1
    assert second.last_response.headers["idempotent-replayed"] == "true"
    assert second.last_response.body == first.last_response.body


def test_same_idempotency_key_with_other_params_is_an_idempotency_error(fake, client):
    create_session(client, key="checkout-7-1")

    with pytest.raises(stripe.IdempotencyError, match="same parameters"):
        create_session(client, key="checkout-7-1", customer_email="otra@example.com")
    assert len(fake.sessions) == 1


@pytest.mark.parametrize(("offset", "message"), [(29 * 60, "at least 30 minutes"), (25 * 3600, "less than 24 hours")])
def test_expires_at_outside_30_minutes_to_24_hours_is_rejected(fake, client, offset, message):
    with pytest.raises(stripe.InvalidRequestError, match=message) as caught:
        create_session(client, expires_at=int(time.time()) + offset)

    assert caught.value.param == "expires_at"
    assert caught.value.http_status == 400
    assert caught.value.error.type == "invalid_request_error"
    assert fake.sessions == {}


def test_bad_requests_get_stripes_error_codes(fake, client):
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        create_session(client, shipping_cost=500)
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "shipping_cost")

    with pytest.raises(stripe.InvalidRequestError, match="oxxo support the following currencies"):
        create_session(
            client,
            line_items=[
                {"price_data": {"currency": "usd", "unit_amount": 5000, "product_data": {"name": "Bag"}}, "quantity": 1}
            ],
        )

    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert (missing.value.http_status, missing.value.code) == (404, "resource_missing")

    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.checkout.sessions.retrieve(create_session(client).id, params={"expand": ["no_such_field"]})


def test_card_payment_gives_a_charge_with_the_fee(fake, client):
    session = create_session(client)

    event = fake.complete_session(session.id, method="card")

    assert event["type"] == "checkout.session.completed"
    assert event["object"] == "event" and event["id"].startswith("evt_") and event["livemode"] is False
    assert event["api_version"] == stripe.api_version
    assert event["data"]["object"]["id"] == session.id
    assert event["data"]["object"]["payment_status"] == "paid"

    session = client.v1.checkout.sessions.retrieve(session.id)
    assert (session.status, session.payment_status) == ("complete", "paid")
    assert session.payment_intent.startswith("pi_")

    intent = client.v1.payment_intents.retrieve(
        session.payment_intent, params={"expand": ["latest_charge.balance_transaction"]}
    )
    assert (intent.status, intent.amount, intent.amount_received, intent.currency) == (
        "succeeded",
        275000,
        275000,
        "mxn",
    )
    assert intent.metadata.to_dict() == {"order_id": "7", "order_number": "JJ-000007"}
    charge = intent.latest_charge
    assert charge.object == "charge" and charge.amount_refunded == 0 and charge.payment_intent == intent.id
    stripe_fee = (275000 * 360 + 5000) // 10000 + 300  # 3.6 % + MXN 3.00
    tax = (stripe_fee * 1600 + 5000) // 10000  # IVA on the fee
    transaction = charge.balance_transaction
    assert (transaction.object, transaction.amount, transaction.fee, transaction.net, transaction.currency) == (
        "balance_transaction",
        275000,
        stripe_fee + tax,
        275000 - stripe_fee - tax,
        "mxn",
    )
    assert (stripe_fee, tax) == (10200, 1632)
    assert [(d.type, d.amount) for d in transaction.fee_details] == [("stripe_fee", 10200), ("tax", 1632)]

    plain = client.v1.payment_intents.retrieve(intent.id)
    assert plain.latest_charge == charge.id


def test_fees_are_configurable_and_carry_their_tax():
    fake = FakeStripe(fees={"card": (290, 0)})
    assert fake.fee_parts("card", 185000) == (5365, 858)  # IVA: 16% of the fee, rounded half up
    assert fake.fee_for("card", 185000) == 5365 + 858
    assert fake.fee_for("oxxo", 185000) == 6960 + 1114
    untaxed = FakeStripe(fee_tax_bp=0)
    assert untaxed.fee_for("card", 185000) == 6960


def test_oxxo_voucher_then_payment(fake, client):
    session = create_session(client)

    completed = fake.complete_session(session.id, method="oxxo")

    assert completed["type"] == "checkout.session.completed"
    assert completed["data"]["object"]["payment_status"] == "unpaid"
    session = client.v1.checkout.sessions.retrieve(session.id)
    assert (session.status, session.payment_status) == ("complete", "unpaid")
    intent = client.v1.payment_intents.retrieve(session.payment_intent)
    assert (intent.status, intent.latest_charge, intent.amount_received) == ("requires_action", None, 0)
    assert intent.next_action.type == "oxxo_display_details"
    voucher = intent.next_action.oxxo_display_details
    assert len(voucher.number) == 32 and voucher.hosted_voucher_url.startswith(fake.url)
    expires = datetime.fromtimestamp(voucher.expires_after, ZoneInfo("America/Mexico_City"))
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    assert (expires.date(), expires.hour, expires.minute) == (today + timedelta(days=3), 23, 59)

    paid = fake.pay_voucher(session.id)

    assert paid["type"] == "checkout.session.async_payment_succeeded"
    assert paid["data"]["object"]["payment_status"] == "paid"
    intent = client.v1.payment_intents.retrieve(intent.id, params={"expand": ["latest_charge.balance_transaction"]})
    assert (intent.status, intent.amount_received, intent.next_action) == ("succeeded", 275000, None)
    assert intent.latest_charge.payment_method_details.type == "oxxo"
    assert intent.latest_charge.balance_transaction.fee == fake.fee_for("oxxo", 275000)


def test_oxxo_voucher_that_expires_unpaid(fake, client):
    session = create_session(client)
    fake.complete_session(session.id, method="oxxo")

    failed = fake.fail_voucher(session.id)

    assert failed["type"] == "checkout.session.async_payment_failed"
    assert failed["data"]["object"]["payment_status"] == "unpaid"
    intent = client.v1.payment_intents.retrieve(fake.sessions[session.id]["payment_intent"])
    assert intent.status == "requires_payment_method" and intent.latest_charge is None
    with pytest.raises(ValueError, match="no unpaid OXXO voucher"):
        fake.pay_voucher(session.id)


def test_expiry_by_api_by_control_and_by_clock(fake, client):
    first = create_session(client, key="a")
    expired = client.v1.checkout.sessions.expire(first.id, options={"idempotency_key": "expire-a"})
    assert (expired.status, expired.url) == ("expired", None)
    assert fake.events[-1]["type"] == "checkout.session.expired"
    assert fake.events[-1]["request"]["idempotency_key"] == "expire-a"
    with pytest.raises(stripe.InvalidRequestError, match="status of expired"):
        client.v1.checkout.sessions.expire(first.id)
    with pytest.raises(FakeStripeError):
        fake.complete_session(first.id)

    second = create_session(client, key="b")
    event = fake.expire_session(second.id)
    assert event["type"] == "checkout.session.expired" and event["data"]["object"]["status"] == "expired"

    third = create_session(client, key="c")
    fake.clock = lambda: time.time() + 25 * 3600
    try:
        assert client.v1.checkout.sessions.retrieve(third.id).status == "expired"
    finally:
        fake.clock = time.time
    assert [e["data"]["object"]["id"] for e in fake.events if e["type"] == "checkout.session.expired"] == [
        first.id,
        second.id,
        third.id,
    ]


def test_refunds_partial_replayed_and_too_large(fake, client):
    intent_id = paid_intent_id(fake, client)

    refund = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 5000, "metadata": {"refund_id": "3"}},
        options={"idempotency_key": "refund-3"},
    )
    assert refund.id.startswith("re_") and refund.object == "refund"
    assert (refund.amount, refund.currency, refund.status, refund.payment_intent) == (
        5000,
        "mxn",
        "succeeded",
        intent_id,
    )
    assert refund.charge.startswith("ch_") and refund.metadata.to_dict() == {"refund_id": "3"}
    assert fake.events[-1]["type"] == "charge.refunded"

    replay = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 5000, "metadata": {"refund_id": "3"}},
        options={"idempotency_key": "refund-3"},
    )
    assert replay.id == refund.id and len(fake.refunds) == 1

    with pytest.raises(stripe.InvalidRequestError, match="greater than unrefunded amount") as too_much:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 270001})
    assert (too_much.value.code, too_much.value.param) == ("amount_too_large", "amount")

    rest = client.v1.refunds.create(params={"payment_intent": intent_id})
    assert rest.amount == 270000
    charge = client.v1.charges.retrieve(refund.charge)
    assert (charge.amount_refunded, charge.refunded) == (275000, True)

    with pytest.raises(stripe.InvalidRequestError, match="already been refunded") as again:
        client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 1})
    assert again.value.code == "charge_already_refunded"


def test_refund_of_an_unpaid_voucher_is_refused(fake, client):
    session = create_session(client)
    fake.complete_session(session.id, method="oxxo")

    with pytest.raises(stripe.InvalidRequestError, match="does not have a successful charge"):
        client.v1.refunds.create(params={"payment_intent": fake.sessions[session.id]["payment_intent"]})


def test_dashboard_refund_event(fake, client):
    intent_id = paid_intent_id(fake, client)

    event = fake.dashboard_refund(intent_id, 20000)

    assert event["type"] == "charge.refunded"
    charge = event["data"]["object"]
    assert charge["object"] == "charge" and charge["payment_intent"] == intent_id
    assert (charge["amount"], charge["amount_refunded"], charge["refunded"]) == (275000, 20000, False)
    assert "refunds" not in charge  # as in current API versions: list them instead
    created = fake.events[-2]
    assert created["type"] == "refund.created"
    refund = created["data"]["object"]
    assert (refund["amount"], refund["metadata"], refund["status"]) == (20000, {}, "succeeded")

    second = fake.dashboard_refund(intent_id)  # the rest
    assert second["data"]["object"]["amount_refunded"] == 275000
    listed = client.v1.refunds.list(params={"payment_intent": intent_id})
    assert [r.amount for r in listed.data] == [255000, 20000] and not listed.has_more
    page = client.v1.refunds.list(params={"payment_intent": intent_id, "limit": 1})
    assert [r.amount for r in page.data] == [255000] and page.has_more
    rest = client.v1.refunds.list(params={"payment_intent": intent_id, "starting_after": page.data[0].id})
    assert [r.amount for r in rest.data] == [20000]


def test_an_old_api_version_lists_refunds_on_the_charge(client):
    with FakeStripe(api_version="2020-08-27") as old:
        old_client = old.client()
        intent_id = paid_intent_id(old, old_client)
        event = old.dashboard_refund(intent_id, 20000)
        assert [r["amount"] for r in event["data"]["object"]["refunds"]["data"]] == [20000]


def test_a_refund_that_fails_later_gives_the_money_back_to_the_charge(fake, client):
    intent_id = paid_intent_id(fake, client)
    refund = client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 20000})
    event = fake.fail_refund(refund.id)
    assert (event["type"], event["data"]["object"]["status"]) == ("refund.updated", "failed")
    charge = fake.charges[fake.payment_intents[intent_id]["latest_charge"]]
    assert charge["amount_refunded"] == 0
    with pytest.raises(Exception, match="already failed"):
        fake.fail_refund(refund.id)


def test_a_lost_answer_is_done_at_stripe_though_the_caller_gave_up(fake):
    intent_id = paid_intent_id(fake, fake.client())
    fake.mode, fake.slow_seconds = "lost_answer", 3
    with pytest.raises(stripe.APIConnectionError):
        fake.client(timeout=0.5).v1.refunds.create(params={"payment_intent": intent_id, "amount": 1000})
    fake.mode = "ok"
    assert [r["amount"] for r in fake.refunds_of(intent_id)] == [1000]


# --------------------------------------------------------------------------------------------------- webhooks


def test_signed_events_pass_the_sdks_check_and_bad_ones_fail(fake, client):
    session = create_session(client, line_items=[{"price_data": {"currency": "mxn", "unit_amount": 185000,
                                                                 "product_data": {"name": "Huipil de Zinacantán"}},
                                                  "quantity": 1}])  # fmt: skip
    event = fake.complete_session(session.id)

    payload, headers = fake.sign(event)

    assert isinstance(payload, bytes) and json.loads(payload) == event
    assert headers["Stripe-Signature"].startswith("t=")
    verified = stripe.Webhook.construct_event(payload, headers["Stripe-Signature"], fake.webhook_secret)
    assert verified.id == event["id"] and verified.type == "checkout.session.completed"
    assert verified.data.object.metadata.order_id == "7"

    tampered = payload.replace(b'"paid"', b'"unpaid"')
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, headers["Stripe-Signature"], fake.webhook_secret)

    _, wrong = fake.sign(event, secret="whsec_someone_else")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(payload, wrong["Stripe-Signature"], fake.webhook_secret)

    _, stale = fake.sign(event, timestamp=int(time.time()) - 600)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(payload, stale["Stripe-Signature"], fake.webhook_secret)

    unknown = fake.unknown_event()
    body, signed = fake.sign(unknown)
    assert stripe.Webhook.construct_event(body, signed["Stripe-Signature"], fake.webhook_secret).type == (
        "customer.created"
    )


def test_hosted_page_links_complete_and_redirect(fake, client):
    delivered = []
    fake.on_event = delivered.append
    session = create_session(client)

    response = httpx.get(f"{fake.url}/pay/{session.id}/card")

    assert response.status_code == 303
    assert response.headers["location"] == f"https://shop.example/checkout/done?session_id={session.id}"
    assert [event["type"] for event in delivered] == ["checkout.session.completed"]
    assert fake.sessions[session.id]["payment_status"] == "paid"


# --------------------------------------------------------------------------------------------------- failures


def test_missing_or_wrong_api_key_is_an_authentication_error(fake, monkeypatch):
    with pytest.raises(stripe.AuthenticationError):
        fake.client("pk_test_publishable").v1.checkout.sessions.retrieve("cs_test_x")

    raw = httpx.get(f"{fake.url}/v1/checkout/sessions/cs_test_x")
    assert raw.status_code == 401
    assert raw.json()["error"]["type"] == "invalid_request_error"
    assert "did not provide an API key" in raw.json()["error"]["message"]

    monkeypatch.setattr(fake, "api_key", "sk_test_right")
    with pytest.raises(stripe.AuthenticationError, match="Invalid API Key"):
        fake.client("sk_test_wrong").v1.checkout.sessions.retrieve("cs_test_x")


def test_down_means_connection_errors_until_back_up(fake):
    client = fake.client(API_KEY, timeout=1)
    create_session(client, key="warm-the-connection-pool")
    fake.mode = "down"
    started = time.monotonic()

    with pytest.raises(stripe.APIConnectionError):
        create_session(client, key="while-down")
    with pytest.raises(stripe.APIConnectionError):
        fake.client(API_KEY, timeout=1).v1.checkout.sessions.retrieve("cs_test_x")

    assert time.monotonic() - started < 1.5
    fake.mode = "ok"
    assert create_session(client, key="back-up").status == "open"


def test_slow_means_a_timeout_but_stripe_still_did_the_work(fake):
    client = fake.client(API_KEY, timeout=0.3)
    params = session_params()
    fake.slow_seconds = 1.5
    fake.mode = "slow"
    started = time.monotonic()
    try:
        with pytest.raises(stripe.APIConnectionError):
            client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "checkout-7-1"})
        assert time.monotonic() - started < 1.2  # the client gave up before the fake answered
        deadline = time.monotonic() + 3
        while not fake.sessions and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        fake.mode = "ok"
        fake.slow_seconds = 3.0

    [created] = fake.sessions
    # A retry with the same key and the same params (keep expires_at!) gets the stored result.
    assert client.v1.checkout.sessions.create(params=params, options={"idempotency_key": "checkout-7-1"}).id == created


def test_error500_is_an_api_error(fake, client):
    fake.mode = "error500"

    with pytest.raises(stripe.APIError) as caught:
        create_session(client)

    assert caught.value.http_status == 500
    assert caught.value.error.type == "api_error"
    assert fake.sessions == {}
    assert fake.requests[-1].status == 500
    with pytest.raises(ValueError, match="mode must be one of"):
        fake.mode = "sideways"


def test_concurrent_requests_from_many_threads(fake, client):
    barrier = threading.Barrier(12)
    # One expiry for all: threads that straddle a second must still send the same parameters with a shared key.
    expires_at = int(time.time()) + 3600

    def create(index):
        barrier.wait()
        key = "shared-key" if index % 2 else f"own-{index}"
        return create_session(client, key=key, expires_at=expires_at).id

    with ThreadPoolExecutor(max_workers=12) as pool:
        ids = list(pool.map(create, range(12)))

    shared = {ids[index] for index in range(1, 12, 2)}
    assert len(shared) == 1
    assert len(set(ids)) == 7 == len(fake.sessions)
    assert len(fake.requests) == 12
