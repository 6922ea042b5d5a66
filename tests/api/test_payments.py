"""Checkout through the JSON API and Stripe (the real SDK against a fake Stripe on loopback), webhooks,
offline and in-person payments, refunds, and the ledger they produce."""

from datetime import UTC, datetime, timedelta

import pytest
from factories import STAFF, checkout_body, deliver, fresh, make_product, make_weaver, paid_order, start_checkout
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.catalogue.models import Product, ProductStatus, ReservationStatus, StockReservation
from shop.ledger.balances import balance, weaver_balance
from shop.mail.models import OutboxEmail
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment, Refund, StripeEvent


@pytest.fixture
def piece(session):
    maria = make_weaver(session, slug="maria", name="María")
    product = make_product(
        session, slug="huipil", weavers=[(maria, 10_000)], price_amount=185_000, weight_g=600, title_es="Huipil"
    )
    session.commit()
    return product


def order_of(session, number) -> Order:
    fresh(session)
    return session.scalar(select(Order).where(Order.number == number).options(selectinload(Order.lines)))


def payment_of(session, order) -> Payment:
    return session.scalar(select(Payment).where(Payment.order_id == order.id))


def start(shop, fake, *slugs, **changes):
    return start_checkout(shop, *slugs, **changes)


def test_checkout_creates_a_stripe_session_aligned_with_the_hold(shop, fake_stripe, session, piece):
    body, session_id = start(shop, fake_stripe, "huipil")
    order = order_of(session, body["order"]["number"])
    assert body["order"]["status"] == "pending_payment"
    assert body["payment_url"] == fake_stripe.sessions[session_id]["url"]
    created = next(r for r in fake_stripe.requests if r.method == "POST" and r.path == "/v1/checkout/sessions")
    payment = payment_of(session, order)
    assert created.idempotency_key == f"checkout-{order.token[:12]}-{payment.id}"
    params = created.params
    assert params["payment_method_types"] == ["card", "oxxo"]
    assert params["metadata"] == {"order_id": str(order.id), "order_number": order.number}
    assert [(i["price_data"]["currency"], i["price_data"]["unit_amount"]) for i in params["line_items"]] == [
        ("mxn", "185000"),
        ("mxn", "19000"),  # shipping
    ]
    expires = datetime.fromtimestamp(int(params["expires_at"]), UTC)
    assert timedelta(minutes=30) < expires - datetime.now(UTC) < timedelta(minutes=32)
    hold = session.scalar(select(StockReservation).where(StockReservation.order_id == order.id))
    assert hold.expires_at - expires == timedelta(minutes=10)  # the session's expiry plus grace for late webhooks
    assert payment.stripe_session_id == session_id


def test_card_payment_is_confirmed_by_the_webhook_and_split_in_the_ledger(shop, fake_stripe, session, piece):
    body, session_id = start(shop, fake_stripe, "huipil")
    number = body["order"]["number"]
    assert shop.get(f"/api/v1/orders/{body['order']['status_url'].rsplit('/', 1)[-1]}").json()["status"] == (
        "pending_payment"  # never "paid" before Stripe says so
    )
    response = deliver(shop, fake_stripe, fake_stripe.complete_session(session_id, method="card"))
    assert response.status_code == 200 and response.json()["outcome"] == "paid"
    order = order_of(session, number)
    payment = payment_of(session, order)
    # The webhook asks Stripe for nothing: the fee is not known yet, and booked by the jobs.
    assert (order.status, order.amount_paid, payment.fee, payment.method_detail) == (
        OrderStatus.paid,
        204_000,
        None,
        "card",
    )
    assert weaver_balance(session, maria_id(session)) == 148_000
    assert balance(session, "fund") == 37_000
    assert balance(session, "shipping_income") == 19_000
    assert balance(session, "processor_fees") == 0
    assert balance(session, "stripe_clearing") == 204_000
    product = session.get(Product, piece.id)
    assert (product.stock_on_hand, product.status) == (0, ProductStatus.sold_out)
    # One e-mail: the order is confirmed and paid.
    kinds = session.scalars(select(OutboxEmail.kind).where(OutboxEmail.to == "ana@example.org")).all()
    assert kinds == ["payment_received"]

    from shop.payments.fees import book_fees

    fee = fake_stripe.fee_for("card", 204_000)
    assert book_fees(shop.app.state.engine, shop.app.state.gateway) == 1
    assert book_fees(shop.app.state.engine, shop.app.state.gateway) == 0
    fresh(session)
    assert payment_of(session, order).fee == fee
    assert balance(session, "processor_fees") == fee
    assert balance(session, "stripe_clearing") == 204_000 - fee


