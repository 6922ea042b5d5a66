"""Signing in to the workspace in a real Chromium with JavaScript off: an admin enrols the cooperative's
computer, a member taps her photo and types her PIN on the keypad, the idle timeout signs her out, five
wrong PINs make that computer wait, and a stranger's wrong passwords lock nobody out."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from factories import BUYER, fresh, make_user, photo_bytes
from playwright.sync_api import expect
from sqlmodel import select

from shop.accounts.models import PinAttempts, Role
from shop.accounts.service import set_pin
from shop.catalogue.models import Product, ProductImage, ProductStatus, Weaver
from shop.clock import utcnow
from shop.i18n import translator
from shop.orders.models import Order, OrderStatus
from shop.payments import receipt_window

es = translator("es")

pytestmark = pytest.mark.browser
PIN_PAGE = re.compile(r"/taller/pin/\d+$")


@pytest.fixture
def people(session, shop_data):
    """An admin with a password and María, a member with a PIN, linked to her weaver profile."""
    make_user(session, roles=[Role.admin], username="rosa", name="Rosa Gómez")
    maria = session.exec(select(Weaver).where(Weaver.slug == "maria-perez")).one()
    member = make_user(session, roles=[Role.member], username="maria", name="María Pérez", weaver_id=maria.id)
    set_pin(session, member, "2580")
    session.commit()
    return member.id


def press(page, digits: str) -> None:
    """Tap a PIN on the on-screen keypad (with JavaScript) or type it in the box (without), then press Enter."""
    page.wait_for_url(PIN_PAGE)  # her PIN page, loaded: its script has shown the keypad, if it is to be shown
    if page.locator(".keypad").is_visible():
        for digit in digits:
            page.get_by_role("button", name=digit, exact=True).click()
    else:
        page.get_by_label("Su PIN").fill(digits)
    page.get_by_role("button", name="Entrar", exact=True).click()


def password_sign_in(page, live_server) -> None:
    page.goto(live_server + "/taller")
    page.get_by_label("Correo o usuario").fill("rosa")
    page.get_by_label("Contraseña").fill("a long password 1")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(live_server + "/taller/inicio")


def enrol(browser, live_server, *, width=1024, height=768, javascript=False, **options):
    """A browser context that an admin has enrolled as a device, through the Devices screen."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, java_script_enabled=javascript, **options
    )
    page = context.new_page()
    password_sign_in(page, live_server)
    page.goto(live_server + "/taller/dispositivos")
    page.get_by_label("Nombre de este dispositivo").fill("Computadora de la cooperativa")
    page.get_by_role("button", name="Registrar este dispositivo").click()
    expect(page.get_by_role("status")).to_contain_text("Computadora de la cooperativa", use_inner_text=True)
    page.get_by_role("button", name="Cambiar de persona").click()
    page.wait_for_url(live_server + "/taller")  # the tiles, loaded
    return context, page


def test_a_member_signs_in_with_her_pin_on_an_enrolled_computer(browser, live_server, people, screenshots):
    stranger = browser.new_context(java_script_enabled=False)
    try:
        # A browser nobody enrolled never sees the members: only a username and password form.
        page = stranger.new_page()
        page.goto(live_server + "/taller")
        assert page.get_by_label("Contraseña").is_visible()
        assert "María Pérez" not in page.content()
    finally:
        stranger.close()

    context, page = enrol(browser, live_server)
    try:
        assert page.url == live_server + "/taller"
        page.screenshot(path=screenshots / "workspace-tiles-1024.png", full_page=True)
        page.get_by_role("link", name="María Pérez").click()
        page.wait_for_url(PIN_PAGE)
        page.screenshot(path=screenshots / "workspace-pin-1024.png", full_page=True)
        press(page, "2580")
        page.wait_for_url(live_server + "/taller/inicio")
        expect(page.get_by_role("button", name="Cambiar de persona")).to_be_visible()
        expect(page.locator(".ws-bar .me")).to_contain_text("María Pérez", use_inner_text=True)
        page.screenshot(path=screenshots / "workspace-home-1024.png", full_page=True)

        # Switch person, then Back: the browser shows nothing of her workspace (no-store pages).
        page.get_by_role("button", name="Cambiar de persona").click()
        page.wait_for_url(live_server + "/taller")
        page.go_back(wait_until="load")
        assert page.locator(".ws-bar .me").count() == 0  # her name is gone: the page was asked for again
        assert page.get_by_role("button", name="Cambiar de persona").count() == 0
    finally:
        context.close()


