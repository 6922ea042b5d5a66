"""In a real Chromium at phone width: the footer leads to the shop's own pages, the admin edits one in the
workspace and the store shows it, and she chooses the home page's picture. Axe finds nothing serious on any of them."""

from __future__ import annotations

import json

import pytest
from signing_in import sign_in_as
from workspace_helpers import person

from shop.accounts.models import Role
from shop.api.http.urls import STORE_PAGE_PATHS

pytestmark = pytest.mark.browser


def test_the_footer_leads_to_every_page_and_axe_finds_nothing_serious(
    browser, live_server, shop_data, serious_violations, screenshots
):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for lang, link, heading in (
            ("es", "Contacto", "Contacto"),
            ("es", "Aviso de privacidad", "Aviso de privacidad"),
            ("es", "Envíos y aduanas", "Envíos y aduanas"),
            ("en", "Returns and refunds", "Returns and refunds"),
            ("en", "About the cooperative", "About the cooperative"),
            ("en", "Terms of sale", "Terms of sale"),
        ):
            page.goto(f"{live_server}/{lang}/")
            with page.expect_navigation():  # the home page has a heading too: read the page the link leads to
                page.locator("footer").get_by_role("link", name=link, exact=True).click()
            assert page.get_by_role("heading", level=1).inner_text() == heading
            found = serious_violations(page)
            assert found == [], f"{page.url}: {json.dumps(found, indent=2)}"
            slug = next(s for s, paths in STORE_PAGE_PATHS.items() if page.url.endswith(paths[lang]))
            page.screenshot(path=screenshots / f"store-page-{slug}-{lang}-390.png", full_page=True)
    finally:
        context.close()


def test_the_admin_edits_a_page_and_chooses_the_home_picture(browser, live_server, session, shop_data, screenshots):
    person(session, "rosa", Role.admin)
    context, page = sign_in_as(browser, live_server, "rosa", width=390)
    try:
        page.get_by_role("link", name="Páginas de la tienda").click()
        page.get_by_role("link", name="Envíos y aduanas").click()
        body = page.locator("#c-body_en")
        body.fill("## Our carriers\n\nDHL Express for every parcel abroad, **5 to 9 working days**.")
        page.screenshot(path=screenshots / "workspace-store-page-form-390.png", full_page=True)
        page.get_by_role("button", name="Guardar la página").click()
        page.wait_for_url(live_server + "/taller/tienda")  # back on the list, loaded, before it is read
        assert "La página está guardada" in page.locator("[role=status]").first.inner_text()
        page.screenshot(path=screenshots / "workspace-store-pages-390.png", full_page=True)

        page.get_by_role("link", name="Fotos de la página de inicio").click()
        top = page.locator("section", has=page.get_by_role("heading", name="La foto grande de arriba"))
        top.locator("input[type=radio]").first.check()
        top.get_by_label("Qué se ve en la foto, en español").fill("Un huipil rojo en el telar")
        top.get_by_label("Qué se ve en la foto, en inglés").fill("A red huipil on the loom")
        with page.expect_navigation():  # the same page comes back, with the choice made
            top.get_by_role("button", name="Mostrar esta foto").click()
        assert "La foto está elegida" in page.locator("[role=status]").first.inner_text()
        page.screenshot(path=screenshots / "workspace-front-pictures-390.png", full_page=True)

        page.goto(live_server + "/en/shipping")
        assert page.get_by_role("heading", name="Our carriers").is_visible()
        assert "5 to 9 working days" in page.locator(".prose").inner_text()
        page.goto(live_server + "/en/")
        assert page.locator(".hero img").get_attribute("alt") == "A red huipil on the loom"
        page.screenshot(path=screenshots / "store-home-chosen-hero-390.png")
    finally:
        context.close()


def test_the_workspace_screens_have_no_serious_accessibility_problem(
    browser, live_server, session, shop_data, serious_violations
):
    person(session, "rosa", Role.admin)
    context, page = sign_in_as(browser, live_server, "rosa", width=390, javascript=True)
    try:
        for path in ("/taller/tienda", "/taller/tienda/paginas/privacy", "/taller/tienda/portada"):
            page.goto(live_server + path)
            found = serious_violations(page)
            assert found == [], f"{path}: {json.dumps(found, indent=2)}"
    finally:
        context.close()
