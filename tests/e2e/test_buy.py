"""A buyer goes from the listing to her cart, fills in the checkout form, is sent to (fake) Stripe, pays,
and comes back to a page that says her payment was received, all in a real Chromium without JavaScript."""

import re

import httpx
import pytest
from factories import BUYER

pytestmark = pytest.mark.browser


def test_listing_to_cart_to_checkout_to_stripe_and_back(browser, live_shop, fake_stripe, shop_data, screenshots):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_shop}/en/products")
        page.get_by_role("link", name="Diamond huipil").click()
        page.get_by_role("button", name="Add to cart").click()
        page.wait_for_url(f"{live_shop}/en/cart")  # a click does not wait for the page it leads to
        assert page.get_by_role("status").first.inner_text() == "Added to your cart."
        assert page.locator(".cartlink .count").inner_text() == "1"
        page.screenshot(path=screenshots / "cart-phone.png", full_page=True)

        page.get_by_role("link", name="Checkout").click()
        page.get_by_label("Where do we send it?").select_option("MX")
        page.get_by_role("button", name="Continue", exact=True).click()
        for field, value in [
            ("Email", BUYER["email"]),
            ("Full name", BUYER["name"]),
            ("Phone", BUYER["phone"]),
            ("Street and number", BUYER["address_line1"]),
            ("City or town", BUYER["city"]),
            ("State or province", BUYER["region"]),
            ("Postal code", "2920"),
        ]:
            page.get_by_label(field, exact=True).fill(value)
        page.get_by_role("button", name="Continue to payment").click()
        page.wait_for_url(f"{live_shop}/en/checkout")  # the form again, loaded
        # A mistake is shown next to its field, and nothing typed is lost.
        assert "A Mexican postal code has 5 digits" in page.locator("#e-postal_code").inner_text()
        assert page.get_by_label("Street and number").input_value() == BUYER["address_line1"]
        page.screenshot(path=screenshots / "checkout-error-phone.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the form scrolls sideways"
        page.get_by_label("Postal code").fill(BUYER["postal_code"])
        page.get_by_role("button", name="Continue to payment").click()

        page.wait_for_url(re.compile("^" + re.escape(f"{fake_stripe.url}/pay/cs_")))  # before its address is read
        assert "Fake Stripe Checkout" in page.title()
        session_id = page.url.rsplit("/", 1)[-1]

        # Stripe tells the shop the card was charged …
        payload, headers = fake_stripe.sign(fake_stripe.complete_session(session_id))
        webhook = httpx.post(
            f"{live_shop}/api/v1/payments/stripe/webhook",
            content=payload,
            headers={**headers, "Content-Type": "application/json"},
        )
        assert webhook.json()["outcome"] == "paid"
        # … and sends the buyer back to the success address it was given.
        success = fake_stripe.sessions[session_id]["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        page.goto(success)
        assert "/en/orders/" in page.url
        assert page.get_by_role("heading", name="Payment received — thank you!").is_visible()
        assert page.locator(".cartlink .count").inner_text() == ""
        page.screenshot(path=screenshots / "order-paid-phone.png", full_page=True)
    finally:
        context.close()
