"""Checkout for buyers abroad in a real Chromium at 390 px: the country first, the note when no way of paying
works there, the summary above the form, the focus on the first wrong field (with and without JavaScript),
made-to-order notes on to the packing screen, the international transfer details and the screen that sets them."""

import json
import re

import pytest
from factories import BUYER, fresh, make_user
from playwright.sync_api import expect
from signing_in import sign_in_as
from sqlalchemy import select

from shop.accounts.models import Role
from shop.clock import utcnow
from shop.orders.models import Order
from shop.orders.service import order_by_token
from shop.payments.methods import international_details
from shop.payments.offline import confirm_offline_payment

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
ABROAD = {
    "beneficiary": "Sociedad Cooperativa J'pas Joloviletik",
    "bank_name": "Banco Ejemplo",
    "bank_address": "Av. Insurgentes 1, San Cristóbal de las Casas, Chiapas",
    "swift_bic": "BNMXMXMM",
    "account": "DE89 3704 0044 0532 0130 00",
}
US = {"address_line1": "12 Main Street", "city": "Portland", "region": "OR", "postal_code": "97201"}


def buyer_page(browser, *, javascript=True):
    """A phone. axe (injected past the page's CSP, as an extension would) needs JavaScript on."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, bypass_csp=True)
    context.set_default_timeout(10_000)
    return context, context.new_page()


def add_to_cart(page, live_server, slug, button="Add to cart"):
    page.goto(f"{live_server}/en/products/{slug}")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{live_server}/en/cart")  # in the cart before anything else is asked for


def choose_country(page, code):
    page.get_by_label("Where do we send it?").select_option(code)
    page.locator("form.where button").click()
    page.wait_for_url(re.compile(rf"/checkout\?country={code}$"))  # the checkout for that country, loaded


def fill(page, values):
    for name, value in values.items():
        page.locator(f"#f-{name}").fill(value)


def top(page, selector):
    return page.locator(selector).first.bounding_box()["y"]


def test_country_first_then_only_what_works_there_and_the_summary_before_the_form(
    browser, live_server, shop_data, serious_violations, screenshots
):
    context, page = buyer_page(browser)
    found = {}
    try:
        add_to_cart(page, live_server, "morral-lana")
        page.goto(f"{live_server}/en/checkout")
        assert page.locator("#f-email").count() == 0  # the country first, before she types anything
        page.screenshot(path=screenshots / "checkout-country-step-phone.png", full_page=True)
        found["country step"] = serious_violations(page)

        choose_country(page, "US")
        assert page.url.endswith("/en/checkout?country=US")
        assert page.get_by_role("heading", name="We cannot take payment from United States yet").is_visible()
        link = page.get_by_role("link", name="Tell me when I can pay by card")
        assert link.get_attribute("href") == "/en/notify/card-payment?country=US"
        assert page.locator("#f-address_line1").count() == 0
        page.screenshot(path=screenshots / "checkout-no-method-phone.png", full_page=True)
        found["no way to pay"] = serious_violations(page)

        choose_country(page, "MX")
        # On a phone the lines and the total (shipping included) come first, then the form and its button.
        total = top(page, ".summary .total")
        assert total < top(page, "#f-email") < top(page, "#f-address_line1") < top(page, "button.big")
        assert page.locator(".summary").inner_text().count("$") >= 3
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=screenshots / "checkout-mexico-phone.png", full_page=True)
        found["checkout"] = serious_violations(page)

        fill(page, {k: v for k, v in BUYER.items() if k not in ("phone", "country")} | {"postal_code": "29"})
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url(f"{live_server}/en/checkout")  # the form again, with its mistakes, loaded
        expect(page.get_by_role("alert").first).to_be_visible()
        page.screenshot(path=screenshots / "checkout-errors-phone.png", full_page=True)
        found["with mistakes"] = serious_violations(page)
    finally:
        context.close()
    assert {label: v for label, v in found.items() if v} == {}, json.dumps(found, indent=2)


def test_without_javascript_the_first_wrong_field_in_reading_order_takes_the_focus(browser, live_server, shop_data):
    context, page = buyer_page(browser, javascript=False)
    try:
        add_to_cart(page, live_server, "morral-lana")
        page.goto(f"{live_server}/en/checkout")
        choose_country(page, "MX")
        fill(page, {k: v for k, v in BUYER.items() if k not in ("phone", "country")} | {"postal_code": "29"})
        page.get_by_role("button", name="Place order").click()
        expect(page.locator("#e-postal_code")).to_be_visible()
        expect(page.locator("#f-phone")).to_be_focused()
    finally:
        context.close()


def test_with_javascript_the_focus_goes_to_the_first_wrong_field_and_the_summary_links_to_each(
    browser, live_server, shop_data
):
    context, page = buyer_page(browser, javascript=True)
    try:
        add_to_cart(page, live_server, "morral-lana")
        page.goto(f"{live_server}/en/checkout?country=MX")
        fill(page, {"email": "ana@", "name": BUYER["name"], "phone": BUYER["phone"]})
        page.get_by_role("button", name="Place order").click()
        # Loaded, so its script is in: the autofocus alone could move the focus before the summary's links work.
        page.wait_for_url(f"{live_server}/en/checkout")
        expect(page.locator("#f-email")).to_be_focused()
        page.locator("#problems a[href='#f-city']").click()
        expect(page.locator("#f-city")).to_be_focused()
    finally:
        context.close()


def test_made_to_order_notes_reach_the_order_page_and_the_packing_screen(
    browser, live_server, shop_data, session, serious_violations, screenshots
):
    context, page = buyer_page(browser)
    wish = "Size M; indigo and red, please"
    try:
        add_to_cart(page, live_server, "bolsa-compartida", button="Order it")
        page.goto(f"{live_server}/en/checkout?country=MX")
        promise = page.get_by_text("We will agree the size and colours with you by e-mail or WhatsApp")
        assert promise.is_visible()
        notes = page.get_by_label("Your wishes for Two-hands bag")
        notes.fill(wish)
        page.screenshot(path=screenshots / "checkout-made-to-order-phone.png", full_page=True)
        assert serious_violations(page) == []
        fill(page, {k: v for k, v in BUYER.items() if k != "country"})
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url(re.compile("/en/orders/"))  # her order's page, before its address is read
        expect(page.get_by_text(f"Your wishes: {wish}")).to_be_visible()
        token = page.url.rsplit("/", 1)[-1]
    finally:
        context.close()
    fresh(session)
    order = order_by_token(session, token)
    confirm_offline_payment(session, order, actor="test", reference="", now=utcnow(), base_url=live_server)
    make_user(session, roles=[Role.admin], username="rosa", name="Rosa Gómez")
    session.commit()
    context, page = sign_in_as(browser, live_server, "rosa", width=390)
    try:
        page.goto(f"{live_server}/taller/pedidos")
        assert page.locator(".wishes").filter(has_text=wish).is_visible()
        page.screenshot(path=screenshots / "workspace-packing-notes-390.png", full_page=True)
    finally:
        context.close()


def test_the_admin_sets_the_details_and_a_buyer_abroad_sees_them_on_her_order_page(
    browser, live_server, shop_data, session, serious_violations, screenshots
):
    make_user(session, roles=[Role.admin], username="rosa", name="Rosa Gómez")
    session.commit()
    context, page = sign_in_as(browser, live_server, "rosa", width=390)
    try:
        page.goto(f"{live_server}/taller/contabilidad")
        page.get_by_role("link", name="Datos bancarios para transferencias desde el extranjero").click()
        page.get_by_label("SWIFT/BIC").fill("BNMX")
        page.get_by_role("button", name="Guardar").click()
        expect(page.locator("#ce-swift_bic")).to_be_visible()  # only the page that comes back has it
        for name, value in ABROAD.items():
            page.locator(f"#c-{name}").fill(value)
        page.get_by_role("button", name="Guardar").click()
        expect(page.locator("main")).to_contain_text("ya pueden pagar por transferencia", use_inner_text=True)
        page.screenshot(path=screenshots / "workspace-transfer-details-390.png", full_page=True)
    finally:
        context.close()
    fresh(session)
    assert international_details(session).complete

    context, page = buyer_page(browser)
    try:
        add_to_cart(page, live_server, "morral-lana")
        page.goto(f"{live_server}/en/checkout?country=US")
        page.get_by_label("International bank transfer").check()
        fill(page, {k: v for k, v in BUYER.items() if k != "country"} | US)
        page.get_by_role("button", name="Place order").click()
        page.wait_for_url(re.compile("/en/orders/"))  # her order's page, loaded, before it is read
        bank = page.locator(".bank").inner_text()
        assert "SWIFT/BIC: BNMXMXMM" in bank and "Beneficiary: Sociedad Cooperativa" in bank
        page.screenshot(path=screenshots / "order-international-transfer-phone.png", full_page=True)
        assert serious_violations(page) == []
    finally:
        context.close()
    fresh(session)
    assert session.scalar(select(Order.country)) == "US"


def test_the_transfer_details_screen_has_no_serious_accessibility_problem(
    browser, live_server, shop_data, session, serious_violations
):
    make_user(session, roles=[Role.treasurer], username="teresa", name="Teresa")
    session.commit()
    # The page forbids inline scripts (CSP); the test bypasses it to inject axe, as an extension would.
    context, page = buyer_page(browser)
    try:
        page.goto(live_server + "/taller")
        page.get_by_label("Correo o usuario").fill("teresa")
        page.get_by_label("Contraseña").fill("a long password 1")
        page.get_by_role("button", name="Entrar").click()
        page.wait_for_url(f"{live_server}/taller/inicio")  # signed in before the next page is asked for
        page.goto(f"{live_server}/taller/contabilidad/transferencias-internacionales")
        assert serious_violations(page) == []
        page.get_by_label("SWIFT/BIC").fill("nope")
        with page.expect_navigation():  # the same address comes back, with the mistake: check that page
            page.get_by_role("button", name="Guardar").click()
        assert serious_violations(page) == []
    finally:
        context.close()
