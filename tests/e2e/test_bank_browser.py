"""Reconciling the bank in a real Chromium with JavaScript off: the treasurer imports her bank's CSV export (a
BBVA-like file in Windows-1252 with Cargo and Abono columns), checks the columns on the preview, imports it, and
confirms the suggested match; the money moves from "to reconcile" to the bank. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re

import pytest
from factories import fresh, make_user, place
from playwright.sync_api import expect
from signing_in import sign_in_as
from sqlmodel import select

from shop.accounts.models import Role
from shop.catalogue.models import Product
from shop.clock import to_local, utcnow
from shop.ledger.balances import balance
from shop.ledger.models import BankMatch
from shop.payments.offline import confirm_offline_payment
from shop.payments.service import open_payment

pytestmark = pytest.mark.browser


@pytest.fixture
def cast(session, shop_data, tmp_path):
    """Two transfers confirmed (the huipil's, and the bag's), Teresa the treasurer, and the bank's file."""
    orders = []
    for slug, reference in (("huipil-rombos", "SPEI 7788123"), ("morral-lana", "")):
        product = session.exec(select(Product).where(Product.slug == slug)).one()
        order = place(session, [(product, 1)])
        open_payment(session, order, now=utcnow())
        confirm_offline_payment(
            session, order, actor="Teresa", reference=reference, now=utcnow(), base_url="http://testserver"
        )
        orders.append(order)
    make_user(session, roles=[Role.treasurer], username="teresa", name="Teresa Gómez")
    session.commit()
    huipil, bag = orders
    today = to_local(utcnow()).strftime("%d/%m/%Y")
    statement = tmp_path / "movimientos-bbva.csv"
    statement.write_bytes(
        (
            "Día,Concepto / Referencia,Cargo,Abono,Saldo\r\n"
            f'{today},"SPEI RECIBIDO BANORTE {huipil.number} ANA LOPEZ",,"{huipil.amount_due_now / 100:,.2f}",'
            '"20,150.00"\r\n'
            f'{today},COMISIÓN MANEJO DE CUENTA,"150.00",,"20,000.00"\r\n'
            f'{today},DEPOSITO EN EFECTIVO,,"{bag.amount_due_now / 100:,.2f}","21,000.00"\r\n'
        ).encode("cp1252")
    )
    return {"huipil": huipil, "bag": bag, "file": statement}


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js-and-axe"])
def test_import_a_statement_and_confirm_the_suggested_match(
    request, browser, live_server, session, cast, screenshots, javascript
):
    """With JavaScript off (every step is a plain form); again with it on, to run axe-core on each page."""
    serious_violations = request.getfixturevalue("serious_violations") if javascript else None

    def no_serious_violations(page) -> bool:
        return serious_violations(page) == [] if javascript else True

    huipil = cast["huipil"]
    assert balance(session, "pending_offline") == huipil.amount_due_now + cast["bag"].amount_due_now
    fresh(session)  # the server writes next
    suffix = "" if not javascript else "-js"

    context, page = sign_in_as(browser, live_server, "teresa", width=1280, javascript=javascript)
    try:
        page.get_by_role("link", name="Banco").click()
        page.get_by_role("link", name="Importar un estado de cuenta").click()
        page.get_by_label("Nombre del banco").fill("BBVA")
        page.get_by_label("El archivo del estado de cuenta (CSV)").set_input_files(cast["file"])
        page.screenshot(path=screenshots / f"bank-upload-1280{suffix}.png", full_page=True)
        assert no_serious_violations(page)
        page.get_by_role("button", name="Leer el archivo").click()
        page.wait_for_url(re.compile("/taller/banco/importar/"))  # the preview, loaded, before it is read
        assert page.get_by_label("Abonos (depósitos)").input_value() == "Abono"
        assert page.get_by_label("Cargos (retiros)").input_value() == "Cargo"
        assert "COMISIÓN MANEJO DE CUENTA" in page.content()
        page.screenshot(path=screenshots / f"bank-preview-1280{suffix}.png", full_page=True)
        assert no_serious_violations(page)
        preview_url = page.url
        page.get_by_role("button", name="Importar 3 movimientos nuevos").click()
        page.wait_for_url(re.compile("/taller/banco/conciliar$"))  # the matching screen, loaded
        assert "Importado: 3 movimientos nuevos" in page.get_by_role("status").inner_text()
        card = page.locator("li.bank-line", has_text=huipil.number)
        assert card.get_by_role("radio", name=huipil.number).is_checked()  # the suggestion, checked for her
        page.screenshot(path=screenshots / f"bank-match-1280{suffix}.png", full_page=True)
        assert no_serious_violations(page)
        card.get_by_role("button", name="Confirmar").click()
        expect(page.get_by_role("status")).to_contain_text(
            f"la línea del banco es {huipil.number}", use_inner_text=True
        )
        page.get_by_role("link", name="Volver al banco").click()
        page.wait_for_url(re.compile(r"/taller/banco$"))  # the page's text only once the bank's page is in
        assert "COMISIÓN MANEJO DE CUENTA" in page.content()  # the bank fee stays unmatched
        page.screenshot(path=screenshots / f"bank-overview-1280{suffix}.png", full_page=True)
        assert no_serious_violations(page)
    finally:
        context.close()

    fresh(session)
    match = session.exec(select(BankMatch)).one()
    assert match.payment_id is not None and match.suggested
    assert balance(session, "bank") == huipil.amount_due_now
    assert balance(session, "pending_offline") == cast["bag"].amount_due_now
    fresh(session)

    # The same screens on a phone: the file again (nothing new), the matching screen and the bank.
    context, page = sign_in_as(browser, live_server, "teresa", width=390, javascript=javascript)
    try:
        page.goto(live_server + "/taller/banco/importar")
        page.get_by_label("BBVA").check()
        page.get_by_label("El archivo del estado de cuenta (CSV)").set_input_files(cast["file"])
        with page.expect_navigation():  # the page she is on is not the preview either: wait for the next one
            page.get_by_role("button", name="Leer el archivo").click()
        assert page.url != preview_url and "ya se importó" in page.content()
        page.screenshot(path=screenshots / f"bank-preview-390{suffix}.png", full_page=True)
        page.goto(live_server + "/taller/banco/conciliar")
        page.screenshot(path=screenshots / f"bank-match-390{suffix}.png", full_page=True)
        assert no_serious_violations(page)
        page.goto(live_server + "/taller/banco")
        page.screenshot(path=screenshots / f"bank-overview-390{suffix}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth") if javascript else 390
        assert width <= 390  # nothing wider than the phone but the tables, which scroll on their own
    finally:
        context.close()
