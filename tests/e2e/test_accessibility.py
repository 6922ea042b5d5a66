"""axe-core in Chromium finds no serious or critical accessibility problem on the store's pages."""

import json
import re

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    "path",
    [
        "/es/",
        "/es/products",
        "/en/products?category=bolsas",
        "/es/products?q=nada-de-nada",
        "/en/products/huipil-rombos",
        "/es/products/bolsa-compartida",
        "/en/weavers",
        "/es/weavers/maria-perez",
        "/es/no-existe",
        "/en/orders/find",
        "/es/notify/card-payment?country=BR",
    ],
)
def test_no_serious_or_critical_violations(browser, live_server, shop_data, serious_violations, path):
    # The page forbids inline scripts (CSP); the test bypasses it to inject axe, as an extension would.
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server + path)
        violations = serious_violations(page)
    finally:
        context.close()
    assert violations == [], json.dumps(violations, indent=2)


def test_buying_pages_have_no_serious_or_critical_violations(browser, live_server, shop_data, serious_violations):
    from factories import BUYER

    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()

    def check(label: str) -> None:
        found = serious_violations(page)
        assert found == [], f"{label}: {json.dumps(found, indent=2)}"

    try:
        page.goto(live_server + "/es/products/morral-lana")
        # A click does not wait for the page it leads to: each check waits until that page has loaded.
        page.get_by_role("button", name="Agregar al carrito").click()
        page.wait_for_url(live_server + "/es/cart")
        check("cart")
        page.goto(live_server + "/es/checkout")
        check("checkout, where do we send it")
        page.locator("#f-country").select_option("US")
        page.get_by_role("button", name="Continuar").click()
        page.wait_for_url(live_server + "/es/checkout?country=US")
        check("checkout, no way to pay from there")
        page.locator("#f-country").select_option("MX")
        page.get_by_role("button", name="Cambiar de país").click()
        page.wait_for_url(live_server + "/es/checkout?country=MX")
        check("checkout")
        page.get_by_role("button", name="Hacer el pedido").click()
        page.wait_for_url(live_server + "/es/checkout")
        check("checkout with errors")
        for name in ("email", "name", "phone", "address_line1", "city", "region", "postal_code"):
            page.locator(f"#f-{name}").fill(BUYER[name])
        page.get_by_role("button", name="Hacer el pedido").click()
        page.wait_for_url(re.compile("/es/orders/"))
        check("order")
    finally:
        context.close()
