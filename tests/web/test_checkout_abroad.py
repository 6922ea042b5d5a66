"""Checkout for buyers abroad: the country first, only the ways of paying that work there, the international
transfer details when set, and the notes a buyer writes for a made-to-order piece."""

import re
from html import unescape

import pytest
from factories import BUYER, fresh, make_product, make_weaver
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person, signed_in

from shop.accounts.models import Role
from shop.catalogue.models import Weaver
from shop.clock import utcnow
from shop.mail.models import OutboxEmail
from shop.orders.models import Order, OrderLine
from shop.orders.service import order_by_token
from shop.payments.methods import save_international_details
from shop.payments.models import Payment
from shop.payments.offline import confirm_offline_payment
from shop.web.email import render as render_email

US = {
    **BUYER,
    "name": "Ann Lee",
    "address_line1": "12 Main Street",
    "city": "Portland",
    "region": "OR",
    "postal_code": "97201",
    "country": "US",
}
ABROAD = {
    "beneficiary": "Sociedad Cooperativa J'pas Joloviletik",
    "bank_name": "Banco Ejemplo",
    "bank_address": "Av. Insurgentes 1, San Cristóbal de las Casas, Chiapas",
    "swift_bic": "BNMXMXMM",
    "account": "DE89 3704 0044 0532 0130 00",
}


# A made-to-order piece: woven once ordered, in 45 days, with a 30% deposit now.
MADE = {"kind": "made_to_order", "stock_on_hand": 0, "lead_time_days": 45, "deposit_bp": 3000}


@pytest.fixture
def pieces(session):
    weavers = [(make_weaver(session, slug="maria", name="María"), 10_000)]
    found = {
        "huipil": make_product(session, slug="huipil", title_en="Huipil", price_amount=185_000, weavers=weavers),
        "rebozo": make_product(session, slug="rebozo", title_en="Shawl", price_amount=400_000, weavers=weavers, **MADE),
    }
    session.commit()
    return found


def set_abroad_details(session):
    save_international_details(session, ABROAD, now=utcnow())
    session.commit()