def test_on_a_slow_line_every_tap_of_the_pin_is_kept_and_it_is_sent_once(browser, live_server, people, screenshots):
    """400 ms of latency: the keypad types into the box in the browser, so tapping makes no request at all."""
    context, page = enrol(browser, live_server, javascript=True)
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1},
        )
        page.get_by_role("link", name="María Pérez").click()
        expect(page.locator("#pin")).to_be_focused()  # focus starts in the PIN box
        sent: list[str] = []  # pages asked for or forms sent (not the sprite of icons, not the idle heartbeat)
        page.on("request", lambda r: sent.append(r.method) if r.is_navigation_request() or r.method == "POST" else None)
        for digit in "25801":
            page.get_by_role("button", name=digit, exact=True).click(delay=20)
        page.get_by_role("button", name="Borrar").click()
        assert page.get_by_label("Su PIN").input_value() == "2580" and sent == []
        page.screenshot(path=screenshots / "workspace-pin-keypad-1024.png")
        page.get_by_role("button", name="Entrar", exact=True).click()
        page.wait_for_url(live_server + "/taller/inicio")
        assert sent.count("POST") == 1
    finally:
        context.close()


def test_without_javascript_the_pin_is_a_plain_box_with_a_big_enter_button(browser, live_server, people):
    context, page = enrol(browser, live_server)
    try:
        page.get_by_role("link", name="María Pérez").click()
        page.wait_for_url(PIN_PAGE)  # the tiles have no keypad either: look once her PIN page is in
        expect(page.locator(".keypad")).to_be_hidden()
        expect(page.locator("#pin")).to_be_focused()
        page.keyboard.type("2580")
        page.get_by_role("button", name="Entrar", exact=True).click()
        expect(page).to_have_url(live_server + "/taller/inicio")
    finally:
        context.close()


def test_the_idle_timeout_signs_her_out(browser, live_server, people, settings):
    context, page = enrol(browser, live_server)
    # Short only once the admin has enrolled the computer: on a busy machine her steps can take longer.
    settings.workspace_idle_seconds = 2
    try:
        page.get_by_role("link", name="María Pérez").click()
        press(page, "2580")
        expect(page).to_have_url(live_server + "/taller/inicio")
        # Nobody touches the screen: the page itself goes back to the tiles, and says why.
        page.wait_for_url(live_server + "/taller?idle=1", timeout=15_000)
        assert "nadie usó la pantalla" in page.get_by_role("status").inner_text()
        page.goto(live_server + "/taller/inicio")
        assert page.url.startswith(live_server + "/taller") and not page.url.endswith("/inicio")
    finally:
        context.close()


def test_five_wrong_pins_lock_the_account(browser, live_server, people, session, screenshots):
    context, page = enrol(browser, live_server)
    try:
        page.get_by_role("link", name="María Pérez").click()
        alert = page.get_by_role("alert")
        for tries_left in (4, 3, 2, 1):
            press(page, "1111")  # the PIN page again, at the same address: its message tells the new page
            expect(alert).to_contain_text(re.compile(f"{tries_left} "), use_inner_text=True)
        press(page, "1111")
        expect(alert).to_contain_text("bloqueada", use_inner_text=True)
        page.screenshot(path=screenshots / "workspace-locked-1024.png", full_page=True)
        # Even the right PIN is refused while the lock lasts (the page before says so too: wait for the next one).
        with page.expect_navigation():
            press(page, "2580")
        expect(alert).to_contain_text("bloqueada", use_inner_text=True)
        assert not page.url.endswith("/inicio")
        fresh(session)
        assert session.scalar(select(PinAttempts.locked_until).where(PinAttempts.user_id == people)) is not None
    finally:
        context.close()


def test_a_stranger_cannot_lock_out_the_member_or_the_admin(browser, live_server, people):
    """Dozens of wrong passwords for María's and Rosa's names from a stranger's machine: he is slowed down,
    María's PIN still opens the cooperative's computer, and Rosa gets in from her own laptop."""
    computer, page = enrol(browser, live_server)
    laptop = browser.new_context(java_script_enabled=False)
    try:
        mine = laptop.new_page()
        password_sign_in(mine, live_server)  # Rosa worked from her laptop before
        mine.get_by_role("button", name="Cambiar de persona").click()
        mine.wait_for_url(live_server + "/taller")  # signed out before the stranger starts
        with httpx.Client(base_url=live_server) as stranger:
            statuses = []
            for _ in range(20):
                for name in ("maria", "rosa"):
                    token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/taller").text).group(1)
                    data = {"login": name, "password": "guessing-1234", "csrf_token": token}
                    statuses.append(stranger.post("/taller/entrar", data=data).status_code)
        assert statuses[:4] == [401] * 4 and set(statuses[-10:]) == {429}
        page.get_by_role("link", name="María Pérez").click()
        press(page, "2580")
        expect(page).to_have_url(live_server + "/taller/inicio")
        password_sign_in(mine, live_server)
        assert mine.url == live_server + "/taller/inicio"
        assert "Rosa Gómez" in mine.locator(".ws-bar .me").inner_text()
    finally:
        laptop.close()
        computer.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1024, 390])
