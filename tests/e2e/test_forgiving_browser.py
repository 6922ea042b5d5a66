"""A workspace that forgives, in a real Chromium with JavaScript off (issue 15): a form that comes back with a
mistake keeps her photos, what matters can be undone or asks first, and "my earnings" says when she is paid."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from factories import fresh, make_user, photo_bytes, place
from playwright.sync_api import expect
from signing_in import sign_in_as
from sqlmodel import select

from shop.accounts.models import Role
from shop.catalogue.models import Product, ProductImage, Weaver
from shop.clock import local_today, utcnow
from shop.i18n import translator
from shop.ledger import payout_batches
from shop.ledger.payout_batches import PayoutLine
from shop.orders.models import Order, OrderStatus
from shop.orders.schemas import OrderItem
from shop.payments import receipt_window
from shop.payments.offline import confirm_offline_payment, sell_in_person
from shop.payments.service import open_payment

es = translator("es")

pytestmark = pytest.mark.browser


@pytest.fixture
def maria(session, shop_data):
    weaver = session.exec(select(Weaver).where(Weaver.slug == "maria-perez")).one()
    make_user(session, roles=[Role.member], username="maria", name="María Pérez", weaver_id=weaver.id)
    session.commit()
    return weaver


def test_a_mistake_keeps_her_photo_until_the_piece_is_saved(
    browser, live_server, session, maria, tmp_path, screenshots
):
    photo = tmp_path / "bolsa.jpg"
    photo.write_bytes(photo_bytes(color=(160, 40, 60)))
    for width in (390, 1280):
        context, page = sign_in_as(browser, live_server, "maria", width=width)
        try:
            page.goto(live_server + "/taller/inventario/nuevo")
            page.locator("#f-photos").set_input_files(str(photo))
            page.get_by_label(es.gettext("Name of the piece"), exact=False).first.fill(f"Bolsa roja {width}")
            page.get_by_label(es.gettext("Category")).select_option(label="Bolsas")
            page.get_by_label(es.gettext("Price in pesos")).fill("12,50")
            with page.expect_navigation():  # the form comes back at the same address: read the one that came back
                page.get_by_role("button", name=es.gettext("Save the piece")).click()

            assert es.gettext("Use a point for the cents, such as 1850.50.") in page.content()
            held = page.locator(".inv-held img")
            assert held.count() == 1
            # Served to her through the workspace (asked with her browser's cookies, not raced against loading).
            picture = page.request.get(live_server + held.get_attribute("src"))
            assert picture.ok and picture.headers["content-type"].startswith("image/")
            page.screenshot(path=screenshots / f"held-photo-after-mistake-{width}.png", full_page=True)

            page.get_by_label(es.gettext("Price in pesos")).fill("1250")
            page.get_by_role("button", name=es.gettext("Save the piece")).click()
            expect(page).to_have_url(re.compile("^" + re.escape(live_server + "/taller/inventario/bolsa-roja")))
        finally:
            context.close()
        fresh(session)
        product = session.exec(select(Product).where(Product.title_es == f"Bolsa roja {width}")).one()
        assert len(session.exec(select(ProductImage).where(ProductImage.product_id == product.id)).all()) == 1


def test_my_earnings_says_when_she_will_be_paid(browser, live_server, session, maria, screenshots):
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    treasurer = make_user(session, roles=[Role.treasurer], username="rosa", name="Rosa Gómez")
    sell_in_person(session, items=[OrderItem(product_id=huipil.id, quantity=1)], actor="test", now=utcnow())
    payout_batches.prepare_batch(
        session, lines=[PayoutLine(maria.id, 100)], by=treasurer, now=utcnow() - timedelta(weeks=1), hold=timedelta(0)
    )
    session.commit()
    for width in (390, 1280):
        context, page = sign_in_as(browser, live_server, "maria", width=width)
        try:
            page.goto(live_server + "/taller/ganancias")
            section = page.get_by_role("region", name=es.gettext("When will I be paid?"))
            assert es.date(local_today(), "full") in section.inner_text()
            page.screenshot(path=screenshots / f"earnings-when-paid-{width}.png", full_page=True)
        finally:
            context.close()


def test_packing_is_undone_and_what_cannot_be_undone_asks_first(
    browser, live_server, engine, session, maria, media_dir, screenshots
):
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    make_user(session, roles=[Role.treasurer], username="rosa", name="Rosa Gómez")
    to_pack = place(session, [(huipil, 1)])
    open_payment(session, to_pack, now=utcnow())
    confirm_offline_payment(session, to_pack, actor="test", reference="", now=utcnow(), base_url=live_server)
    bolsa = session.exec(select(Product).where(Product.slug != "huipil-rombos")).first()
    to_confirm = place(session, [(bolsa, 1)])
    open_payment(session, to_confirm, now=utcnow())
    session.commit()

    context, page = sign_in_as(browser, live_server, "maria", width=390)
    try:
        page.goto(live_server + "/taller/pedidos")
        page.get_by_role("button", name=es.gettext("It is packed")).first.click()
        undo = page.get_by_role("button", name=es.gettext("Undo: not packed yet"))
        undo.wait_for(timeout=10_000)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=screenshots / f"undo-packed-{width}.png", full_page=True)
        undo.click()
        expect(page.locator("body")).to_contain_text(
            es.gettext("Undone: order %(number)s is waiting to be packed again.", number=to_pack.number)
        )
        expect(page.get_by_role("button", name=es.gettext("Undo: not packed yet"))).to_have_count(0)

        page.goto(live_server + "/taller/inventario/huipil-rombos")
        page.get_by_role("link", name=es.gettext("Remove this photo")).first.click()
        expect(page.get_by_role("heading", name=es.gettext("Remove this photo?"))).to_be_visible()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=screenshots / f"remove-photo-confirm-{width}.png", full_page=True)
        with page.expect_navigation():  # the page she leaves has the piece's address in its own
            page.get_by_role("link", name=es.gettext("No, keep it")).click()
        assert page.url.startswith(live_server + "/taller/inventario/huipil-rombos")
    finally:
        context.close()

    context, page = sign_in_as(browser, live_server, "rosa", width=390)
    try:
        page.goto(live_server + "/taller/pagos")
        page.get_by_label(es.gettext("Bank reference (if there is one)")).first.fill("SPEI 778899")
        page.get_by_role(
            "button", name=re.compile(re.escape(es.gettext("Payment received: %(amount)s", amount="")))
        ).first.click()
        page.wait_for_url(re.compile(r"/taller/pagos/[^/]+/revisar$"))  # the question, loaded, before it is read
        expect(page.get_by_role("heading", name=es.gettext("Did the money arrive?"))).to_be_visible()
        assert "SPEI 778899" in page.content()
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=screenshots / f"payment-confirm-{width}.png", full_page=True)
        page.get_by_role("button", name=es.gettext("Yes, the money arrived")).click()
        page.wait_for_url(live_server + "/taller/pagos")
        undo = page.get_by_role("button", name=es.gettext("Undo: the money did not arrive"))
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=screenshots / f"payment-undo-{width}.png", full_page=True)
        with page.expect_navigation():  # the payments page again, at its own address: type into the new one
            undo.click()  # pressed for the wrong order: undone, then recorded again
        page.get_by_label(es.gettext("Bank reference (if there is one)")).first.fill("SPEI 778899")
        page.get_by_role(
            "button", name=re.compile(re.escape(es.gettext("Payment received: %(amount)s", amount="")))
        ).first.click()
        page.get_by_role("button", name=es.gettext("Yes, the money arrived")).click()
        page.wait_for_url(live_server + "/taller/pagos")  # recorded, before the browser is closed
    finally:
        context.close()
    fresh(session)
    assert session.exec(select(Order).where(Order.id == to_confirm.id)).one().status is OrderStatus.pending_payment
    later = utcnow() + receipt_window.UNDO_WINDOW
    assert receipt_window.apply_due(engine, now=later, base_url=live_server) == 1
    fresh(session)
    assert session.exec(select(Order).where(Order.id == to_confirm.id)).one().status is OrderStatus.paid
    assert session.exec(select(Order).where(Order.id == to_pack.id)).one().status is OrderStatus.paid
    assert len(session.exec(select(ProductImage).where(ProductImage.product_id == huipil.id)).all()) >= 1


def test_the_forgiving_screens_have_no_serious_accessibility_problem(
    browser, live_server, session, maria, tmp_path, serious_violations
):
    """Axe needs JavaScript: these run with it on, the screens as the flows above leave them."""
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    make_user(session, roles=[Role.treasurer], username="rosa", name="Rosa Gómez")
    to_pack = place(session, [(huipil, 1)])
    open_payment(session, to_pack, now=utcnow())
    confirm_offline_payment(session, to_pack, actor="test", reference="", now=utcnow(), base_url=live_server)
    bolsa = session.exec(select(Product).where(Product.slug != "huipil-rombos")).first()
    open_payment(session, place(session, [(bolsa, 1)]), now=utcnow())
    session.commit()
    photo = tmp_path / "bolsa.jpg"
    photo.write_bytes(photo_bytes(color=(160, 40, 60)))

    def clean(page, label):
        found = serious_violations(page)
        assert found == [], f"{label}: {found}"

    context, page = sign_in_as(browser, live_server, "maria", width=390, javascript=True)
    try:
        page.goto(live_server + "/taller/pedidos")
        # Axe reads each page as it is: every click is followed by a wait for its page to load.
        with page.expect_navigation():  # the orders again, at the same address
            page.get_by_role("button", name=es.gettext("It is packed")).first.click()
        page.get_by_role("button", name=es.gettext("Undo: not packed yet")).wait_for(timeout=10_000)
        clean(page, "orders with the undo banner")
        page.goto(live_server + "/taller/inventario/huipil-rombos")
        page.get_by_role("link", name=es.gettext("Remove this photo")).first.click()
        page.wait_for_url(re.compile(r"/fotos/\d+/quitar$"))
        clean(page, "remove this photo?")
        page.goto(live_server + "/taller/inventario/nuevo")
        page.locator("#f-photos").set_input_files(str(photo))
        page.get_by_label(es.gettext("Name of the piece"), exact=False).first.fill("Bolsa roja")
        page.get_by_label(es.gettext("Category")).select_option(label="Bolsas")
        page.get_by_label(es.gettext("Price in pesos")).fill("12,50")
        with page.expect_navigation():  # the form again, at the same address
            page.get_by_role("button", name=es.gettext("Save the piece")).click()
        page.locator(".inv-held img").wait_for(timeout=10_000)
        clean(page, "new piece with a held photo")
        page.goto(live_server + "/taller/ganancias")
        clean(page, "my earnings")
    finally:
        context.close()
    context, page = sign_in_as(browser, live_server, "rosa", width=390, javascript=True)
    try:
        page.goto(live_server + "/taller/pagos")
        page.get_by_role(
            "button", name=re.compile(re.escape(es.gettext("Payment received: %(amount)s", amount="")))
        ).first.click()
        page.wait_for_url(re.compile(r"/taller/pagos/[^/]+/revisar$"))
        page.get_by_role("heading", name=es.gettext("Did the money arrive?")).wait_for(timeout=10_000)
        clean(page, "did the money arrive?")
    finally:
        context.close()
