"""Visitors ask to be told by e-mail (a new piece by a sold-out piece's weaver; card payment), with consent, once,
and take the request back with its token."""

from factories import fresh, make_product
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person
from workspace_helpers import sign_in as sign_in_as

from shop import jobs
from shop.accounts.models import Role
from shop.mail.models import OutboxEmail
from shop.notices.models import Notice, NoticeKind
from shop.web.email import render as render_email

SOLD_OUT = "/en/products/huipil-rombos"


def sell_out(session, product):
    product.stock_on_hand, product.status = 0, "sold_out"
    session.commit()


def ask_similar(client, email, consent="yes", lang="en"):
    token = csrf_of(client.get(f"/{lang}/products/huipil-rombos").text)
    data = {"slug": "huipil-rombos", "email": email, "csrf_token": token}
    if consent:
        data["consent"] = consent
    return client.post(f"/{lang}/notify/similar-piece", data=data)


def notices(session):
    fresh(session)
    return list(session.scalars(select(Notice).order_by(Notice.id)))


def outbox(session, kind):
    fresh(session)
    return list(session.scalars(select(OutboxEmail).where(OutboxEmail.kind == kind)))


def test_a_sold_out_piece_offers_the_form_with_a_consent_box(client, session, shop_data):
    assert 'action="/en/notify/similar-piece"' not in client.get(SOLD_OUT).text  # for sale: nothing to wait for
    sell_out(session, shop_data["huipil"])
    html = client.get(SOLD_OUT).text
    assert 'action="/en/notify/similar-piece"' in html and 'type="checkbox" name="consent"' in html
    assert "I agree that the cooperative keeps my e-mail address" in html
    assert "Acepto que la cooperativa guarde mi correo" in client.get("/es/products/huipil-rombos").text


def test_without_consent_nothing_is_kept(client, session, shop_data):
    sell_out(session, shop_data["huipil"])
    refused = ask_similar(client, "ana@example.com", consent=None)
    assert refused.status_code == 422
    assert "Tick the box to let us write to you about this." in refused.text
    assert 'value="ana@example.com"' in refused.text
    spanish = ask_similar(client, "ana@example.com", consent=None, lang="es")
    assert "Marque la casilla" in spanish.text
    both = ask_similar(client, "nope", consent=None)
    assert "Write your e-mail address" in both.text and "Tick the box" in both.text
    assert notices(session) == []


def test_asking_twice_keeps_one_request_and_gives_the_same_answer(client, session, shop_data):
    sell_out(session, shop_data["huipil"])
    first = ask_similar(client, "ana@example.com")
    second = ask_similar(client, "Ana@example.com")
    assert first.status_code == second.status_code == 200
    assert "We will write to ana@example.com once" in first.text
    [notice] = notices(session)
    assert notice.kind is NoticeKind.similar_piece and notice.weaver_id == shop_data["maria"].id
    assert notice.lang == "en" and notice.consented_at is not None and notice.sent_at is None
    assert len(notice.token) >= 40
    # Only the visit that made the request gets its delete link: someone typing her address again does not.
    assert f"/en/notify/forget/{notice.token}" in first.text and "/notify/forget/" not in second.text


def test_the_form_is_rate_limited(client, session, shop_data):
    sell_out(session, shop_data["huipil"])
    codes = [ask_similar(client, "ana@example.com").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_forget_link_asks_then_deletes(client, session, shop_data):
    sell_out(session, shop_data["huipil"])
    ask_similar(client, "ana@example.com")
    [notice] = notices(session)
    link = f"/en/notify/forget/{notice.token}"
    page = client.get(link)
    assert page.status_code == 200 and "Delete the request and the address?" in page.text
    assert notices(session) != []  # looking is not deleting
    done = client.post(link, data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "Your request and your e-mail address are deleted." in done.text
    assert notices(session) == []
    assert client.get(link).status_code == 404
    assert client.get("/en/notify/forget/" + "x" * 43).status_code == 404


def test_publishing_a_piece_by_the_same_weaver_tells_her_once(client, session, shop_data):
    sell_out(session, shop_data["huipil"])
    ask_similar(client, "ana@example.com")
    make_product(
        session,
        category=shop_data["huipiles"],
        weavers=[(shop_data["maria"], 10_000)],
        slug="huipil-nuevo",
        title_es="Huipil nuevo",
        title_en="New huipil",
        status="draft",
    )
    session.commit()
    person(session, "rosa", Role.council)
    client.cookies.clear()
    sign_in_as(client, "rosa")
    token = csrf_of(client.get("/taller/inicio").text)
    for status in ("active", "draft", "active"):
        client.post("/taller/inventario/huipil-nuevo/estado", data={"status": status, "csrf_token": token})
    [mail] = outbox(session, "similar_piece")
    [notice] = notices(session)
    assert mail.to == "ana@example.com" and notice.sent_at is not None
    written = render_email(mail.kind, mail.language, mail.context)
    assert written.subject == "A new piece by María Pérez Hernández"
    assert "/en/products/huipil-nuevo" in written.text
    assert f"/en/notify/forget/{notice.token}" in written.text


def test_card_payment_notice_is_sent_once_when_stripe_works(client, app, session, shop_data):
    page = client.get("/en/notify/card-payment?country=br")
    assert page.status_code == 200 and "Card payment does not work yet for buyers in Brazil." in page.text
    answer = client.post(
        "/en/notify/card-payment",
        data={"email": "bia@example.com", "consent": "yes", "country": "BR", "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 200
    [notice] = notices(session)
    assert (notice.kind, notice.country) == (NoticeKind.card_payment, "BR")
    without_stripe = jobs.run_once(app.state.engine, app.state.settings)
    assert without_stripe["card_notices"] == 0 and outbox(session, "card_payment") == []
    stripe = object()  # the gateway: only whether Stripe is set up matters here
    assert jobs.run_once(app.state.engine, app.state.settings, gateway=stripe)["card_notices"] == 1
    assert jobs.run_once(app.state.engine, app.state.settings, gateway=stripe)["card_notices"] == 0
    [mail] = outbox(session, "card_payment")
    written = render_email(mail.kind, mail.language, mail.context)
    assert written.subject == "You can now pay by card" and "/en/notify/forget/" in written.text
    assert session.scalar(select(func.count()).select_from(Notice).where(Notice.sent_at.is_(None))) == 0
