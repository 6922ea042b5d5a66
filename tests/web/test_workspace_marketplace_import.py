"""The marketplace import screen: the treasurer checks a file, sees each sale it would record (or each problem
with its line, and nothing recorded), confirms, and the sales are recorded once; other people may not."""

from __future__ import annotations

import sqlalchemy as sa
from factories import fresh, make_product, make_weaver
from workspace_helpers import csrf_of, person, post, signed_in

from shop.accounts.models import Role
from shop.ledger.balances import weaver_balance
from shop.orders.models import Channel, Order

PAGE = "/taller/mercados"
GOOD = (
    "marketplace,order,sold_on,product,quantity,total_mxn,shipping_mxn,fees_mxn\n"
    "etsy,3301245567,2026-11-02,bolsa-de-lana,2,900.00,0,58.50\n"
)


def upload(browser, data: bytes):
    token = csrf_of(browser.get(PAGE).text)
    return browser.post(
        f"{PAGE}/revisar",
        data={"csrf_token": token},
        files={"file": ("ventas.csv", data, "text/csv")},
        follow_redirects=False,
    )


def test_the_treasurer_checks_then_records_the_sales_once(app, session):
    rosa = make_weaver(session)
    make_product(session, slug="bolsa-de-lana", kind="series", stock_on_hand=3, weavers=[(rosa, 10_000)])
    session.commit()
    person(session, "tere", Role.treasurer)
    tere = signed_in(app, "tere")
    checked = upload(tere, GOOD.encode())
    assert checked.status_code == 200 and "1 venta por registrar" in checked.text and "3301245567" in checked.text
    content = GOOD.replace("\n", "\r\n")  # as a browser sends a textarea back
    token = csrf_of(checked.text)
    assert tere.post(f"{PAGE}/importar", data={"content": content}, follow_redirects=False).status_code == 403
    recorded = tere.post(f"{PAGE}/importar", data={"content": content, "csrf_token": token}, follow_redirects=False)
    assert recorded.status_code == 303
    page = tere.get(PAGE).text
    assert "Ventas de mercados registradas: 1" in page and "3301245567" in page
    again = tere.post(f"{PAGE}/importar", data={"content": content, "csrf_token": token}, follow_redirects=False)
    assert again.status_code == 422 and "ya se importó antes" in again.text
    fresh(session)
    (order,) = session.scalars(sa.select(Order)).all()
    assert (order.channel, order.marketplace, order.external_ref) == (Channel.marketplace, "etsy", "3301245567")
    assert weaver_balance(session, rosa.id) == 72_000  # 80% of 900 pesos
    assert tere.get(f"{PAGE}/plantilla.csv").text.startswith("\ufeffmarketplace,order,sold_on")


def test_a_file_with_a_bad_line_records_nothing_and_says_which(app, session):
    make_product(session, slug="bolsa-de-lana", kind="series", stock_on_hand=3)
    session.commit()
    person(session, "tere", Role.treasurer)
    tere = signed_in(app, "tere")
    bad = GOOD + "ebay,1,2026-11-03,rebozo,1,100,0,1\n"
    answer = upload(tere, bad.encode())
    assert answer.status_code == 422 and "Línea 3" in answer.text and "rebozo" in answer.text
    assert "Registrar estas ventas" not in answer.text
    assert upload(tere, b"\xff\xfe\x00x").status_code == 422
    assert upload(tere, b"x" * (512 * 1024 + 10)).status_code == 413
    no_file = post(tere, f"{PAGE}/revisar", {}, form_page=PAGE)
    assert no_file.status_code == 422 and "Elija el archivo CSV" in no_file.text
    forged = post(tere, f"{PAGE}/importar", {"content": bad}, form_page=PAGE)
    assert forged.status_code == 422
    fresh(session)
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_only_the_treasurer_the_council_and_the_admin_import(app, session):
    person(session, "lucia", Role.partner_staff)
    person(session, "xunka", Role.member, weaver=make_weaver(session))
    for name in ("lucia", "xunka"):
        browser = signed_in(app, name)
        assert browser.get(PAGE).status_code == 403
        token = csrf_of(browser.get("/taller/inicio").text)
        sent = browser.post(
            f"{PAGE}/revisar", data={"csrf_token": token}, files={"file": ("v.csv", GOOD.encode(), "text/csv")}
        )
        assert sent.status_code == 403
    person(session, "carmen", Role.council)
    assert signed_in(app, "carmen").get(PAGE).status_code == 200