def maria_id(session) -> int:
    from shop.catalogue.models import Weaver

    return session.scalar(select(Weaver.id).where(Weaver.slug == "maria"))


def events_stored(session) -> int:
    return session.scalar(select(func.count()).select_from(StripeEvent))


def test_bad_or_missing_signatures_are_refused_and_nothing_is_stored(shop, fake_stripe, session, piece):
    _, session_id = start(shop, fake_stripe, "huipil")
    event = fake_stripe.complete_session(session_id)
    payload, headers = fake_stripe.sign(event)
    assert shop.post("/api/v1/payments/stripe/webhook", content=payload).status_code == 400
    assert deliver(shop, fake_stripe, event, secret="whsec_wrong").status_code == 400
    stale = int(datetime.now(UTC).timestamp()) - 3600
    assert deliver(shop, fake_stripe, event, timestamp=stale).status_code == 400
    tampered = payload.replace(b'"paid"', b'"unpaid"')
    response = shop.post("/api/v1/payments/stripe/webhook", content=tampered, headers=headers)
    assert response.status_code == 400
    assert response.json()["error"] == "bad_signature"
    assert events_stored(session) == 0
    assert order_of(session, f"JJ-{1:06d}").status is OrderStatus.pending_payment


def test_unknown_event_types_are_acknowledged_and_ignored(shop, fake_stripe, session):
    response = deliver(shop, fake_stripe, fake_stripe.unknown_event("customer.created"))
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")


def test_replays_change_nothing(shop, fake_stripe, session, piece):
    _, session_id = start(shop, fake_stripe, "huipil")
    event = fake_stripe.complete_session(session_id)
    outcomes = [deliver(shop, fake_stripe, event).json()["outcome"] for _ in range(3)]
    assert outcomes == ["paid", "duplicate", "duplicate"]
    assert balance(session, "fund") == 37_000
    assert session.scalar(select(func.count()).select_from(Payment)) == 1


def test_expired_after_completed_changes_nothing(shop, fake_stripe, session, piece):
    body, session_id = start(shop, fake_stripe, "huipil")
    deliver(shop, fake_stripe, fake_stripe.complete_session(session_id))
    late = {
        "id": "evt_late_expired",
        "object": "event",
        "type": "checkout.session.expired",
        "created": int(datetime.now(UTC).timestamp()),
        "data": {"object": {**fake_stripe.sessions[session_id], "status": "expired"}},
    }
    response = deliver(shop, fake_stripe, late)
    assert response.json()["outcome"].startswith("nothing to do")
    order = order_of(session, body["order"]["number"])
    assert order.status is OrderStatus.paid
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.converted


def test_an_expired_checkout_cancels_the_order_and_frees_the_piece(shop, fake_stripe, session, piece):
    body, session_id = start(shop, fake_stripe, "huipil")
    assert deliver(shop, fake_stripe, fake_stripe.expire_session(session_id)).json()["outcome"] == "cancelled (expired)"
    assert order_of(session, body["order"]["number"]).status is OrderStatus.cancelled
    again, _ = start(shop, fake_stripe, "huipil")
    assert again["order"]["status"] == "pending_payment"


def test_oxxo_holds_the_piece_until_the_voucher_is_paid(shop, fake_stripe, session, piece):
    body, session_id = start(shop, fake_stripe, "huipil")
    number = body["order"]["number"]
    assert deliver(shop, fake_stripe, fake_stripe.complete_session(session_id, method="oxxo")).json()["outcome"] == (
        "waiting for OXXO payment"
    )
    order = order_of(session, number)
    payment = payment_of(session, order)
    assert order.status is OrderStatus.pending_payment
    assert payment.voucher_url and payment.voucher_expires_at > datetime.now(UTC) + timedelta(days=2)
    hold = session.scalar(select(StockReservation).where(StockReservation.order_id == order.id))
    assert hold.expires_at == payment.voucher_expires_at + timedelta(minutes=10)
    api = shop.get(f"/api/v1/orders/{order.token}").json()
    assert (api["status"], api["payment"]["voucher_url"]) == ("pending_payment", payment.voucher_url)
    # Somebody else cannot take the piece meanwhile.
    assert shop.post("/api/v1/checkout", json=checkout_body("huipil")).status_code == 409
    assert deliver(shop, fake_stripe, fake_stripe.pay_voucher(session_id)).json()["outcome"] == "paid"
    order = order_of(session, number)
    assert order.status is OrderStatus.paid
    assert payment_of(session, order).method_detail == "oxxo"


