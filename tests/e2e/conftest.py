"""Real HTTP through uvicorn and a real Chromium (Debian's), for what only a browser can show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from live import free_port, serve

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
BROWSER_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def live_server(app, settings):
    """The test app served over real HTTP on a free loopback port."""
    port = free_port()
    settings.base_url = f"http://127.0.0.1:{port}"
    with serve(app, port) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium) — browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshots() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture
def live_shop(stripe_app, stripe_settings):
    """The shop with Stripe (the fake) configured, over real HTTP."""
    port = free_port()
    stripe_settings.base_url = f"http://127.0.0.1:{port}"
    with serve(stripe_app, port) as url:
        yield url


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci) — accessibility checks skipped")
    return AXE.read_text()


@pytest.fixture
def serious_violations(axe_source):
    """Run axe-core on the page as it is now; return its serious and critical findings."""

    def run(page) -> list[dict]:
        page.evaluate(axe_source)
        return page.evaluate(
            "async () => (await axe.run()).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )

    return run
