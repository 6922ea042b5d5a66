"""In a real Chromium at phone width, with JavaScript off: the product page's shipping cost and the country
choice, a held piece's end, a sold-out piece's notify form with its consent and forget links, the card-payment
notice, and the lost-order-link page; each page passes axe (checked in a second context, JavaScript on)."""

from __future__ import annotations

import json
import re

import pytest
from factories import fresh, place
from playwright.sync_api import expect
from sqlmodel import select

from shop.catalogue.models import Product

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe(browser, serious_violations):
    """Check the page at ``url`` (or, with ``html``, that markup as served) for serious accessibility problems."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()

    def check(url: str) -> None:
        page.goto(url)
        found = serious_violations(page)
        assert found == [], json.dumps(found, indent=2)

    yield check
    context.close()


def shot(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / name), full_page=True)


def test_the_shipping_cost_follows_the_country_she_chooses(phone, axe, live_server, shop_data, screenshots):
    url = live_server + "/en/products/huipil-rombos"
    phone.goto(url)
    assert "To United States: MX$450, arriving 5 to 10 business days" in phone.locator(".ship-quote").inner_text()
    phone.get_by_label("Ship to").select_option("FR")
    with phone.expect_navigation():  # the same page comes back, for France: read that one
        phone.get_by_role("button", name="Update shipping").click()
    assert phone.url == url
    assert "To France: MX$650, arriving 8 to 20 business days" in phone.locator(".ship-quote").inner_text()
    assert "About $357 USD" in phone.content()
    # Each approximate price names its rate's day, written so no reader can take it for another day.
    approx = phone.locator(".approx").all_inner_texts()
    assert [text.split(" (")[0] for text in approx][1].startswith("About €") and len(approx) == 2
    assert all(re.search(r"\(exchange rate of \d{1,2} [A-Z][a-z]{2} \d{4}\)$", text) for text in approx), approx
    phone.locator(".shipping").scroll_into_view_if_needed()
    shot(phone, screenshots, "product-shipping-390.png")
    axe(url)


def test_a_held_piece_says_when_it_comes_back(phone, axe, live_server, session, shop_data, screenshots):
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    place(session, [(huipil, 1)], minutes=90)
    session.commit()
    fresh(session)
    phone.goto(live_server + "/es/products/huipil-rombos")
    held = phone.locator(".held").inner_text()
    assert "Si no termina antes de las" in held and "(hora de la Ciudad de México)" in held
    shot(phone, screenshots, "product-on-hold-390.png")
    axe(live_server + "/es/products/huipil-rombos")


def test_a_sold_out_piece_takes_a_request_and_gives_it_back(phone, axe, live_server, session, shop_data, screenshots):
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    huipil.stock_on_hand, huipil.status = 0, "sold_out"
    session.commit()
    url = live_server + "/en/products/huipil-rombos"
    phone.goto(url)
    axe(url)
    form = phone.locator("section.notify")
    form.scroll_into_view_if_needed()
    shot(phone, screenshots, "product-sold-out-notify-390.png")
    form.get_by_label("Your e-mail address").fill("ana@example.com")
    consent = form.get_by_label("I agree that the cooperative keeps my e-mail address")
    # The browser asks for the consent box first: the form does not go, and the box says why.
    assert consent.evaluate("box => box.validity.valueMissing")
    form.get_by_role("button", name="Tell me").click()
    phone.wait_for_timeout(500)  # long enough for a form sent to loopback to have left the page
    assert phone.url == url
    assert consent.evaluate("box => box.matches(':invalid') && box.validationMessage !== ''")
    consent.check()
    form.get_by_role("button", name="Tell me").click()
    phone.wait_for_url(live_server + "/en/notify/similar-piece")  # a click does not wait for its page: wait
    assert "We will write to ana@example.com once" in phone.content()
    shot(phone, screenshots, "notify-done-390.png")
    phone.get_by_role("link", name="Delete my request").click()
    phone.wait_for_url(re.compile("/en/notify/forget/"))  # before its address is read
    forget = phone.url
    shot(phone, screenshots, "notify-forget-390.png")
    axe(forget)
    phone.get_by_role("button", name="Delete my request").click()
    expect(phone.locator("body")).to_contain_text("Your request and your e-mail address are deleted.")


def test_card_payment_and_lost_order_pages(phone, axe, live_server, shop_data, screenshots):
    card = live_server + "/es/notify/card-payment?country=BR"
    phone.goto(card)
    assert "compradores en Brasil" in phone.content()
    shot(phone, screenshots, "notify-card-payment-390.png")
    axe(card)
    phone.get_by_label("Su correo electrónico").fill("bia@example.com")
    phone.get_by_label("Acepto que la cooperativa").check()
    phone.get_by_role("button", name="Avísenme").click()
    expect(phone.locator("body")).to_contain_text("Escribiremos a bia@example.com una sola vez")

    phone.goto(live_server + "/en/cart")
    phone.get_by_role("link", name="Already ordered? Find your order").click()
    phone.wait_for_url(live_server + "/en/orders/find")  # before its address is read
    axe(phone.url)
    shot(phone, screenshots, "orders-find-390.png")
    phone.get_by_label("Email").fill("ana@example.com")
    phone.get_by_role("button", name="Send me my order links").click()
    expect(phone.locator("body")).to_contain_text("If ana@example.com has orders in our shop")
    shot(phone, screenshots, "orders-find-sent-390.png")
    phone.goto(live_server + "/en/orders/" + "x" * 43)
    assert phone.get_by_role("link", name="Lost the link to your order?").count() == 1