def test_an_unpaid_voucher_cancels_and_frees_the_piece(shop, fake_stripe, session, piece):
    body, session_id = start(shop, fake_stripe, "huipil")
    deliver(shop, fake_stripe, fake_stripe.complete_session(session_id, method="oxxo"))
    assert deliver(shop, fake_stripe, fake_stripe.fail_voucher(session_id)).json()["outcome"] == "cancelled (failed)"
    assert order_of(session, body["order"]["number"]).status is OrderStatus.cancelled
    assert shop.post("/api/v1/checkout", json=checkout_body("huipil")).status_code == 201


@pytest.mark.parametrize("mode", ["down", "slow", "error500"])
def test_stripe_down_or_slow_releases_the_piece_and_leaves_nothing_stuck(shop, fake_stripe, session, piece, mode):
    fake_stripe.mode = mode
    fake_stripe.slow_seconds = 4
    response = shop.post("/api/v1/checkout", json=checkout_body("huipil"), headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.json()["error"] == "payment_provider_unavailable"
    assert "nothing was charged" in response.json()["detail"]
    order = session.scalar(select(Order))
    session.refresh(order)
    assert order.status is OrderStatus.cancelled
    assert payment_of(session, order).status.value == "failed"
    assert session.scalar(select(StockReservation.status)) is ReservationStatus.released
    fake_stripe.mode = "ok"
    assert shop.post("/api/v1/checkout", json=checkout_body("huipil")).status_code == 201


def test_checkout_errors_use_the_error_shape(shop, fake_stripe, session, piece):
    bad = shop.post("/api/v1/checkout", json=checkout_body("huipil", postal_code="12", email="x"))
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"postal_code", "email"}
    assert shop.post("/api/v1/checkout", json=checkout_body("no-such-piece")).json()["error"] == "not_found"
    assert shop.post("/api/v1/checkout", json={"lines": []}).status_code == 422
    assert shop.get("/api/v1/orders/" + "x" * 43).json()["error"] == "not_found"
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_same_event_delivered_five_times_at_once_has_one_effect(stripe_app, fake_stripe, session, piece):
    import threading

    import httpx
    from live import serve

    with serve(stripe_app) as url:
        response = httpx.post(f"{url}/api/v1/checkout", json=checkout_body("huipil"), timeout=10)
        session_id = response.json()["payment_url"].rsplit("/", 1)[-1]
        payload, headers = fake_stripe.sign(fake_stripe.complete_session(session_id))
        start_line = threading.Barrier(5)
        outcomes: list[str] = []

        def post() -> None:
            start_line.wait(timeout=10)
            reply = httpx.post(
                f"{url}/api/v1/payments/stripe/webhook",
                content=payload,
                headers={**headers, "Content-Type": "application/json"},
                timeout=30,
            )
            outcomes.append(f"{reply.status_code} {reply.json()['outcome']}")

        threads = [threading.Thread(target=post) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(outcomes) == ["200 duplicate"] * 4 + ["200 paid"]
    session.rollback()
    assert events_stored(session) == 1
    assert balance(session, "fund") == 37_000  # one split, not five
    assert (
        session.scalar(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "payment_received")) == 1
    )


def test_without_stripe_checkout_is_offline_and_the_treasurer_confirms(client, session, piece, settings):
    response = client.post("/api/v1/checkout", json=checkout_body("huipil"))
    assert response.status_code == 201
    body = response.json()
    assert body["payment_url"] is None and body["order"]["payment_method"] == "offline"
    assert body["instructions"]
    number = body["order"]["number"]
    kinds = session.scalars(select(OutboxEmail.kind)).all()
    assert kinds == ["confirm_order"]  # the link that confirms her address (issue 10)
    # The staff API is closed to anyone not signed in.
    assert client.post(f"/api/v1/staff/orders/{number}/confirm-payment", json={}).status_code == 401


