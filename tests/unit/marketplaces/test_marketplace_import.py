"""Marketplace sales imported from CSV: checked first, each problem told with its line; a good file becomes paid
orders of the marketplace channel, booked on the day they were sold, the marketplace's real fee on the processor
fees account and the weavers' shares by the piece's split, exactly as any sale; an order is never taken twice."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from factories import make_product, make_weaver

from shop.clock import to_local, utcnow
from shop.i18n import translator
from shop.ledger.balances import balance, weaver_balance
from shop.ledger.models import LedgerTransaction
from shop.marketplaces import imports
from shop.orders.models import Channel, Order, OrderStatus

HEADER = "marketplace,order,sold_on,product,quantity,total_mxn,shipping_mxn,fees_mxn\n"
TODAY = date(2026, 12, 5)


def problems_of(checked) -> list[tuple[int, str]]:
    t = translator("es")
    return [
        (line, t.gettext(message) % params if params else t.gettext(message))
        for line, message, params in checked.problems
    ]


def test_a_good_file_becomes_paid_marketplace_orders_booked_on_their_day(session):
    rosa = make_weaver(session)
    huipil = make_product(session, slug="huipil-nachij", weavers=[(rosa, 10_000)], stock_on_hand=1)
    bolsa = make_product(session, slug="bolsa", kind="series", stock_on_hand=5)
    data = (
        HEADER + "ebay,14-0912-33,2026-07-31,huipil-nachij,1,2150.00,150,284.88\n"
        "Etsy,3301,2026-11-02,bolsa,2,900,0,58.50\n"
    ).encode()
    checked = imports.read(session, data, TODAY)
    assert checked.problems == [] and [r.order for r in checked.rows] == ["14-0912-33", "3301"]
    orders = imports.write(session, checked.rows, actor="Rosa", now=utcnow())
    session.flush()
    ebay = orders[0]
    assert (ebay.channel, ebay.marketplace, ebay.external_ref, ebay.status) == (
        Channel.marketplace,
        "ebay",
        "14-0912-33",
        OrderStatus.delivered,
    )
    assert (ebay.subtotal, ebay.shipping_amount, ebay.total, ebay.amount_paid) == (200_000, 15_000, 215_000, 215_000)
    sale = session.scalar(sa.select(LedgerTransaction).where(LedgerTransaction.order_id == ebay.id))
    assert to_local(sale.created_at).date() == date(2026, 7, 31)  # in July's month, not today's
    # By hand: the piece sold for 2,000 pesos; Rosa's 80% is 1,600; eBay took 284.88; 2,150 - 284.88 to receive.
    assert weaver_balance(session, rosa.id) == 160_000
    assert balance(session, "processor_fees") == 28_488 + 5_850
    assert balance(session, "marketplace_clearing") == (215_000 - 28_488) + (90_000 - 5_850)
    session.refresh(huipil)
    session.refresh(bolsa)
    assert (huipil.stock_on_hand, bolsa.stock_on_hand) == (0, 3)
    again = imports.read(session, data, TODAY)
    assert problems_of(again) == [
        (2, "El pedido 14-0912-33 ya se importó antes."),
        (3, "El pedido 3301 ya se importó antes."),
    ]


def test_each_bad_row_is_told_with_its_line_and_nothing_is_kept(session):
    make_product(session, slug="huipil", stock_on_hand=1)
    make_product(session, slug="faja", kind="series", stock_on_hand=2)
    data = (
        HEADER
        + "amazon,1,2026-07-01,huipil,1,100,0,1\n"  # 2: no such marketplace
        + "ebay,2,31/07/2026,huipil,1,100,0,1\n"  # 3: the date's form
        + "ebay,3,2027-01-01,huipil,1,100,0,1\n"  # 4: in the future
        + "ebay,4,2026-07-01,rebozo,1,100,0,1\n"  # 5: no such piece
        + "ebay,5,2026-07-01,huipil,0,100,0,1\n"  # 6: how many
        + "ebay,6,2026-07-01,huipil,1,-100,0,1\n"  # 7: negative
        + "ebay,7,2026-07-01,huipil,1,100,100,1\n"  # 8: all shipping
        + "ebay,8,2026-07-01,huipil,1,100,0,101\n"  # 9: fees over the total
        + "etsy,9,2026-07-01,faja,2,100,0,1\n"  # 10: good
        + "etsy,9,2026-07-01,faja,1,100,0,1\n"  # 11: the same order again
        + "etsy,10,2026-07-01,faja,1,100,0,1\n"  # 12: more than the two in stock
        + "ebay,11,2026-07-01,huipil,1,100.555,0,1\n"  # 13: centavos
    ).encode()
    checked = imports.read(session, data, TODAY)
    told = problems_of(checked)
    assert [line for line, _ in told] == [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13], told
    assert "ebay o etsy" in told[0][1] and "2026-07-31" in told[1][1] and "futuro" in told[2][1]
    assert "rebozo" in told[3][1] and "1 a 50" in told[4][1] and "menor que cero" in told[5][1]
    assert "envío" in told[6][1] and "comisiones" in told[7][1] and "dos veces" in told[8][1]
    assert "2 en existencia" in told[9][1] and "decimales" in told[10][1]
    assert session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0


def test_files_that_are_not_a_sales_csv_are_refused_clearly(session):
    t = translator("es")
    for data, expected in (
        (b"marketplace,order\nebay,1\n", "necesita las columnas"),
        (HEADER.encode(), "no tiene ventas"),
        (b"\xff\xfe\x00m\x00a", "no es texto UTF-8"),
    ):
        ((_line, message, params),) = imports.read(session, data, TODAY).problems
        assert expected in (t.gettext(message) % params if params else t.gettext(message))
