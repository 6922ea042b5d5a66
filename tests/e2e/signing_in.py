"""Signing a person in to the workspace in a real Chromium, for the browser tests of the back office."""

from __future__ import annotations

PASSWORD = "a long password 1"


def sign_in_as(browser, live_server, username: str, width: int = 1024, javascript: bool = False):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server + "/taller")
    page.get_by_label("Correo o usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Entrar").click()
    # The click does not wait for the next page: wait until her home page has loaded, then hand it over.
    page.wait_for_url(live_server + "/taller/inicio")
    return context, page
