"""A workspace that forgives, in a real Chromium with JavaScript off (issue 15): a form that comes back with a
mistake keeps her photos, what matters can be undone or asks first, and "my earnings" says when she is paid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import fresh, make_user, photo_bytes
from signing_in import sign_in_as
from sqlmodel import select

from shop.accounts.models import Role
from shop.catalogue.models import Product, ProductImage, Weaver
from shop.clock import local_today, utcnow
from shop.i18n import translator
from shop.ledger import payout_batches
from shop.ledger.payout_batches import PayoutLine
from shop.orders.schemas import OrderItem
from shop.payments.offline import sell_in_person

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
            page.get_by_role("button", name=es.gettext("Save the piece")).click()

            assert es.gettext("Use a point for the cents, such as 1850.50.") in page.content()
            held = page.locator(".inv-held img")
            assert held.count() == 1
            assert held.evaluate("img => img.naturalWidth") > 0  # served to her through the workspace
            page.screenshot(path=screenshots / f"held-photo-after-mistake-{width}.png", full_page=True)

            page.get_by_label(es.gettext("Price in pesos")).fill("1250")
            page.get_by_role("button", name=es.gettext("Save the piece")).click()
            assert page.url.startswith(live_server + "/taller/inventario/bolsa-roja")
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