def test_a_member_adds_a_piece_with_a_photo_and_sees_it_in_the_store(
    browser, live_server, people, session, screenshots, tmp_path, width
):
    photo = tmp_path / "huipil.jpg"
    photo.write_bytes(photo_bytes(900, 1200, color=(30, 90, 140)))
    context, page = enrol(browser, live_server, width=width, height=844, javascript=True)
    try:
        page.get_by_role("link", name="María Pérez").click()
        press(page, "2580")
        page.get_by_role("link", name=es.gettext("Inventory")).click()
        page.wait_for_url(live_server + "/taller/inventario")
        page.screenshot(path=screenshots / f"workspace-inventory-{width}.png", full_page=True)
        page.get_by_role("link", name=es.gettext("Add a piece")).first.click()
        # The preview's script listens for the choice once the page has loaded: choose only then (a click
        # does not wait for the next page's load, and on a busy machine the choice could come first). Waiting
        # for the load state alone is not enough: until the new page arrives, the old one is the loaded one.
        page.wait_for_url(live_server + "/taller/inventario/nuevo")
        page.locator("#f-photos").set_input_files(photo)
        preview = page.locator("#photo-preview img")
        preview.wait_for()
        assert preview.evaluate("img => img.complete && img.naturalWidth") == 900  # she sees what she chose
        page.get_by_label(es.gettext("Name of the piece")).fill("Huipil azul de Chenalhó")
        page.get_by_label(es.gettext("Price in pesos")).fill("2450")
        page.get_by_label(es.gettext("Category")).select_option(label="Huipiles")
        page.get_by_label(es.gettext("One of a kind")).check()
        page.get_by_label(es.gettext("How many do you have now?")).fill("1")
        assert no_sideways_scroll(page), "the form scrolls sideways"
        page.screenshot(path=screenshots / f"workspace-product-new-{width}.png", full_page=True)
        page.get_by_role("button", name=es.gettext("Save the piece")).click()

        expect(page.get_by_role("heading", name="Huipil azul de Chenalhó", level=1)).to_be_visible()
        with page.expect_navigation():  # the piece's page again, at the same address, now published
            page.get_by_role("button", name=es.gettext("Publish in the store")).click()
        page.screenshot(path=screenshots / f"workspace-product-edit-{width}.png", full_page=True)
        assert no_sideways_scroll(page)

        # The piece is in the store, with her photo and her name.
        page.goto(live_server + "/es/products?q=chenalho")
        page.get_by_role("link", name="Huipil azul de Chenalhó").first.click()
        page.wait_for_url(live_server + "/es/products/huipil-azul-de-chenalho")  # the listing has photos too
        main_photo = page.locator("main img").first
        main_photo.wait_for()
        # Loaded, not only in the page: photos come through the shop (which checks who may see each one).
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=main_photo.element_handle())
        assert "María Pérez" in page.locator("main").inner_text()
        assert "2,450" in page.locator("main").inner_text() or "2 450" in page.locator("main").inner_text()
    finally:
        context.close()
    fresh(session)
    made = session.exec(select(Product).where(Product.title_es == "Huipil azul de Chenalhó")).one()
    assert made.status is ProductStatus.active and made.price_amount == 245_000
    assert len(session.exec(select(ProductImage).where(ProductImage.product_id == made.id)).all()) == 1


