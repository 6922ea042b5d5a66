"""A member at the market, in a real Chromium with JavaScript off, tries to record the sale of a piece an
online buyer is paying for: her inventory says the piece is held, and the sale is refused with the order,
the buyer and the hour the hold ends. Nothing is sold, and the piece is still on the shelf."""

from __future__ import annotations

import pytest
from factories import fresh, make_user, place
from sqlmodel import func, select

from shop.accounts.models import Role
from shop.catalogue.models import Product, StockMovement, Weaver
from shop.clock import to_local
from shop.orders.models import Order

pytestmark = pytest.mark.browser
PASSWORD = "a long password 1"


@pytest.fixture
def held(session, shop_data):
    """María's huipil, held for three days for Ana's bank-transfer order; María can sign in."""
    huipil = session.exec(select(Product).where(Product.slug == "huipil-rombos")).one()
    order = place(session, [(huipil, 1)], minutes=72 * 60, name="Ana López")
    maria = session.exec(select(Weaver).where(Weaver.slug == "maria-perez")).one()
    make_user(session, roles=[Role.member], username="maria", name="María Pérez", weaver_id=maria.id)
    session.commit()
    return order


@pytest.mark.parametrize("width", [1024, 390])
def test_a_member_cannot_sell_at_the_market_a_piece_held_online(
    browser, live_server, session, held, screenshots, width
):
    until = to_local(held.reserved_until).strftime("%d/%m/%Y %H:%M")
    fresh(session)
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(live_server + "/taller")
        page.get_by_label("Correo o usuario").fill("maria")
        page.get_by_label("Contraseña").fill(PASSWORD)
        page.get_by_role("button", name="Entrar").click()
        page.wait_for_url(live_server + "/taller/inicio")  # signed in before the inventory is asked for
        page.goto(live_server + "/taller/inventario")
        listed = page.locator(".inv-list li", has_text="Huipil de rombos")
        assert "Apartada para un pedido en internet" in listed.inner_text()
        assert held.number in listed.inner_text()
        listed.get_by_role("link").click()
        page.wait_for_url(live_server + "/taller/inventario/huipil-rombos")  # the piece's page, loaded

        notice = page.locator(".inv-hold")
        assert "Ana López" in notice.inner_text() and held.number in notice.inner_text()
        page.get_by_label("Se vendió en persona").check()
        page.get_by_label("¿Cuántas piezas?").fill("1")
        page.get_by_label("Nota (opcional)").fill("Feria del domingo")
        page.get_by_role("button", name="Guardar el cambio").click()
        page.wait_for_url(live_server + "/taller/inventario/huipil-rombos/existencias")  # the refusal, loaded

        refused = page.locator("#e-quantity")
        message = refused.inner_text()
        assert held.number in message and "Ana López" in message and until in message
        assert "apartada" in message
        page.screenshot(path=screenshots / f"held-piece-refused-{width}.png", full_page=True)
    finally:
        context.close()
    fresh(session)
    assert session.exec(select(Product.stock_on_hand).where(Product.slug == "huipil-rombos")).one() == 1
    assert session.exec(select(func.count()).select_from(StockMovement)).one() == 0
    assert session.exec(select(func.count()).select_from(Order)).one() == 1  # only Ana's order
