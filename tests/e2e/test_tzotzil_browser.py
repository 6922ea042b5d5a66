"""In Chromium, without JavaScript: two speakers of the council translate a workspace text, one writing and the
other reviewing; a linguist's .po file is previewed before it is imported; the admin records spoken help and
the screen's header shows a big Listen button. Every page passes axe; screenshots at 390 and 1280 px."""

import json
import re

import pytest
from playwright.sync_api import expect
from workspace_helpers import person

from shop.accounts.models import Role
from shop.translations.strings import string_key

pytestmark = pytest.mark.browser
DONE = f"/taller/traducciones/{string_key('Done')}"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 400
PO = b"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Done"
msgstr "Lek"

msgid "Welcome"
msgstr "Ochan me!"

msgid "Not in the workspace"
msgstr "Lek"
"""


@pytest.fixture
def speakers(session):
    person(session, "rosa", Role.council, name="Rosa")
    person(session, "pascuala", Role.council, name="Pascuala")
    person(session, "ana", Role.admin, name="Ana")


def accessible(page, serious_violations, label: str) -> None:
    found = serious_violations(page)
    assert found == [], f"{label}: {json.dumps(found, indent=2)}"


def checked_context(browser, live_server, username: str, width: int):
    # axe comes in past the page's script policy, as an extension would.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(live_server + "/taller")
    page.get_by_label("Correo o usuario").fill(username)
    page.get_by_label("Contraseña").fill("a long password 1")
    page.get_by_role("button", name="Entrar").click()
    page.wait_for_url(live_server + "/taller/inicio")  # her home page, loaded, before she goes on
    return context, page


@pytest.mark.parametrize("width", [390, 1280])
def test_one_speaker_writes_another_reviews_and_a_po_file_is_previewed(
    browser, live_server, speakers, serious_violations, screenshots, width
):
    context, page = checked_context(browser, live_server, "rosa", width)
    try:
        # A click does not wait for the page it leads to: each page is read (and checked by axe) once it has loaded;
        # forms that come back at the same address are sent inside expect_navigation.
        page.get_by_role("link", name="Traducción al tsotsil").click()
        page.wait_for_url(live_server + "/taller/traducciones")
        assert page.get_by_role("region", name="Textos del taller").is_visible()
        page.screenshot(path=screenshots / f"translations-list-{width}.png", full_page=False)
        accessible(page, serious_violations, "list")
        page.get_by_label("Pantalla", exact=True).select_option("workspace/home.html")
        page.get_by_label("Estado", exact=True).select_option("reviewed")
        page.get_by_role("button", name="Aplicar").click()
        page.wait_for_url(re.compile(r"/taller/traducciones\?pantalla="))  # the whole list has that text too
        assert page.get_by_role("cell", name="K'ejebal").is_visible()

        page.goto(live_server + DONE)
        page.locator("#c-text").fill("Lek")
        with page.expect_navigation():
            page.get_by_role("button", name="Guardar").click()
        assert page.get_by_text("Guardado. Una segunda hablante debe revisarlo.").is_visible()
        assert page.get_by_text("Usted escribió este texto: otra hablante debe revisarlo.").is_visible()
        page.screenshot(path=screenshots / f"translation-editing-{width}.png", full_page=True)
        accessible(page, serious_violations, "editing")
        page.get_by_role("button", name="Está bien: marcarlo como revisado").click()
        page.wait_for_url(re.compile("/revisar$"))
        assert page.get_by_text("Otra hablante debe revisar este texto: usted lo escribió.").is_visible()
        accessible(page, serious_violations, "refused review")

        page.goto(live_server + "/taller/traducciones/importar")
        page.get_by_label("El archivo .po").set_input_files({"name": "tzo.po", "mimeType": "text/plain", "buffer": PO})
        with page.expect_navigation():
            page.get_by_role("button", name="Ver qué cambiaría").click()
        assert page.get_by_role("heading", name="Lo que cambiaría el archivo").is_visible()
        page.screenshot(path=screenshots / f"translation-import-preview-{width}.png", full_page=True)
        accessible(page, serious_violations, "import preview")
        page.get_by_role("button", name="Importar estos textos").click()
        expect(page.get_by_text("Importados: 0 textos nuevos y 1 cambiados.")).to_be_visible()
    finally:
        context.close()

    context, page = checked_context(browser, live_server, "pascuala", width)
    try:
        page.goto(live_server + DONE)
        with page.expect_navigation():
            page.get_by_role("button", name="Está bien: marcarlo como revisado").click()
        assert page.get_by_text("Revisado: el taller ya lo muestra.").is_visible()
        assert page.get_by_text("Revisado por Pascuala").is_visible()
        page.screenshot(path=screenshots / f"translation-reviewed-{width}.png", full_page=True)
        accessible(page, serious_violations, "reviewed")
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_admin_records_spoken_help_and_the_screen_has_a_listen_button(
    browser, live_server, speakers, serious_violations, screenshots, width
):
    context, page = checked_context(browser, live_server, "ana", width)
    try:
        page.get_by_role("link", name="Ayuda hablada").click()
        page.wait_for_url(live_server + "/taller/ayuda-hablada")
        accessible(page, serious_violations, "spoken help")
        home = page.locator("li.panel", has=page.get_by_role("heading", name="Inicio", exact=True))
        recording = {"name": "a.mp3", "mimeType": "audio/mpeg", "buffer": MP3}
        home.get_by_label("Grabación", exact=True).set_input_files(recording)
        with page.expect_navigation():
            home.get_by_role("button", name="Guardar").click()
        assert page.get_by_text("La grabación está guardada").is_visible()
        page.screenshot(path=screenshots / f"spoken-help-{width}.png", full_page=False)

        page.goto(live_server + "/taller/inicio")
        page.locator("header summary").click()  # a details element: no script needed
        audio = page.locator("header audio")
        assert audio.is_visible()
        heard = page.request.get(live_server + audio.get_attribute("src"))
        assert heard.status == 200 and heard.headers["content-type"] == "audio/mpeg"
        page.screenshot(path=screenshots / f"workspace-home-listen-{width}.png", full_page=False)
        accessible(page, serious_violations, "home with spoken help")
        page.goto(live_server + "/taller/personas")
        assert page.locator("header audio").count() == 0
    finally:
        context.close()
