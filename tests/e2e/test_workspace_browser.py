"""Signing in to the workspace in a real Chromium with JavaScript off: an admin enrols the cooperative's
computer, a member taps her photo and types her PIN on the keypad, the idle timeout signs her out, and five
wrong PINs lock her account."""

from __future__ import annotations

import pytest
from factories import make_user
from sqlmodel import select

from shop.accounts.models import Role, User
from shop.accounts.service import set_pin
from shop.catalogue.models import Weaver

pytestmark = pytest.mark.browser


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
    """Type a PIN on the on-screen keypad, one press (one page load) at a time, then press Enter."""
    for digit in digits:
        page.get_by_role("button", name=digit, exact=True).click()
    page.get_by_role("button", name="Entrar", exact=True).click()


def enrol(browser, live_server):
    """A browser context that an admin has enrolled as a device, through the Devices screen."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/taller")
    page.get_by_label("Correo o usuario").fill("rosa")
    page.get_by_label("Contraseña").fill("a long password 1")
    page.get_by_role("button", name="Entrar").click()
    page.goto(live_server + "/taller/dispositivos")
    page.get_by_label("Nombre de este dispositivo").fill("Computadora de la cooperativa")
    page.get_by_role("button", name="Registrar este dispositivo").click()
    assert "Computadora de la cooperativa" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Cambiar de persona").click()
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
        page.screenshot(path=screenshots / "workspace-pin-1024.png", full_page=True)
        press(page, "2580")
        assert page.url == live_server + "/taller/inicio"
        assert page.get_by_role("button", name="Cambiar de persona").is_visible()
        assert "María Pérez" in page.locator(".ws-bar .me").inner_text()
        page.screenshot(path=screenshots / "workspace-home-1024.png", full_page=True)

        # Switch person, then Back: the browser shows nothing of her workspace (no-store pages).
        page.get_by_role("button", name="Cambiar de persona").click()
        page.go_back()
        assert page.url.endswith("/taller") or "Cambiar de persona" not in page.content()
    finally:
        context.close()


def test_the_idle_timeout_signs_her_out(browser, live_server, people, settings):
    settings.workspace_idle_seconds = 2
    context, page = enrol(browser, live_server)
    try:
        page.get_by_role("link", name="María Pérez").click()
        press(page, "2580")
        assert page.url == live_server + "/taller/inicio"
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
        for tries_left in (4, 3, 2, 1):
            press(page, "1111")
            assert f"{tries_left} " in page.get_by_role("alert").inner_text()
        press(page, "1111")
        message = page.get_by_role("alert").inner_text()
        assert "bloqueada" in message
        page.screenshot(path=screenshots / "workspace-locked-1024.png", full_page=True)
        # Even the right PIN is refused while the lock lasts.
        press(page, "2580")
        assert "bloqueada" in page.get_by_role("alert").inner_text()
        assert not page.url.endswith("/inicio")
        session.expire_all()
        assert session.get(User, people).locked_until is not None
    finally:
        context.close()
