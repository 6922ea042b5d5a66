"""Issue 10: nobody can hold every one-of-a-kind piece for three days.

An offline (bank transfer) order holds its pieces 30 minutes until its buyer confirms her e-mail address by
the link sent to it, or the treasurer confirms it; placing orders is limited per client address and per e-mail
address; one plain-text e-mail per address an hour, without the buyer's name; the treasurer sees unconfirmed
orders and can release their pieces at once. Through the real store form, the JSON API and the jobs.
"""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import pytest
import workspace_helpers
from factories import BUYER, checkout_body, fresh, make_product, make_weaver
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person

from shop import jobs
from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.catalogue.models import ReservationStatus, StockReservation
from shop.clock import utcnow
from shop.mail.models import OutboxEmail
from shop.mail.sender import build_message
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.payments.offline_holds import LINK_NOT_SENT, LINK_SENT
from shop.web.email import render as render_email

SHORT = timedelta(minutes=30)
FULL = timedelta(hours=72)
SLACK = timedelta(seconds=30)  # the test's clock against the shop's


@pytest.fixture
def pieces(session):
    """Forty one-of-a-kind huipiles, all for sale."""
    maria = make_weaver(session, slug="maria", name="María")
    made = [
        make_product(
            session, slug=f"huipil-{i}", title_es=f"Huipil {i}", price_amount=185_000, weavers=[(maria, 10_000)]
        )
        for i in range(40)
    ]
    session.commit()
    return made


def browser(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 40_000))


def store_checkout(app, product, *, address: str, email: str, lang: str = "es", name: str = "Ana López"):
    """A buyer's whole visit through the store's forms: the product page, the cart, the checkout form."""
    client = browser(app, address)
    page = client.get(f"/{lang}/products/{product.slug}")
    token = csrf_of(page.text)
    client.post(f"/{lang}/cart/add", data={"product_id": product.id, "csrf_token": token}, follow_redirects=False)
    form = client.get(f"/{lang}/checkout?country=MX")
    data = {**BUYER, "email": email, "name": name, "method": "offline", "csrf_token": csrf_of(form.text)}
    return client, client.post(f"/{lang}/checkout", data=data, follow_redirects=False)


def api_checkout(app, product, *, address: str, email: str, lang: str = "es", **changes):
    body = checkout_body(product.slug, method="offline", email=email, **changes) | {"language": lang}
    return browser(app, address).post("/api/v1/checkout", json=body)


def counts(session) -> tuple[int, int, int]:
    fresh(session)
    return tuple(
        session.scalar(select(func.count()).select_from(table)) for table in (Order, StockReservation, OutboxEmail)
    )


def assert_only_short_holds(session, started, ended, expected: int) -> None:
    fresh(session)
    holds = session.scalars(select(StockReservation)).all()
    assert len(holds) == expected
    for hold in holds:
        assert hold.status is ReservationStatus.active
        assert started + SHORT - SLACK <= hold.expires_at <= ended + SHORT + SLACK
    for order in session.scalars(select(Order)).all():
        assert order.confirmed_at is None
        assert order.reserved_until <= ended + SHORT + SLACK


def assert_jobs_release_everything(app, session, ended, expected: int) -> None:
    """Once the short window has passed, the jobs free every hold and then cancel every order."""
    summary = jobs.run_once(app.state.engine, app.state.settings, now=ended + SHORT + timedelta(seconds=61))
    assert summary["holds_released"] == expected
    later = jobs.run_once(app.state.engine, app.state.settings, now=ended + SHORT + jobs.UNPAID_GRACE + SLACK * 4)
    assert summary["orders_cancelled"] + later["orders_cancelled"] == expected
    fresh(session)
    assert session.scalar(select(func.count()).where(StockReservation.status == ReservationStatus.active)) == 0
    assert set(session.scalars(select(Order.status)).all()) == {OrderStatus.cancelled}


def test_a_burst_of_offline_orders_through_the_store_form_holds_nothing_beyond_the_short_window(app, session, pieces):
    started = utcnow()
    for i, piece in enumerate(pieces[:30]):
        _, response = store_checkout(app, piece, address=f"203.0.113.{i + 1}", email=f"bot{i}@example.org")
        assert response.status_code == 303, response.text
    ended = utcnow()
    assert_only_short_holds(session, started, ended, 30)
    assert_jobs_release_everything(app, session, ended, 30)


def test_a_burst_of_offline_orders_through_the_api_holds_nothing_beyond_the_short_window(app, session, pieces):
    started = utcnow()
    for i, piece in enumerate(pieces[:30]):
        response = api_checkout(app, piece, address=f"198.51.100.{i + 1}", email=f"bot{i}@example.org")
        assert response.status_code == 201, response.text
    ended = utcnow()
    assert_only_short_holds(session, started, ended, 30)
    assert_jobs_release_everything(app, session, ended, 30)


