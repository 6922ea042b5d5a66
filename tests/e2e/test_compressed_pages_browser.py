"""Two buyers in a real Chromium get the same cached page in gzip, made of pieces compressed once, each with her
own form token (which adds to her cart) and her own cart count; a workspace page comes in brotli."""

import pytest

from shop.web.browser import csrf_valid

pytestmark = pytest.mark.browser

SECRET = "test-secret-key-not-for-production"
PAGE = "/en/products/huipil-rombos"


def token_and_seed(page, context) -> tuple[str, str]:
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    seed = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "seed")
    return token, seed


def test_each_buyer_gets_her_own_token_and_cart_in_the_shared_compressed_page(browser, live_server, shop_data):
    ana_context = browser.new_context(java_script_enabled=False)
    bea_context = browser.new_context(java_script_enabled=False)
    ana, bea = ana_context.new_page(), bea_context.new_page()
    try:
        first = ana.goto(live_server + PAGE)
        second = bea.goto(live_server + PAGE)
        for response, cache in ((first, "miss"), (second, "hit")):
            headers = response.all_headers()
            assert headers["content-encoding"] == "gzip"  # Chromium asks for br too: forms mean gzip
            assert headers["x-cache"] == cache
        assert ana.locator("h1").inner_text() == bea.locator("h1").inner_text() == "Diamond huipil"
        ana_token, ana_seed = token_and_seed(ana, ana_context)
        bea_token, bea_seed = token_and_seed(bea, bea_context)
        assert csrf_valid(SECRET, ana_seed, ana_token) and csrf_valid(SECRET, bea_seed, bea_token)
        assert not csrf_valid(SECRET, ana_seed, bea_token)

        # Seen again, the page is revalidated (304: same weak ETag) and Chromium shows the copy it kept,
        # whose masked token still works for Bea's form.
        revisit = bea.goto(live_server + PAGE)
        assert revisit.all_headers()["etag"] == second.all_headers()["etag"]
        bea.get_by_role("button", name="Add to cart").click()
        bea.wait_for_url(f"{live_server}/en/cart")  # a click does not wait for the page it leads to
        assert bea.get_by_role("status").first.inner_text() == "Added to your cart."

        # Her cart changed, so does her copy: a new one, from the same cached pieces.
        again = bea.goto(live_server + PAGE)
        assert again.all_headers()["x-cache"] == "hit" and again.all_headers()["content-encoding"] == "gzip"
        assert again.all_headers()["etag"] != second.all_headers()["etag"]
        assert bea.locator(".cartlink .count").inner_text() == "1"
        ana.goto(live_server + PAGE)
        assert ana.locator(".cartlink .count").inner_text() == ""

        workspace = ana.goto(live_server + "/taller")
        assert workspace.all_headers()["content-encoding"] == "br"
        token, seed = token_and_seed(ana, ana_context)
        assert csrf_valid(SECRET, seed, token)
    finally:
        ana_context.close()
        bea_context.close()
