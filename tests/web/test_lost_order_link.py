"""A buyer who lost her order's link asks for it again: the same answer whether the address has orders or not."""

from datetime import UTC, datetime

from factories import fresh, make_order
from sqlalchemy import select
from workspace_helpers import csrf_of

from shop.mail.models import OutboxEmail
from shop.web.email import render as render_email

PAGE = "/en/orders/find"


def ask(client, email, lang="en"):
    token = csrf_of(client.get(f"/{lang}/orders/find").text)
    return client.post(f"/{lang}/orders/find", data={"email": email, "csrf_token": token})


def order_of(session, email, when):
    order, _ = make_order(session, [(65_000, 8000, [])])
    order.email, order.language, order.created_at = email, "es", when
    session.commit()
    return order


def mails(session):
    fresh(session)
    return list(session.scalars(select(OutboxEmail).where(OutboxEmail.kind == "order_links")))


def test_the_page_asks_for_an_e_mail_address(client, shop_data):
    html = client.get(PAGE).text
    assert 'action="/en/orders/find"' in html and 'type="email"' in html and 'name="csrf_token"' in html


def test_a_known_address_gets_one_e_mail_with_its_orders_links(client, session, shop_data):
    old = order_of(session, "ana@example.com", datetime(2026, 11, 2, 18, tzinfo=UTC))
    new = order_of(session, "Ana@Example.com", datetime(2026, 12, 6, 1, tzinfo=UTC))  # 5 Dec in Mexico City
    response = ask(client, "ana@example.com")
    assert response.status_code == 200
    assert "If ana@example.com has orders in our shop, we have sent it an e-mail with their links." in response.text
    [mail] = mails(session)
    assert mail.to == "ana@example.com" and mail.language == "en"
    urls = [o["status_url"] for o in mail.context["orders"]]
    assert [url.rsplit("/", 3)[1:] for url in urls] == [["es", "orders", new.token], ["es", "orders", old.token]]
    written = render_email(mail.kind, mail.language, mail.context)
    assert written.subject == "The links to your orders" and not written.html
    assert f"Order {new.number} of 5 Dec 2026, MX$650" in written.text
    assert new.token in written.text and old.token in written.text


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client, session, shop_data):
    order_of(session, "ana@example.com", datetime(2026, 11, 2, 18, tzinfo=UTC))
    known = ask(client, "ana@example.com")
    unknown = ask(client, "bea@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("ana@example.com", "X") == unknown.text.replace("bea@example.com", "X")
    assert [m.to for m in mails(session)] == ["ana@example.com"]


def test_a_bad_address_is_explained(client, shop_data):
    response = ask(client, "not an address")
    assert response.status_code == 422
    assert "Write your e-mail address, such as ana@example.com." in response.text
    spanish = ask(client, "nada", lang="es")
    assert spanish.status_code == 422 and "Escriba su correo electrónico" in spanish.text


def test_one_address_and_one_client_may_ask_only_a_few_times(client, session, shop_data):
    order_of(session, "ana@example.com", datetime(2026, 11, 2, 18, tzinfo=UTC))
    assert [ask(client, "ana@example.com").status_code for _ in range(3)] == [200, 200, 429]
    assert len(mails(session)) == 2
    codes = [ask(client, f"other{n}@example.com").status_code for n in range(4)]
    assert codes == [200, 200, 200, 429]  # five tries from this client in ten minutes, then a wait
    refused = ask(client, "someone@example.com")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Please wait" in refused.text


def test_the_cart_and_a_lost_order_lead_to_the_page(client, shop_data):
    assert f'href="{PAGE}"' in client.get("/en/cart").text
    lost = client.get("/en/orders/" + "x" * 43)
    assert lost.status_code == 404 and f'href="{PAGE}"' in lost.text