def confirm_link(session, email: str) -> str:
    fresh(session)
    row = session.scalar(select(OutboxEmail).where(OutboxEmail.to == email, OutboxEmail.kind == "confirm_order"))
    return urlsplit(row.context["confirm_url"]).path


@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_link_in_the_email_keeps_the_pieces_the_full_time(app, session, pieces, lang):
    client, response = store_checkout(app, pieces[0], address="192.0.2.1", email="ana@example.org", lang=lang)
    page = unescape(client.get(response.headers["location"]).text)
    if lang == "es":
        assert "Confirma tu correo electrónico para conservar tus piezas" in page
        assert "Ábrelo antes de 30 minutos" in page and "apartaremos tus piezas 72 horas" in page
    else:
        assert "Open it within 30 minutes to confirm your address" in page and "for 72 hours" in page
    link = confirm_link(session, "ana@example.org")
    assert link.startswith(f"/{lang}/orders/")
    clicked = utcnow()
    opened = client.get(link)
    assert opened.status_code == 200
    text = unescape(opened.text)
    assert (
        "Gracias: tu correo electrónico está confirmado" if lang == "es" else "your e-mail address is confirmed"
    ) in text
    fresh(session)
    order = session.scalar(select(Order))
    assert clicked <= order.confirmed_at <= utcnow()
    assert clicked + FULL - SLACK <= order.reserved_until <= utcnow() + FULL
    [hold] = session.scalars(select(StockReservation)).all()
    assert hold.expires_at == order.reserved_until and hold.status is ReservationStatus.active
    notes = session.scalars(select(OrderEvent.note).where(OrderEvent.order_id == order.id)).all()
    assert any(note.startswith("E-mail address confirmed by link") for note in notes)
    # The jobs leave it alone after the short window.
    summary = jobs.run_once(app.state.engine, app.state.settings, now=utcnow() + timedelta(hours=2))
    assert summary["holds_released"] == 0 and summary["orders_cancelled"] == 0
    # Opening it again changes nothing and still says it is confirmed.
    assert client.get(link).status_code == 200
    fresh(session)
    assert session.get(Order, order.id).reserved_until == order.reserved_until


def test_a_link_opened_after_the_short_hold_ran_out_says_so_and_keeps_nothing(app, session, pieces):
    client, _ = store_checkout(app, pieces[0], address="192.0.2.1", email="ana@example.org", lang="en")
    link = confirm_link(session, "ana@example.org")
    jobs.run_once(app.state.engine, app.state.settings, now=utcnow() + SHORT + timedelta(minutes=1))  # holds freed
    fresh(session)
    order = session.scalar(select(Order))
    past = utcnow() - timedelta(minutes=1)
    order.reserved_until = past
    session.commit()
    opened = client.get(link)
    assert opened.status_code == 200
    assert "Too late: the time to confirm has run out" in unescape(opened.text)
    fresh(session)
    order = session.get(Order, order.id)
    assert order.confirmed_at is None and order.reserved_until == past
    assert session.scalar(select(func.count()).where(StockReservation.status == ReservationStatus.active)) == 0
    jobs.run_once(app.state.engine, app.state.settings, now=utcnow() + timedelta(minutes=10))
    fresh(session)
    assert session.get(Order, order.id).status is OrderStatus.cancelled


