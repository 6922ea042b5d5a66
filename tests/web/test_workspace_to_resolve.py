"""The treasurer's screens for money an order could not take: warned before confirming a transfer for a piece
that is gone, the money kept as a payment to resolve, another piece put in, the order sent after all or the
money given back; the payout screen says what is not counted and why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import workspace_helpers
from factories import fresh, make_order, make_product, make_weaver, place, sale_for
from fastapi.testclient import TestClient
from sqlalchemy import select
from workspace_helpers import csrf_of, person

from shop.accounts.models import Role
from shop.catalogue.stock import extend_reservations
from shop.clock import utcnow
from shop.i18n import translator
from shop.ledger.balances import balance, weaver_balance
from shop.ledger.sales import post_sale
from shop.mail.models import OutboxEmail
from shop.orders.models import Order, OrderStatus
from shop.orders.schemas import OrderItem
from shop.orders.service import SOLD_MEANWHILE
from shop.payments.models import Payment, PaymentStatus
from shop.payments.offline import sell_in_person
from shop.payments.service import open_payment

es = translator("es")


def signed_in(app, session, username: str, *roles: Role, weaver_id=None) -> TestClient:
    person(session, username, *roles, weaver=weaver_id)
    return workspace_helpers.signed_in(app, username)


def post(client: TestClient, path: str, data: dict | None = None, *, form_page: str = "/taller/inicio"):
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def gone(session):
    """Ana's transfer order for María's huipil; its hold ran out and the huipil was sold at the cooperative."""
    maria = make_weaver(session, name="María Pérez")
    category_weavers = [(maria, 10_000)]
    huipil = make_product(
        session, slug="huipil", title_es="Huipil de rombos", weavers=category_weavers, price_amount=185_000
    )
    order = place(session, [(huipil, 1)], name="Ana López")
    open_payment(session, order, now=utcnow())
    extend_reservations(session, order.id, utcnow() - timedelta(minutes=1))
    sell_in_person(session, items=[OrderItem(product_id=huipil.id, quantity=1)], actor="Rosa", now=utcnow())
    petrona = make_weaver(session, name="Petrona López")
    make_product(
        session,
        slug="huipil-azul",
        title_es="Huipil azul",
        weavers=[(petrona, 10_000)],
        category_id=huipil.category_id,
        price_amount=190_000,
    )
    session.commit()
    return {"order": order, "maria": maria, "petrona": petrona}


def test_the_treasurer_is_warned_before_confirming_a_transfer_for_a_gone_piece(app, session, gone):
    number = gone["order"].number
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    page = teresa.get("/taller/pagos").text
    warning = es.gettext(
        "Do not confirm this payment as it is: %(titles)s is no longer available (sold after the time to pay ran out).",
        titles="Huipil de rombos",
    )
    assert warning in page.replace("&#34;", '"')
    assert f'action="/taller/pagos/{number}"' not in page  # no plain "Payment received" button for it
    # A stale page's confirm is refused, with what to do instead; nothing is written.
    refused = post(teresa, f"/taller/pagos/{number}", {"reference": "SPEI 1"}, form_page="/taller/pagos")
    assert refused.status_code == 409
    assert "Huipil de rombos" in refused.text
    fresh(session)
    assert session.scalar(select(Payment.status).where(Payment.order_id == gone["order"].id)) is PaymentStatus.open
    kept = post(
        teresa, "/taller/pagos/por-resolver", {"number": number, "reference": "SPEI 1"}, form_page="/taller/pagos"
    )
    assert (kept.status_code, kept.headers["location"]) == (303, f"/taller/pagos/por-resolver/{number}")
    fresh(session)
    order = session.scalar(select(Order).where(Order.number == number))
    assert order.status is OrderStatus.cancelled
    emails = session.scalars(select(OutboxEmail.kind).where(OutboxEmail.to == "ana@example.org")).all()
    assert "payment_on_hold" in emails and "payment_received" not in emails
    assert balance(session, "unallocated") == order.amount_due_now
    assert weaver_balance(session, gone["maria"].id) == 148_000  # the sale at the shop only
    assert number in teresa.get("/taller/inicio").text  # home: a payment to resolve
    assert (
        "Pagos por resolver" in teresa.get("/taller/pagos").text
        or number in teresa.get("/taller/pagos/por-resolver").text
    )


def test_another_piece_then_the_order_is_sent_after_all(app, session, gone):
    number = gone["order"].number
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    post(teresa, "/taller/pagos/por-resolver", {"number": number}, form_page="/taller/pagos")
    detail = teresa.get(f"/taller/pagos/por-resolver/{number}")
    assert detail.status_code == 200
    assert "Huipil azul" in detail.text and es.gettext("Gone") in detail.text
    assert f"/taller/pagos/por-resolver/{number}/reactivar" not in detail.text  # not while a piece is gone
    refused = post(
        teresa, f"/taller/pagos/por-resolver/{number}/reactivar", form_page=f"/taller/pagos/por-resolver/{number}"
    )
    assert refused.status_code == 409
    searched = teresa.get(f"/taller/pagos/por-resolver/{number}", params={"q": "azul"})
    assert "Huipil azul" in searched.text
    line_id = re.search(r'name="line" value="(\d+)"', detail.text).group(1)
    product_id = re.search(r'name="product" value="(\d+)"', searched.text).group(1)
    bad = post(
        teresa,
        f"/taller/pagos/por-resolver/{number}/cambiar",
        {"line": line_id},
        form_page=f"/taller/pagos/por-resolver/{number}",
    )
    assert bad.status_code == 422
    swapped = post(
        teresa,
        f"/taller/pagos/por-resolver/{number}/cambiar",
        {"line": line_id, "product": product_id},
        form_page=f"/taller/pagos/por-resolver/{number}",
    )
    assert swapped.status_code == 303
    sent = post(
        teresa, f"/taller/pagos/por-resolver/{number}/reactivar", form_page=f"/taller/pagos/por-resolver/{number}"
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/taller/pedidos/{number}")
    fresh(session)
    order = session.scalar(select(Order).where(Order.number == number))
    assert (order.status, order.attention) == (OrderStatus.paid, "")
    assert balance(session, "unallocated") == 0
    assert weaver_balance(session, gone["petrona"].id) == 148_000
    assert es.gettext("No payments to resolve.") in teresa.get("/taller/pagos/por-resolver").text


def test_the_money_is_given_back_once(app, session, gone):
    number = gone["order"].number
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    post(teresa, "/taller/pagos/por-resolver", {"number": number}, form_page="/taller/pagos")
    page = f"/taller/pagos/por-resolver/{number}"
    assert 'value="stripe"' not in teresa.get(page).text  # a transfer is given back by hand
    given = post(teresa, f"{page}/devolver", {"via": "cash", "reason": "Ya no estaba"}, form_page=page)
    assert (given.status_code, given.headers["location"]) == (303, "/taller/pagos/por-resolver")
    fresh(session)
    assert balance(session, "unallocated") == 0
    payment = session.scalar(select(Payment).where(Payment.order_id == gone["order"].id))
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.returned, payment.amount)
    again = post(teresa, f"{page}/devolver", {"via": "cash"}, form_page="/taller/pagos")
    assert again.status_code == 404
    assert es.gettext("Order %(number)s has no payment waiting to be resolved.") % {"number": number} in again.text
    fresh(session)
    assert balance(session, "unallocated") == 0


def test_money_for_an_order_already_cancelled_is_kept_to_resolve(app, session, gone):
    from shop.orders import service as orders

    order = session.get(Order, gone["order"].id)
    orders.cancel(session, order, actor="system", note="Not paid in time", now=utcnow())
    session.commit()
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    kept = post(teresa, "/taller/pagos/por-resolver", {"number": order.number.lower()}, form_page="/taller/pagos")
    assert kept.status_code == 303
    unknown = post(teresa, "/taller/pagos/por-resolver", {"number": "JJ-999999"}, form_page="/taller/pagos")
    assert unknown.status_code == 303 and unknown.headers["location"] == "/taller/pagos"
    fresh(session)
    assert session.scalar(select(Payment.status).where(Payment.order_id == order.id)) is PaymentStatus.unallocated


def test_only_the_treasurer_resolves_payments(app, session, gone):
    number = gone["order"].number
    member = signed_in(app, session, "maria", Role.member, weaver_id=gone["maria"].id)
    assert member.get("/taller/pagos/por-resolver").status_code == 403
    assert member.get(f"/taller/pagos/por-resolver/{number}").status_code == 403
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    no_token = teresa.post("/taller/pagos/por-resolver", data={"number": number}, follow_redirects=False)
    assert no_token.status_code == 403
    fresh(session)
    assert session.scalar(select(Payment.status).where(Payment.order_id == gone["order"].id)) is PaymentStatus.open


def test_the_payout_screen_says_what_is_held_and_why(app, session):
    maria = make_weaver(session, name="María Pérez")
    order, lines = make_order(session, [(100_000, 8000, [(maria, 10_000)])])
    order.status, order.amount_paid = OrderStatus.paid, 100_000
    order.attention = SOLD_MEANWHILE
    post_sale(session, sale_for(session, order, lines, money="cash"))
    session.commit()
    teresa = signed_in(app, session, "teresa", Role.treasurer, Role.council)
    page = teresa.get("/taller/pagos-tejedoras").text
    held = es.gettext(
        "held: order %(number)s cannot be sent as it is (%(amount)s); the treasurer must resolve it",
        number=order.number,
        amount=es.money(80_000, "MXN"),
    )
    assert held in page
    proposal = teresa.get("/taller/pagos-tejedoras/nuevo").text
    assert "María Pérez" not in proposal  # nothing of hers can be paid yet
    listed = teresa.get("/taller/pagos/por-resolver").text
    assert order.number in listed
    page = f"/taller/pagos/por-resolver/{order.number}"
    empty = post(teresa, f"{page}/resuelto", {"note": " "}, form_page=page)
    assert empty.status_code == 422
    done = post(teresa, f"{page}/resuelto", {"note": "Aceptó el huipil azul"}, form_page=page)
    assert done.status_code == 303
    assert "María Pérez" in teresa.get("/taller/pagos-tejedoras/nuevo").text


def test_the_council_sees_money_to_resolve_on_the_payouts_screen_without_a_link_it_may_not_follow(app, session, gone):
    number = gone["order"].number
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    post(teresa, "/taller/pagos/por-resolver", {"number": number}, form_page="/taller/pagos")
    carmen = signed_in(app, session, "carmen", Role.council)
    shown = carmen.get("/taller/pagos-tejedoras").text
    assert number in shown and f'href="/taller/pagos/por-resolver/{number}"' not in shown
    assert carmen.get(f"/taller/pagos/por-resolver/{number}").status_code == 403
    assert f'href="/taller/pagos/por-resolver/{number}"' in teresa.get("/taller/pagos-tejedoras").text