def test_treasurer_confirms_an_offline_payment(shop, fake_stripe, session, piece):
    body, _ = start(shop, fake_stripe, "huipil", method="offline")
    number = body["order"]["number"]
    wrong = {"Authorization": "Bearer wrong"}
    assert shop.post(f"/api/v1/staff/orders/{number}/confirm-payment", json={}, headers=wrong).status_code == 401
    response = shop.post(
        f"/api/v1/staff/orders/{number}/confirm-payment",
        json={"reference": "SPEI 123456"},
        headers=STAFF,
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "paid"
    assert balance(session, "pending_offline") == 204_000
    assert weaver_balance(session, maria_id(session)) == 148_000
    again = shop.post(f"/api/v1/staff/orders/{number}/confirm-payment", json={}, headers=STAFF)
    assert again.status_code == 409
    assert again.json()["error"] == "invalid_state"


def test_in_person_sale_goes_through_the_same_order_and_ledger_path(shop, session, piece):
    response = shop.post("/api/v1/staff/sales", json={"lines": [{"slug": "huipil"}]}, headers=STAFF)
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["payment_method"]) == ("paid", "cash")
    assert response.json()["shipping_amount"] == 0
    assert balance(session, "cash") == 185_000
    assert weaver_balance(session, maria_id(session)) == 148_000
    assert balance(session, "fund") == 37_000
    session.expire_all()
    assert session.get(Product, piece.id).status is ProductStatus.sold_out
    sold = shop.post("/api/v1/staff/sales", json={"lines": [{"slug": "huipil"}]}, headers=STAFF)
    assert (sold.status_code, sold.json()["error"]) == (409, "just_sold")


def test_partial_then_full_stripe_refund(shop, fake_stripe, session, piece):
    number = paid_order(shop, fake_stripe, "huipil")
    partial = shop.post(
        f"/api/v1/staff/orders/{number}/refunds",
        json={"amount": 51_000, "via": "stripe", "reason": "Faded colour"},
        headers=STAFF,
    )
    assert partial.status_code == 201, partial.text
    assert (partial.json()["status"], partial.json()["amount_refunded"]) == ("partially_refunded", 51_000)
    asked = next(r for r in fake_stripe.requests if r.path == "/v1/refunds" and r.method == "POST")
    fresh(session)
    refund_id = session.scalar(select(Refund.id))
    assert asked.idempotency_key.startswith("refund-") and asked.idempotency_key.endswith(f"-{refund_id}")
    assert asked.params["amount"] == "51000"
    # 51,000 of 204,000 is a quarter: a quarter of each part goes back.
    assert weaver_balance(session, maria_id(session)) == 148_000 - 37_000
    assert balance(session, "shipping_income") == 19_000 - 4_750
    full = shop.post(
        f"/api/v1/staff/orders/{number}/refunds",
        json={"amount": 204_000 - 51_000, "via": "stripe", "restock": [{"line_id": 1, "quantity": 1}]},
        headers=STAFF,
    )
    assert full.json()["status"] == "refunded"
    fresh(session)
    assert weaver_balance(session, maria_id(session)) == 0
    assert balance(session, "fund") == 0 and balance(session, "shipping_income") == 0
    fee = fake_stripe.fee_for("card", 204_000)
    assert balance(session, "stripe_clearing") == -fee  # Stripe keeps its fee
    session.expire_all()
    assert (session.get(Product, piece.id).stock_on_hand, session.get(Product, piece.id).status) == (
        1,
        ProductStatus.active,
    )
    too_much = shop.post(f"/api/v1/staff/orders/{number}/refunds", json={"amount": 1, "via": "stripe"}, headers=STAFF)
    assert too_much.status_code == 409


def test_our_own_refund_is_not_booked_twice_when_stripe_reports_it(shop, fake_stripe, session, piece):
    number = paid_order(shop, fake_stripe, "huipil")
    shop.post(
        f"/api/v1/staff/orders/{number}/refunds",
        json={"amount": 20_000, "via": "stripe"},
        headers=STAFF,
    )
    reported = [e for e in fake_stripe.events if e["type"] == "charge.refunded"][-1]
    assert deliver(shop, fake_stripe, reported).json()["outcome"] == "refunds already booked"
    assert session.scalar(select(func.count()).select_from(Refund)) == 1
    assert order_of(session, number).amount_refunded == 20_000