def test_a_forged_or_borrowed_key_confirms_nothing(app, session, pieces):
    client, _ = store_checkout(app, pieces[0], address="192.0.2.1", email="ana@example.org")
    store_checkout(app, pieces[1], address="192.0.2.2", email="eva@example.org")
    ana_link = confirm_link(session, "ana@example.org")
    eva_link = confirm_link(session, "eva@example.org")
    ana_order, key = ana_link.split("/")[3], ana_link.rsplit("/", 1)[1]
    eva_order = eva_link.split("/")[3]
    for path in (f"/es/orders/{eva_order}/confirm/{key}", f"/es/orders/{ana_order}/confirm/{key[:-2]}xx"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Este enlace de confirmación no es válido" in unescape(response.text)
    fresh(session)
    assert session.scalars(select(Order.confirmed_at)).all() == [None, None]


def test_a_second_order_from_the_same_address_within_the_hour_sends_no_second_email(app, session, pieces):
    first, _ = store_checkout(app, pieces[0], address="192.0.2.1", email="ana@example.org", lang="en")
    second, response = store_checkout(app, pieces[1], address="192.0.2.2", email="ANA@example.org", lang="en")
    assert response.status_code == 303
    fresh(session)
    assert session.scalar(select(func.count()).select_from(OutboxEmail)) == 1
    assert session.scalars(select(OrderEvent.note).where(OrderEvent.note.in_([LINK_SENT, LINK_NOT_SENT]))).all() == [
        LINK_SENT,
        LINK_NOT_SENT,
    ]
    page = unescape(second.get(response.headers["location"]).text)
    assert "We already sent a link to ANA@example.org within the last hour" in page
    # The one link confirms both orders: she proved the address is hers.
    opened = first.get(confirm_link(session, "ana@example.org"))
    assert "Your other order waiting for this confirmation is kept too." in unescape(opened.text)
    fresh(session)
    orders = session.scalars(select(Order)).all()
    assert all(order.confirmed_at is not None for order in orders)
    assert all(hold.expires_at > utcnow() + FULL - SLACK for hold in session.scalars(select(StockReservation)))
    # An hour later, a new order gets its own e-mail again.
    for row in session.scalars(select(OutboxEmail)).all():  # as if written an hour ago, under that hour's key
        row.created_at = utcnow() - timedelta(hours=1, minutes=1)
        row.dedupe_key = f"{row.dedupe_key}-an-hour-ago"
    session.commit()
    api_checkout(app, pieces[2], address="192.0.2.3", email="ana@example.org")
    fresh(session)
    assert session.scalar(select(func.count()).select_from(OutboxEmail)) == 2


def test_the_name_field_never_reaches_the_email(app, session, pieces):
    spam = "WIN 5000 USD http://evil.example/claim <a href='http://evil.example'>click</a>"
    response = api_checkout(app, pieces[0], address="192.0.2.1", email="victim@example.org", name=spam[:200])
    assert response.status_code == 201, response.text
    fresh(session)
    row = session.scalar(select(OutboxEmail))
    assert "evil" not in str(row.context) and "WIN" not in str(row.context)
    rendered = render_email(row.kind, row.language, row.context, store_url="http://testserver/es/")
    assert rendered.html == ""
    message = build_message(row, rendered, app.state.settings, utcnow())
    assert message.get_content_type() == "text/plain" and not message.is_multipart()
    body = message.get_content()
    assert "evil" not in body and "WIN" not in body and "Ana" not in body
    assert "/confirm/" in body and "30 minutos" in body and "72 horas" in body
    assert "Confirma tu correo electrónico" in message["Subject"]


# --- limits ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "wanted"),
    [("es", "Se han hecho demasiados pedidos desde aquí"), ("en", "Too many orders have been placed from here")],
)
def test_the_store_form_refuses_a_sixth_offline_order_from_one_address_with_429(app, session, pieces, lang, wanted):
    for i in range(5):
        _, response = store_checkout(app, pieces[i], address="192.0.2.9", email=f"b{i}@example.org", lang=lang)
        assert response.status_code == 303
    before = counts(session)
    _, refused = store_checkout(app, pieces[5], address="192.0.2.9", email="b5@example.org", lang=lang)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    page = unescape(refused.text)
    assert wanted in page
    assert 'value="b5@example.org"' in page  # the form stays filled in
    assert counts(session) == before
    # Another address is not held back by this one.
    _, other = store_checkout(app, pieces[6], address="192.0.2.10", email="c@example.org", lang=lang)
    assert other.status_code == 303


@pytest.mark.parametrize(("lang", "wanted"), [("es", "Espera"), ("en", "Please wait")])
def test_the_api_refuses_a_fourth_offline_order_for_one_email_with_429(app, session, pieces, lang, wanted):
    for i in range(3):
        response = api_checkout(app, pieces[i], address=f"192.0.2.{i + 1}", email="same@example.org", lang=lang)
        assert response.status_code == 201
    before = counts(session)
    refused = browser(app, "192.0.2.50").post(
        "/api/v1/checkout",
        json=checkout_body(pieces[3].slug, method="offline", email="Same@Example.org") | {"language": lang},
        headers={"Accept-Language": lang},
    )
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    body = refused.json()
    assert body["error"] == "too_many_requests" and wanted in body["detail"]
    assert counts(session) == before


def test_card_orders_are_limited_a_little_more_loosely(stripe_app, session, pieces):
    answers = [
        browser(stripe_app, "192.0.2.7")
        .post("/api/v1/checkout", json=checkout_body(piece.slug, method="stripe", email=f"c{i}@example.org"))
        .status_code
        for i, piece in enumerate(pieces[:11])
    ]
    assert answers == [201] * 10 + [429]


# --- the treasurer ----------------------------------------------------------------------------------------------


def signed_in(app, session, username: str, *roles: Role) -> TestClient:
    person(session, username, *roles)
    return workspace_helpers.signed_in(app, username)