def add(client, lang, product):
    page = client.get(f"/{lang}/products/{product.slug}")
    response = client.post(
        f"/{lang}/cart/add",
        data={"product_id": product.id, "quantity": 1, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303


def methods_offered(html: str) -> set[str]:
    return set(re.findall(r'name="method" value="(\w+)"', html))


def test_without_a_country_the_checkout_is_a_small_get_form_that_asks_where_to_send(client, pieces):
    add(client, "en", pieces["huipil"])
    page = client.get("/en/checkout")
    assert page.status_code == 200
    assert '<form method="get" action="/en/checkout"' in page.text
    assert "Where do we send it?" in page.text
    assert 'method="post"' not in page.text.split("<main", 1)[1]  # no address form yet
    assert 'name="email"' not in page.text
    chosen = client.get("/en/checkout?country=mx")
    assert 'name="email"' in chosen.text and '<option value="MX" selected>' in chosen.text
    assert '<input type="hidden" name="country" value="MX">' in chosen.text


def test_the_country_chosen_on_a_product_page_or_at_checkout_is_remembered(client, pieces):
    add(client, "en", pieces["huipil"])
    assert client.get("/en/ship-to?country=MX&next=/en/cart", follow_redirects=False).status_code == 303
    page = client.get("/en/checkout").text
    assert 'name="email"' in page and '<input type="hidden" name="country" value="MX">' in page
    chosen = client.get("/en/checkout?country=FR")
    assert "ship_to=FR" in chosen.headers["set-cookie"]
    assert "We cannot take payment from France yet" in unescape(client.get("/en/checkout").text)
    client.cookies.set("ship_to", "ZZ")  # not a country on the list: she is asked again
    again = client.get("/en/checkout").text
    assert "Where do we send it?" in again and "France" not in again.split("<main", 1)[1].split("<select", 1)[0]


def test_a_country_not_on_the_list_is_refused_on_the_country_step(client, pieces):
    add(client, "es", pieces["huipil"])
    page = client.get("/es/checkout?country=XX")
    assert page.status_code == 422
    assert "Elige un país de la lista." in page.text
    assert 'name="email"' not in page.text


def test_mexico_without_stripe_gets_the_transfer_and_abroad_gets_nothing_until_details_are_set(client, session, pieces):
    add(client, "en", pieces["huipil"])
    mexico = client.get("/en/checkout?country=MX").text
    assert methods_offered(mexico) == {"offline"}
    assert "Bank transfer or pay in person" in mexico
    abroad = client.get("/en/checkout?country=US")
    assert methods_offered(abroad.text) == set()
    assert "We cannot take payment from United States yet" in unescape(abroad.text)
    assert 'href="/en/notify/card-payment?country=US"' in abroad.text
    assert 'name="address_line1"' not in abroad.text  # no address form when she cannot pay
    set_abroad_details(session)
    now = client.get("/en/checkout?country=US").text
    assert methods_offered(now) == {"offline"}
    assert "International bank transfer" in now
    assert "notify/card-payment" not in now


def test_the_notify_link_names_the_chosen_country_in_spanish_too(client, pieces):
    add(client, "es", pieces["huipil"])
    page = client.get("/es/checkout?country=FR").text
    assert 'href="/es/notify/card-payment?country=FR"' in page
    assert "Todavía no podemos recibir pagos desde Francia" in page


def test_with_stripe_every_country_gets_the_card_and_only_mexico_oxxo(shop, pieces):
    add(shop, "en", pieces["huipil"])
    mexico = shop.get("/en/checkout?country=MX").text
    assert methods_offered(mexico) == {"stripe", "offline"}
    assert "Card or OXXO cash" in mexico
    abroad = shop.get("/en/checkout?country=DE").text
    assert methods_offered(abroad) == {"stripe"}
    assert "OXXO" not in abroad and ">Card<" in abroad


def test_a_card_checkout_from_abroad_asks_stripe_for_cards_only(shop, fake_stripe, session, pieces):
    add(shop, "en", pieces["huipil"])
    token = csrf_of(shop.get("/en/checkout?country=US").text)
    response = shop.post("/en/checkout", data={**US, "method": "stripe", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    session_id = response.headers["location"].rsplit("/", 1)[-1]
    assert fake_stripe.sessions[session_id]["payment_method_types"] == ["card"]


def test_a_card_checkout_from_mexico_still_offers_oxxo(shop, fake_stripe, pieces):
    add(shop, "es", pieces["huipil"])
    token = csrf_of(shop.get("/es/checkout?country=MX").text)
    data = {**BUYER, "method": "stripe", "csrf_token": token}
    response = shop.post("/es/checkout", data=data, follow_redirects=False)
    session_id = response.headers["location"].rsplit("/", 1)[-1]
    assert fake_stripe.sessions[session_id]["payment_method_types"] == ["card", "oxxo"]


def test_posting_a_transfer_from_abroad_without_details_is_refused_and_nothing_is_written(client, session, pieces):
    add(client, "en", pieces["huipil"])
    token = csrf_of(client.get("/en/checkout?country=MX").text)
    response = client.post("/en/checkout", data={**US, "method": "offline", "csrf_token": token})
    assert response.status_code == 422
    assert "This way of paying is not available for orders sent to that country." in response.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    assert session.scalar(select(func.count()).select_from(Payment)) == 0
    assert session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_a_transfer_from_abroad_shows_the_international_details_on_the_order_page_and_in_the_email(
    client, session, pieces
):
    set_abroad_details(session)
    add(client, "en", pieces["huipil"])
    token = csrf_of(client.get("/en/checkout?country=US").text)
    response = client.post(
        "/en/checkout", data={**US, "method": "offline", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    page = unescape(client.get(response.headers["location"]).text)
    assert "SWIFT/BIC: BNMXMXMM" in page
    assert "IBAN or account number: DE89 3704 0044 0532 0130 00" in page
    assert "Beneficiary: Sociedad Cooperativa J'pas Joloviletik" in page
    # She cannot come to the cooperative: the page and every e-mail say international transfer, never in person.
    assert "Pay by international bank transfer, using your order number" in page and "in person" not in page
    fresh(session)
    mails = session.scalars(select(OutboxEmail)).all()
    assert any("SWIFT/BIC: BNMXMXMM" in (m.context.get("bank_transfer_details") or "") for m in mails)
    for mail in mails:
        text = render_email(mail.kind, mail.language, mail.context).text
        assert "international bank transfer" in text and "in person" not in text, mail.kind


def test_a_mexican_buyer_sees_the_national_details_never_the_international_ones(app, client, session, pieces):
    app.state.settings.bank_transfer_details = "CLABE 002180700000000001"
    set_abroad_details(session)
    add(client, "es", pieces["huipil"])
    token = csrf_of(client.get("/es/checkout?country=MX").text)
    response = client.post(
        "/es/checkout", data={**BUYER, "method": "offline", "csrf_token": token}, follow_redirects=False
    )
    page = client.get(response.headers["location"]).text
    assert "CLABE 002180700000000001" in page
    assert "BNMXMXMM" not in page
    assert "Paga por transferencia bancaria o en persona" in page and "internacional" not in page


def test_made_to_order_notes_are_kept_on_the_line_and_shown_on_the_order_page(client, session, pieces):
    add(client, "en", pieces["huipil"])
    add(client, "en", pieces["rebozo"])
    form = client.get("/en/checkout?country=MX").text
    assert "We will agree the size and colours with you by e-mail or WhatsApp" in form
    assert f'name="notes_for" value="{pieces["rebozo"].id}"' in form
    assert f'name="notes_for" value="{pieces["huipil"].id}"' not in form  # only made-to-order lines
    wish = "Size M, indigo and red, please"
    response = client.post(
        "/en/checkout",
        data={
            **BUYER,
            "method": "offline",
            "csrf_token": csrf_of(form),
            "notes_for": [str(pieces["huipil"].id), str(pieces["rebozo"].id)],
            "notes": ["ignored: not made to order", wish],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    fresh(session)
    notes = dict(session.execute(select(OrderLine.product_slug, OrderLine.notes)).all())
    assert notes == {"huipil": "", "rebozo": wish}
    assert f"Your wishes: {wish}" in client.get(response.headers["location"]).text


def test_notes_too_long_are_refused_beside_their_field_which_takes_the_focus(client, session, pieces):
    add(client, "en", pieces["rebozo"])
    token = csrf_of(client.get("/en/checkout?country=MX").text)
    key = f"notes-{pieces['rebozo'].id}"
    response = client.post(
        "/en/checkout",
        data={
            **BUYER,
            "method": "offline",
            "csrf_token": token,
            "notes_for": str(pieces["rebozo"].id),
            "notes": "x" * 501,
        },
    )
    assert response.status_code == 422
    assert "Write at most 500 characters." in response.text
    field = re.search(rf'<textarea id="f-{key}"[^>]*>', response.text).group(0)
    assert 'aria-invalid="true"' in field and "autofocus" in field
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_after_mistakes_only_the_first_wrong_field_in_reading_order_has_autofocus(client, pieces):
    add(client, "es", pieces["rebozo"])
    token = csrf_of(client.get("/es/checkout?country=MX").text)
    data = {**BUYER, "postal_code": "292", "phone": "", "method": "offline", "csrf_token": token}
    response = client.post("/es/checkout", data=data)
    assert response.status_code == 422
    assert response.text.count("autofocus") == 1
    assert re.search(r'<input id="f-phone"[^>]*autofocus', response.text)
    # The summary at the top links each message to its field, and the script that moves the focus is there.
    assert '<a href="#f-phone">' in response.text and '<a href="#f-postal_code">' in response.text
    assert "js/checkout-focus" in response.text


def test_the_order_summary_comes_before_the_address_form(client, pieces):
    add(client, "en", pieces["huipil"])
    page = client.get("/en/checkout?country=US").text
    # No way to pay from there: the summary is still shown, before the note that says so.
    assert page.index('id="summary-title"') < page.index("notify/card-payment")
    page = client.get("/en/checkout?country=MX").text
    summary, total = page.index('id="summary-title"'), page.index('class="total"')
    assert summary < total < page.index('name="address_line1"') < page.index('type="submit" class="big"')


def test_the_weaver_reads_the_buyers_notes_on_the_packing_screen_and_slip(app, client, session, pieces):
    add(client, "en", pieces["rebozo"])
    form = client.get("/en/checkout?country=MX").text
    wish = "Talla M, azul añil y rojo"
    data = {**BUYER, "method": "offline", "csrf_token": csrf_of(form)}
    data |= {"notes_for": str(pieces["rebozo"].id), "notes": wish}
    assert client.post("/en/checkout", data=data, follow_redirects=False).status_code == 303
    fresh(session)
    order = order_by_token(session, session.scalar(select(Order.token)))
    confirm_offline_payment(session, order, actor="test", reference="", now=utcnow(), base_url="http://testserver")
    session.commit()
    maria = session.scalar(select(Weaver).where(Weaver.slug == "maria"))
    person(session, "mperez", Role.member, weaver=maria, name="María")
    weaver = signed_in(app, "mperez")
    queue = weaver.get("/taller/pedidos").text
    assert f"La compradora pide:</strong> {wish}" in queue
    assert wish in weaver.get(f"/taller/pedidos/{order.number}").text
    assert wish in weaver.get(f"/taller/pedidos/{order.number}/hoja").text
