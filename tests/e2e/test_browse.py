"""A buyer browses with a real Chromium: home, listing, category filter, product, language switch."""

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_buyer_browses_filters_opens_a_piece_and_switches_language(
    browser, live_server, shop_data, screenshots, viewport
):
    name = "phone" if viewport is PHONE else "desktop"
    context = browser.new_context(
        viewport=viewport,
        locale="es-MX",
        java_script_enabled=False,
        extra_http_headers={"Accept-Language": "es-MX"},
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server}/")
        assert page.url == f"{live_server}/es/"
        assert page.locator("h1").inner_text().startswith("Tejido a mano")
        page.screenshot(path=screenshots / f"home-{name}.png", full_page=True)

        # A click does not wait for the page it leads to: wait for its address (and its load), then read it.
        page.get_by_role("link", name="Ver todas las piezas").first.click()
        page.wait_for_url(f"{live_server}/es/products")
        assert page.locator(".grid .card").count() == 4
        page.screenshot(path=screenshots / f"listing-{name}.png", full_page=True)

        page.locator(".chips").get_by_role("link", name="Bolsas").click()
        page.wait_for_url(f"{live_server}/es/products?category=bolsas")
        titles = page.locator(".card .title").all_inner_texts()
        assert sorted(titles) == ["Bolsa a dos manos", "Morral de lana"]

        page.get_by_role("link", name="Morral de lana").click()
        page.wait_for_url(f"{live_server}/es/products/morral-lana")
        assert page.locator(".avail.big").inner_text() == "Quedan 3"
        page.screenshot(path=screenshots / f"product-{name}.png", full_page=True)

        page.get_by_role("link", name="English").first.click()
        page.wait_for_url(f"{live_server}/en/products/morral-lana")
        assert page.locator("h1").inner_text() == "Wool bag"
        assert page.locator(".avail.big").inner_text() == "3 left"
        assert page.evaluate("document.documentElement.lang") == "en"

        # The chosen language is remembered for stable, unprefixed links.
        page.goto(f"{live_server}/products/huipil-rombos")
        assert page.url == f"{live_server}/en/products/huipil-rombos"
        page.screenshot(path=screenshots / f"product-photos-{name}.png", full_page=True)
        no_overflow = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_overflow, "the page scrolls sideways"
    finally:
        context.close()


def test_pages_fit_a_320_pixel_screen(browser, live_server, shop_data, screenshots):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    try:
        for path in ("/es/", "/es/products", "/es/products/huipil-rombos", "/es/weavers/maria-perez"):
            page.goto(live_server + path)
            assert page.evaluate("document.documentElement.scrollWidth <= 320"), path
        page.screenshot(path=screenshots / "product-320.png", full_page=True)
    finally:
        context.close()