def post(client: TestClient, path: str, *, csrf: bool = True):
    token = csrf_of(client.get("/taller/pagos").text) if csrf else "forged"
    return client.post(path, data={"csrf_token": token}, follow_redirects=False)


def test_the_treasurer_sees_unconfirmed_orders_and_confirms_one(app, session, pieces):
    for i in range(3):
        api_checkout(app, pieces[i], address=f"192.0.2.{i + 1}", email=f"b{i}@example.org")
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    page = unescape(teresa.get("/taller/pagos").text)
    assert "3 pedidos cuyas compradoras no han confirmado su correo" in page
    assert page.count("Correo aún sin confirmar: piezas apartadas solo hasta") == 3
    number = session.scalars(select(Order.number).order_by(Order.id)).first()
    confirmed = utcnow()
    response = post(teresa, f"/taller/pagos/{number}/confirmar")
    assert response.status_code == 303
    fresh(session)
    order = session.scalar(select(Order).where(Order.number == number))
    assert order.confirmed_at >= confirmed and order.reserved_until >= confirmed + FULL - SLACK
    [hold] = session.scalars(select(StockReservation).where(StockReservation.order_id == order.id)).all()
    assert hold.expires_at == order.reserved_until
    assert any(
        e.actor == "Teresa" and e.note.startswith("Confirmed by the cooperative")
        for e in session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id))
    )
    assert session.scalar(select(func.count()).where(AuditEvent.entity == "orders", AuditEvent.actor_name == "Teresa"))
    assert "2 pedidos cuyas compradoras" in unescape(teresa.get("/taller/pagos").text)
    again = post(teresa, f"/taller/pagos/{number}/confirmar")
    assert again.status_code == 409


def test_the_treasurer_releases_one_unconfirmed_order_then_all_of_them(app, session, pieces):
    for i in range(4):
        api_checkout(app, pieces[i], address=f"192.0.2.{i + 1}", email=f"b{i}@example.org")
    teresa = signed_in(app, session, "teresa", Role.treasurer)
    first = session.scalars(select(Order.number).order_by(Order.id)).first()
    assert post(teresa, f"/taller/pagos/{first}/soltar").status_code == 303
    fresh(session)
    assert session.scalar(select(Order.status).where(Order.number == first)) is OrderStatus.cancelled
    assert session.scalar(select(func.count()).where(StockReservation.status == ReservationStatus.active)) == 3
    response = post(teresa, "/taller/pagos/sin-confirmar/soltar")
    assert response.status_code == 303
    assert "Se cancelaron 3 pedidos sin confirmar" in unescape(teresa.get("/taller/pagos").text)
    fresh(session)
    assert set(session.scalars(select(Order.status)).all()) == {OrderStatus.cancelled}
    assert session.scalar(select(func.count()).where(StockReservation.status == ReservationStatus.active)) == 0
    # A link opened afterwards brings nothing back, and says so.
    opened = teresa.get(confirm_link(session, "b0@example.org"))
    assert "Este pedido ya no está esperando una confirmación" in unescape(opened.text)
    fresh(session)
    assert session.scalar(select(func.count()).where(StockReservation.status == ReservationStatus.active)) == 0
    audit = session.scalar(select(AuditEvent).where(AuditEvent.action == "release"))
    assert audit.actor_name == "Teresa" and "3 unconfirmed orders" in audit.summary


def test_only_the_treasurer_or_an_admin_may_confirm_or_release_and_only_with_the_form_token(app, session, pieces):
    api_checkout(app, pieces[0], address="192.0.2.1", email="b@example.org")
    number = session.scalar(select(Order.number))
    council = signed_in(app, session, "consuelo", Role.council)
    anonymous = TestClient(app, raise_server_exceptions=False)
    for path in (
        f"/taller/pagos/{number}/confirmar",
        f"/taller/pagos/{number}/soltar",
        "/taller/pagos/sin-confirmar/soltar",
    ):
        assert council.post(path, data={"csrf_token": "x"}, follow_redirects=False).status_code == 403
        stranger = anonymous.post(path, data={"csrf_token": "x"}, follow_redirects=False)
        assert (stranger.status_code, stranger.headers["location"]) == (303, "/taller"), path
    admin = signed_in(app, session, "adela", Role.admin)
    assert post(admin, "/taller/pagos/sin-confirmar/soltar", csrf=False).status_code == 403
    fresh(session)
    assert session.scalar(select(Order.status)) is OrderStatus.pending_payment
    assert session.scalar(select(Order.confirmed_at)) is None
    assert post(admin, f"/taller/pagos/{number}/confirmar").status_code == 303
