"""Paying a weaver in a real Chromium with JavaScript off: the treasurer prepares a batch, a council member
approves it, the treasurer pays it in cash and prints the receipt; María's balance is then zero and her
statement shows the payout."""

from __future__ import annotations

import re

import pytest
from factories import fresh, make_user, place
from playwright.sync_api import expect
from signing_in import sign_in_as
from sqlmodel import select

from shop.accounts.models import Role
from shop.catalogue.models import Product, Weaver
from shop.clock import to_local, utcnow
from shop.ledger.balances import weaver_balance
from shop.payments.offline import confirm_offline_payment
from shop.payments.service import open_payment

pytestmark = pytest.mark.browser


@pytest.fixture
def cast(session, shop_data):
    """The huipil sold and paid at the cooperative (5,200 pesos for María), a treasurer and a council member."""
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    order = place(session, [(huipil, 1)])
    open_payment(session, order, now=utcnow())
    confirm_offline_payment(session, order, actor="Teresa", reference="", now=utcnow(), base_url="http://testserver")
    maria = session.exec(select(Weaver).where(Weaver.slug == "maria-perez")).one()
    make_user(session, roles=[Role.treasurer], username="teresa", name="Teresa Gómez")
    make_user(session, roles=[Role.council], username="carmen", name="Carmen López")
    make_user(session, roles=[Role.member], username="maria", name="María Pérez", weaver_id=maria.id)
    session.commit()
    return maria


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js-and-axe"])
def test_prepare_approve_pay_in_cash_and_print_the_receipt(
    browser, live_server, session, cast, screenshots, serious_violations, javascript
):
    """With JavaScript off (every step is a plain form); again with it on, to run axe-core on each page."""

    def no_serious_violations(page) -> bool:
        return serious_violations(page) == [] if javascript else True

    maria = cast
    owed = weaver_balance(session, maria.id)
    assert owed == 520_000
    fresh(session)  # end the test's transaction: the server writes next

    treasurer, page = sign_in_as(browser, live_server, "teresa", javascript=javascript)
    try:
        # A click does not wait for the page it leads to: each page is read once it has arrived and loaded.
        page.get_by_role("link", name="Pagos a tejedoras").click()
        page.wait_for_url(live_server + "/taller/pagos-tejedoras")
        assert "María Pérez Hernández" in page.content()
        page.screenshot(path=screenshots / "payouts-owed-1024.png", full_page=True)
        assert no_serious_violations(page)
        page.get_by_role("link", name="Preparar un lote de pagos").click()
        assert page.get_by_label("Cantidad para María Pérez Hernández, en pesos").input_value() == "5200.00"
        page.get_by_label("Cantidad para María Pérez Hernández, en pesos").fill("5300")
        with page.expect_navigation():  # the form comes back at the same address
            page.get_by_role("button", name="Preparar el lote").click()
        assert "se le puede pagar como máximo" in page.content()  # more than she is owed: refused on her line
        page.screenshot(path=screenshots / "payouts-prepare-error-1024.png", full_page=True)
        assert no_serious_violations(page)
        page.get_by_label("Cantidad para María Pérez Hernández, en pesos").fill("5200")
        page.get_by_role("button", name="Preparar el lote").click()
        page.wait_for_url(re.compile("/taller/pagos-tejedoras/lotes/"))  # the batch, before its address is read
        batch_url = page.url
        assert page.get_by_role("button", name="Aprobar este lote").count() == 0  # not by the one who prepared it
    finally:
        treasurer.close()

    council, page = sign_in_as(browser, live_server, "carmen", javascript=javascript)
    try:
        page.goto(batch_url)
        page.screenshot(path=screenshots / "payouts-approve-1024.png", full_page=True)
        assert no_serious_violations(page)
        page.get_by_role("button", name="Aprobar este lote").click()
        expect(page.get_by_role("status")).to_contain_text("está aprobado", use_inner_text=True)
    finally:
        council.close()

    treasurer, page = sign_in_as(browser, live_server, "teresa", javascript=javascript)
    try:
        page.goto(batch_url)
        page.get_by_role("button", name="Le entregué $5,200 MXN en efectivo").click()
        page.wait_for_url(re.compile("/recibo$"))  # the receipt, loaded, before it is read
        receipt = page.locator("article.receipt").inner_text()
        assert "María Pérez Hernández" in receipt
        assert "CINCO MIL DOSCIENTOS PESOS 00/100 M.N." in receipt
        assert "Huipil de rombos" in receipt
        assert "Firma o huella de la tejedora" in receipt and "Testigo" in receipt
        assert page.locator("article.receipt img").count() == 1  # her photo
        page.screenshot(path=screenshots / "payout-receipt-1024.png", full_page=True)
        assert no_serious_violations(page)
        page.emulate_media(media="print")
        page.screenshot(path=screenshots / "payout-receipt-print.png", full_page=True)
        assert not page.locator(".ws-bar").is_visible()  # the printed receipt is only the receipt
        page.pdf(path=str(screenshots / "payout-receipt.pdf"))
        page.emulate_media(media="screen")
        page.goto(batch_url)
        assert "Terminado" in page.content()  # the batch closed with its only payout paid
        page.screenshot(path=screenshots / "payouts-batch-paid-1024.png", full_page=True)
        assert no_serious_violations(page)
        # Her money page: a mistyped CLABE is caught before any SPEI transfer can go to a stranger.
        page.goto(f"{live_server}/taller/tejedoras/{maria.id}/cuenta")
        page.get_by_label("Transferencia SPEI").check()
        page.get_by_label("CLABE (18 dígitos), para SPEI").fill("012 180 0000 0000 0003")
        with page.expect_navigation():  # her page comes back at the same address
            page.get_by_role("button", name="Guardar").click()
        assert "error de captura" in page.content()
        page.screenshot(path=screenshots / "weaver-account-clabe-error-1024.png", full_page=True)
        assert no_serious_violations(page)
        page.get_by_label("CLABE (18 dígitos), para SPEI").fill("012 180 0000 0000 0002")
        with page.expect_navigation():  # again at the same address: its history is read next
            page.get_by_role("button", name="Guardar").click()
        assert "BBVA MEXICO" in page.content()
        # The change stays on her page: who made it and the account before and after, masked.
        change = page.locator(".clabe-history li").last.inner_text()
        assert "Cuenta bancaria cambiada el" in change and "por Teresa Gómez" in change and "0002" in change
        page.screenshot(path=screenshots / "weaver-account-clabe-changed-1024.png", full_page=True)
    finally:
        treasurer.close()

    fresh(session)
    assert weaver_balance(session, maria.id) == 0
    fresh(session)

    council, page = sign_in_as(browser, live_server, "carmen", javascript=javascript)
    try:
        page.get_by_role("link", name="Contabilidad").click()
        page.wait_for_url(live_server + "/taller/contabilidad")
        assert "El libro cuadra" in page.content()
        page.screenshot(path=screenshots / "accounting-1024.png", full_page=True)
        assert no_serious_violations(page)
        page.goto(f"{live_server}/taller/tejedoras/{maria.id}/cuenta")
        assert "Pagado" in page.content()
        page.screenshot(path=screenshots / "weaver-account-1024.png", full_page=True)
        assert no_serious_violations(page)
    finally:
        council.close()

    weaver, page = sign_in_as(browser, live_server, "maria", width=390, javascript=javascript)
    try:
        month = to_local(utcnow()).strftime("%Y-%m")
        page.goto(f"{live_server}/taller/ganancias?mes={month}")
        statement = page.locator("section.statement").inner_text()
        assert "Pagado a ti" in statement and "Huipil de rombos" in statement
        assert "$0 MXN" in page.locator(".owed-amount").inner_text()
        page.screenshot(path=screenshots / "earnings-statement-390.png", full_page=True)
        assert no_serious_violations(page)
        if javascript:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        weaver.close()