def test_a_refund_made_in_the_dashboard_is_booked_once(shop, fake_stripe, session, piece):
    number = paid_order(shop, fake_stripe, "huipil")
    intent = payment_of(session, order_of(session, number)).stripe_payment_intent_id
    event = fake_stripe.dashboard_refund(intent, 102_000)
    assert deliver(shop, fake_stripe, event).json()["outcome"].startswith("booked 102000 (re_")
    assert deliver(shop, fake_stripe, event).json()["outcome"] == "duplicate"
    created = next(e for e in fake_stripe.events if e["type"] == "refund.created")
    assert deliver(shop, fake_stripe, created).json()["outcome"].endswith("already booked")
    order = order_of(session, number)
    assert (order.status, order.amount_refunded) == (OrderStatus.partially_refunded, 102_000)
    assert weaver_balance(session, maria_id(session)) == 74_000


def test_cash_refund_of_one_line(shop, fake_stripe, session, piece):
    other = make_product(session, slug="faja", price_amount=35_000, weight_g=100)
    session.commit()
    number = paid_order(shop, fake_stripe, "huipil", "faja")
    order = order_of(session, number)
    faja_line = next(line for line in order.lines if line.product_slug == "faja")
    response = shop.post(
        f"/api/v1/staff/orders/{number}/refunds",
        json={
            "amount": 35_000,
            "via": "cash",
            "lines": {str(faja_line.id): 35_000},
            "restock": [{"line_id": faja_line.id, "quantity": 1}],
        },
        headers=STAFF,
    )
    assert response.status_code == 201, response.text
    fresh(session)
    assert balance(session, "cash") == -35_000
    assert weaver_balance(session, maria_id(session)) == 148_000  # the huipil's weaver keeps her share
    session.expire_all()
    assert session.get(Product, other.id).stock_on_hand == 1


def test_fulfilment_steps_through_the_staff_api(shop, fake_stripe, session, piece):
    number = paid_order(shop, fake_stripe, "huipil")
    early = shop.post(
        f"/api/v1/staff/orders/{number}/shipped",
        json={"carrier": "DHL", "tracking_number": "1"},
        headers=STAFF,
    )
    assert (early.status_code, early.json()["error"]) == (409, "invalid_state")  # not packed yet
    assert shop.post(f"/api/v1/staff/orders/{number}/packed", json={}, headers=STAFF).json()["status"] == "packed"
    bad = shop.post(
        f"/api/v1/staff/orders/{number}/shipped",
        json={"carrier": " ", "tracking_number": ""},
        headers=STAFF,
    )
    assert bad.status_code == 422
    shipped = shop.post(
        f"/api/v1/staff/orders/{number}/shipped",
        json={"carrier": "Estafeta", "tracking_number": "EST123"},
        headers=STAFF,
    )
    assert shipped.json()["status"] == "shipped"
    assert session.scalar(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "order_shipped")) == 1


def test_a_member_moves_only_orders_holding_her_pieces(shop, fake_stripe, session, piece):
    from shop.accounts.credentials import token_hash
    from shop.accounts.models import ApiKey, Role
    from shop.accounts.service import create_user

    juana = make_weaver(session, slug="juana", name="Juana")
    for username, weaver_id in (("maria", maria_id(session)), ("juana", juana.id)):
        user = create_user(
            session, name=username, username=f"{username}.m", roles=[Role.member], weaver_id=weaver_id, pin="2580"
        )
        session.add(ApiKey(user_id=user.id, name="phone", key_hash=token_hash(f"jj_key-of-{username}")))
    session.commit()
    number = paid_order(shop, fake_stripe, "huipil")

    def pack(username):
        return shop.post(
            f"/api/v1/staff/orders/{number}/packed", json={}, headers={"Authorization": f"Bearer jj_key-of-{username}"}
        )

    refused = pack("juana")
    assert refused.status_code == 404  # not her piece: the order looks unknown to her
    assert order_of(session, number).status is OrderStatus.paid
    assert pack("maria").json()["status"] == "packed"