def test_the_treasurer_confirms_an_offline_payment_and_the_order_goes_to_packing(
    browser, live_server, engine, session, shop_data, screenshots
):
    make_user(session, roles=[Role.treasurer], username="tesorera", name="Rosa Gómez", email="tesoreria@example.org")
    session.commit()
    # A buyer orders a bag and will pay by bank transfer.
    buyer = browser.new_context(java_script_enabled=False)
    page = buyer.new_page()
    try:
        page.goto(live_server + "/es/products/morral-lana")
        page.get_by_role("button", name="Agregar al carrito").click()
        page.wait_for_url(live_server + "/es/cart")  # in her cart before she leaves for the checkout
        page.goto(live_server + "/es/checkout?country=MX")
        for name in ("email", "name", "phone", "address_line1", "city", "region", "postal_code"):
            page.locator(f"#f-{name}").fill(BUYER[name])
        page.get_by_role("button", name="Hacer el pedido").click()
        expect(page).to_have_url(re.compile("/es/orders/"))
    finally:
        buyer.close()
    number = session.exec(select(Order.number)).one()

    # The treasurer, at home on her own laptop: staff sign in with e-mail and password.
    context = browser.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/taller")
        page.get_by_label("Correo o usuario").fill("tesoreria@example.org")
        page.get_by_label("Contraseña").fill("a long password 1")
        page.get_by_role("button", name="Entrar").click()
        page.get_by_role("link", name=es.gettext("Payments")).first.click()
        page.wait_for_url(live_server + "/taller/pagos")
        card = page.locator("article, li, section").filter(has_text=number).last
        expect(card).to_be_visible()
        page.screenshot(path=screenshots / "workspace-payments-1024.png", full_page=True)
        card.get_by_role("textbox").first.fill("SPEI 0042")
        card.get_by_role("button").filter(has_text=es.gettext("Payment received")).click()
        page.get_by_role("button", name=es.gettext("Yes, the money arrived")).click()
        page.wait_for_url(live_server + "/taller/pagos")
        expect(page.get_by_role("status")).to_contain_text(number, use_inner_text=True)
        # The undo window passes; the jobs put the order in the packing queue.
        later = utcnow() + receipt_window.UNDO_WINDOW
        assert receipt_window.apply_due(engine, now=later, base_url=live_server) == 1

        page.get_by_role("link", name=es.gettext("Back to the start")).click()
        page.wait_for_url(live_server + "/taller/inicio")
        page.get_by_role("link", name=es.gettext("Orders")).first.click()
        page.wait_for_url(live_server + "/taller/pedidos")  # the payments page named the order too
        expect(page.locator("main")).to_contain_text(number, use_inner_text=True)
        page.screenshot(path=screenshots / "workspace-orders-1024.png", full_page=True)
    finally:
        context.close()
    fresh(session)
    assert session.exec(select(Order).where(Order.number == number)).one().status is OrderStatus.paid


@pytest.mark.parametrize("width", [1024, 390])
def test_workspace_screens_have_no_serious_or_critical_accessibility_problems(
    browser, live_server, people, serious_violations, width
):
    # The pages forbid inline scripts (CSP); the test bypasses it to inject axe, as an extension would.
    stranger = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 844})
    found = {}
    try:
        page = stranger.new_page()
        page.goto(live_server + "/taller")
        found["password sign-in"] = serious_violations(page)
        page.get_by_role("button", name="Entrar").click()
        found["password sign-in, refused"] = serious_violations(page)
    finally:
        stranger.close()

    context, page = enrol(browser, live_server, width=width, height=844, javascript=True, bypass_csp=True)
    try:
        found["tiles"] = serious_violations(page)
        page.get_by_role("link", name="María Pérez").click()
        page.get_by_role("button", name="7", exact=True).click()
        found["PIN keypad"] = serious_violations(page)
        page.locator("#pin").fill("2580")
        page.get_by_role("button", name="Entrar", exact=True).click()
        page.wait_for_url(live_server + "/taller/inicio")  # signed in before the pages are asked for
        for label, path in [
            ("home", "/taller/inicio"),
            ("inventory", "/taller/inventario"),
            ("add a piece", "/taller/inventario/nuevo"),
            ("edit a piece", "/taller/inventario/huipil-rombos"),
            ("my earnings", "/taller/ganancias"),
            ("orders", "/taller/pedidos"),
        ]:
            page.goto(live_server + path)
            found[label] = serious_violations(page)
        page.goto(live_server + "/taller/inventario/nuevo")
        page.get_by_label(es.gettext("Price in pesos")).fill("12,50")
        page.get_by_role("button", name=es.gettext("Save the piece")).click()
        found["add a piece, with mistakes"] = serious_violations(page)
    finally:
        context.close()
    assert {label: v for label, v in found.items() if v} == {}, json.dumps(found, indent=2)


def test_with_javascript_a_warning_comes_first_and_typing_keeps_her_signed_in(browser, live_server, people, settings):
    settings.workspace_idle_seconds = 4
    context, page = enrol(browser, live_server, javascript=True)
    try:
        page.get_by_role("link", name="María Pérez").click()
        page.locator("#pin").fill("2580")
        page.get_by_role("button", name="Entrar", exact=True).click()
        page.wait_for_url(live_server + "/taller/inicio")  # signed in before the next page is asked for
        page.goto(live_server + "/taller/inventario/nuevo")
        # She writes a long description for longer than the idle time: no request is made, yet she stays in.
        box = page.get_by_label(es.gettext("Description"), exact=True)
        for _ in range(12):
            box.press_sequentially("tejido ", delay=60)
        assert page.locator("#idle-warning").is_hidden()
        page.reload()
        assert page.url.endswith("/taller/inventario/nuevo")

        # Then she stops: a warning, and "I am still here" keeps her in.
        warning = page.get_by_role("alertdialog")
        warning.wait_for(state="visible", timeout=10_000)
        page.get_by_role("button", name=es.gettext("I am still here")).click()
        assert warning.is_hidden()
        page.wait_for_url(live_server + "/taller?idle=1", timeout=15_000)
        page.goto(live_server + "/taller/inicio")
        assert not page.url.endswith("/inicio")
    finally:
        context.close()
