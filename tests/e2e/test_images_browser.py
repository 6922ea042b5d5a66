"""On Lighthouse's phone (412 px wide at 1.75x), Chromium takes the product page's first photo as AVIF at the width
its slot needs, and nothing on the page moves while the photos arrive late."""

import pytest

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 412, "height": 823}, "device_scale_factor": 1.75, "is_mobile": True, "has_touch": True}
# Every layout shift the page made, as the Core Web Vitals count them (a shift right after a tap does not count).
LAYOUT_SHIFT = """() => new Promise(resolve => {
    let total = 0;
    new PerformanceObserver(list => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
    }).observe({type: "layout-shift", buffered: true});
    setTimeout(() => resolve(total), 300);
})"""


SLOTS = "[...document.images].map(img => { const r = img.getBoundingClientRect(); return [r.top, r.width, r.height]; })"


def test_the_first_photo_is_avif_at_the_width_its_slot_needs(browser, live_server, shop_data):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/media/" in request.url else None)
    try:
        page.goto(f"{live_server}/en/products/huipil-rombos", wait_until="load")
        first = page.locator("#photo-1 img")
        assert first.evaluate("img => img.complete && img.naturalWidth > 0")
        shown = first.evaluate("img => img.currentSrc")
        assert shown.endswith("-720.avif")  # its slot is 380 px wide, 665 at 1.75x
        key = shown.rsplit("/", 1)[1].split("-")[0]
        # The preload and the picture asked for the same file, once; the WebP files of that photo, never.
        assert [url for url in asked if key in url and "-720." in url] == [shown]
        assert not [url for url in asked if key in url and url.endswith(".webp")]
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/en/products/huipil-rombos", "/en/products", "/es/", "/es/weavers/maria-perez"])
def test_nothing_moves_when_the_photos_arrive(browser, live_server, shop_data, path):
    def laid_out(*, photos: bool) -> list:
        """Each image's place and size on the whole page, with every photo there, or with none arriving at all."""
        context = browser.new_context(**PHONE)
        page = context.new_page()
        if not photos:
            page.route("**/media/**", lambda route: route.abort())
        try:
            page.goto(f"{live_server}{path}", wait_until="load")
            height = page.evaluate("document.documentElement.scrollHeight")
            for y in range(0, height, 400):  # down the page, so the lazy photos are asked for too
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(50)
            page.evaluate("window.scrollTo(0, 0)")
            page.wait_for_function("[...document.images].every(img => img.complete)")
            if photos:
                assert page.evaluate("[...document.images].filter(img => img.naturalWidth === 0).length") == 0
                assert page.evaluate(LAYOUT_SHIFT) == 0
            return page.evaluate(SLOTS)
        finally:
            context.close()

    # Each slot has its size before its photo comes: whenever it comes, nothing around it moves.
    assert laid_out(photos=True) == laid_out(photos=False)
