"""The API documentation page runs Swagger UI from the shop's own files, under the site's CSP."""

from __future__ import annotations

from urllib.parse import urlsplit


def test_swagger_ui_runs_under_the_csp_with_nothing_from_elsewhere(browser, live_server, screenshots):
    page = browser.new_page()
    refused: list[str] = []
    origins: set[str] = set()
    page.on("console", lambda message: refused.append(message.text) if "Security Policy" in message.text else None)
    page.on("request", lambda request: origins.add("{0.scheme}://{0.netloc}".format(urlsplit(request.url))))
    response = page.goto(f"{live_server}/api/docs")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "J'pas Joloviletik shop API" in page.inner_text(".swagger-ui .info .title")
    page.click("#operations-orders-checkout_api_v1_checkout_post .opblock-summary")  # one opened, with its schemas
    page.wait_for_selector(".opblock.is-open .opblock-body .try-out__btn", timeout=15_000)
    page.screenshot(path=str(screenshots / "api-docs.png"))
    assert origins == {live_server}
    assert refused == []
    page.close()
