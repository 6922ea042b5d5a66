"""The product page tells what a piece costs to ship where the visitor lives, how long a hold on it lasts, and
its price in dollars and euros with each rate's day."""

from datetime import UTC, date, datetime, timedelta

from factories import make_order

from shop.catalogue.stock import reserve_stock
from shop.clock import utcnow
from shop.marketplaces import rates
from shop.web.browser import SHIP_TO_COOKIE

PAGE = "/en/products/huipil-rombos"  # 480 g: the lightest band of each zone


def test_spanish_visitors_are_quoted_for_mexico(client, shop_data):
    html = client.get("/es/products/huipil-rombos").text
    assert "A México: $150 MXN; llega de 2 a 6 días hábiles después de que lo enviamos." in html
    assert '<option value="MX" selected>' in html


def test_english_visitors_are_quoted_for_the_united_states(client, shop_data):
    html = client.get(PAGE).text
    assert "To United States: MX$450, arriving 5 to 10 business days after we send it." in html
    assert '<option value="US" selected>' in html


def test_choosing_a_country_is_remembered_and_comes_back_to_the_piece(client, shop_data):
    response = client.get(f"/en/ship-to?country=fr&next={PAGE}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    assert f"{SHIP_TO_COOKIE}=FR" in response.headers["set-cookie"]
    html = client.get(PAGE).text
    assert "To France: MX$650, arriving 8 to 20 business days after we send it." in html
    assert '<option value="FR" selected>' in html
    # Somewhere else than this shop is never where the form sends her.
    away = client.get("/en/ship-to?country=FR&next=https://example.com/", follow_redirects=False)
    assert away.headers["location"] == "/"
    assert client.get("/en/ship-to?country=France").status_code == 400


def test_two_visitors_with_different_countries_each_get_their_own_cached_page(client, shop_data):
    answers = {}
    for country in ("CA", "FR", "CA", "FR"):
        client.cookies.set(SHIP_TO_COOKIE, country)
        response = client.get(PAGE)
        answers.setdefault(country, []).append(response)
    client.cookies.delete(SHIP_TO_COOKIE)
    plain = client.get(PAGE)
    for country, text in (("CA", "To Canada: MX$450"), ("FR", "To France: MX$650")):
        first, second = answers[country]
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
        assert text in first.text and text in second.text
    assert "To Canada" not in answers["FR"][1].text and "To France" not in answers["CA"][1].text
    assert plain.headers["x-cache"] == "miss" and "To United States" in plain.text
    # A cookie that is not a country code is the same as none.
    client.cookies.set(SHIP_TO_COOKIE, "<script>")
    odd = client.get(PAGE)
    assert odd.headers["x-cache"] == "hit" and "To United States" in odd.text


def hold(session, product, until: datetime):
    order, _ = make_order(session, [(product.price_amount, 8000, [])])
    reserve_stock(
        session,
        order_id=order.id,
        order_number=order.number,
        buyer="someone@example.com",
        items=[(product.id, 1)],
        expires_at=until,
        now=utcnow(),
    )
    session.commit()


def test_a_piece_on_hold_says_until_when_in_mexico_city_time(client, session, shop_data):
    until = (utcnow() + timedelta(days=2)).replace(hour=1, minute=40, second=0, microsecond=0)  # 19:40 the day before
    hold(session, shop_data["huipil"], until)
    local_day = (until - timedelta(hours=6)).date()
    html = client.get(PAGE).text
    english_day = f"{local_day.day} {local_day.strftime('%b')} {local_day.year}"
    assert f"If they have not finished by 19:40 on {english_day} (Mexico City time)" in html
    assert "Add to cart" not in html
    spanish = client.get("/es/products/huipil-rombos").text
    assert "antes de las 19:40 del" in spanish and "(hora de la Ciudad de México)" in spanish


def test_the_cached_page_of_a_piece_on_hold_is_kept_no_longer_than_the_hold(client, session, app, shop_data):
    until = utcnow() + timedelta(minutes=30)
    hold(session, shop_data["huipil"], until)
    assert client.get(PAGE).headers["x-cache"] == "miss"
    assert "x-shop-cache-until" not in client.get(PAGE).headers
    entry = next(e for key, e in app.state.page_cache.entries.items() if key.startswith(PAGE.encode() + b"?"))
    assert entry.until == int(until.timestamp())
    assert client.get(PAGE).headers["x-cache"] == "hit"
    entry.until = datetime.now(UTC).timestamp() - 1  # the hold has ended, and no row changed
    assert client.get(PAGE).headers["x-cache"] == "miss"
    # A piece nobody holds is kept until something changes.
    assert all(e.until is None for key, e in app.state.page_cache.entries.items() if b"faja" in key)


def test_prices_in_dollars_and_euros_carry_the_day_of_their_own_rate(client, session, shop_data):
    html = client.get(PAGE).text
    # The configured rates until the treasurer enters one.
    assert "About $357 USD (exchange rate of 27 Nov 2026)" in html
    assert "About €308 (exchange rate of 27 Nov 2026)" in html
    rates.record(session, day=date(2026, 12, 3), currency="EUR", rate="20.5", source="FIX", today=date(2026, 12, 5))
    rates.record(session, day=date(2026, 12, 4), currency="EUR", rate="21", source="FIX", today=date(2026, 12, 5))
    rates.record(session, day=date(2026, 12, 2), currency="USD", rate="18.5", source="FIX", today=date(2026, 12, 5))
    session.commit()
    html = client.get(PAGE).text
    assert "About $351 USD (exchange rate of 2 Dec 2026)" in html
    assert "About €310 (exchange rate of 4 Dec 2026)" in html
    spanish = client.get("/es/products/huipil-rombos").text
    assert "(tipo de cambio del 4 dic 2026)" in spanish
    api = client.get("/api/v1/products/huipil-rombos").json()["approximate_prices"]
    assert [(a["currency"], a["rate"], a["rate_date"]) for a in api] == [
        ("USD", "18.5", "2026-12-02"),
        ("EUR", "21", "2026-12-04"),
    ]
