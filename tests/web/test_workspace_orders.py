"""The workspace's order screens: the packing queue, packing slips, offline payments, refunds, and selling
in person, through the pages a member or the treasurer uses (plain forms, no JavaScript)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from factories import checkout_body, deliver, fresh, make_product, make_weaver, place
from order_screens import order_of, paid_offline, pieces, treasurer, unpaid, weavers  # noqa: F401  (fixtures)
from sqlalchemy import func, select
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.catalogue.models import Product, ProductStatus
from shop.clock import utcnow
from shop.i18n import translator
from shop.ledger.balances import balance
from shop.orders.models import Channel, Order, OrderStatus
from shop.payments import receipt_window
from shop.payments.models import Payment, Refund

es = translator("es")
CSS = Path(__file__).resolve().parents[2] / "static/css/workspace.css"


# Offline payments -----------------------------------------------------------------------------------


def test_the_treasurer_confirms_an_offline_payment_and_the_order_goes_to_packing(
    app, client, engine, session, pieces, treasurer
):
    order = unpaid(session, [pieces["huipil"]])
    page = treasurer.get("/taller/pagos")
    assert page.status_code == 200
    assert order.number in page.text and es.money(order.amount_due_now, "MXN") in page.text
    assert order.number not in treasurer.get("/taller/pedidos").text

    response = post(treasurer, f"/taller/pagos/{order.number}", {"reference": "SPEI 778899"}, form_page="/taller/pagos")
    assert (response.status_code, response.headers.get("location")) == (303, "/taller/pagos"), response.text
    # It waits out its undo window: nothing booked, nothing in the packing queue, the buyer not told yet.
    assert order_of(session, order.number).status is OrderStatus.pending_payment
    waiting = treasurer.get("/taller/pagos").text
    assert f'action="/taller/pagos/{order.number}/deshacer"' in waiting
    assert f'action="/taller/pagos/{order.number}/revisar"' not in waiting
    assert post(treasurer, f"/taller/pagos/{order.number}", form_page="/taller/pagos").status_code == 409
    assert order.number not in treasurer.get("/taller/pedidos").text
    assert receipt_window.apply_due(engine, now=utcnow() + timedelta(minutes=6), base_url="http://testserver") == 1
    paid = order_of(session, order.number)
    assert paid.status is OrderStatus.paid and paid.amount_paid == order.amount_due_now
    payment = session.scalar(select(Payment).where(Payment.order_id == order.id))
    assert (payment.reference, payment.confirmed_by) == ("SPEI 778899", "Rosa Gómez")
    assert balance(session, "pending_offline") == order.amount_due_now
    assert f'action="/taller/pagos/{order.number}"' not in treasurer.get("/taller/pagos").text
    queue = treasurer.get("/taller/pedidos")
    assert order.number in queue.text and "Huipil de rombos" in queue.text and "Ana López" in queue.text
    home = treasurer.get("/taller/inicio").text
    to_pack = es.ngettext("order to pack", "orders to pack", 1)
    assert re.search(rf"<strong>1</strong>\s*{re.escape(to_pack)}", home), "home counts the order to pack"
    assert es.ngettext("payment to confirm", "payments to confirm", 1) not in home

    again = post(treasurer, f"/taller/pagos/{order.number}", form_page="/taller/pagos")
    assert again.status_code == 409
    assert es.gettext("Order %(number)s is not waiting for a payment.", number=order.number) in again.text
    undo = post(treasurer, f"/taller/pagos/{order.number}/deshacer", form_page="/taller/pagos")
    assert undo.status_code == 409 and "ya no se puede deshacer" in undo.text


def test_a_payment_recorded_by_mistake_is_undone_inside_its_window(app, engine, session, pieces, treasurer):
    order = unpaid(session, [pieces["huipil"]])
    assert (
        post(treasurer, f"/taller/pagos/{order.number}", {"reference": "x"}, form_page="/taller/pagos").status_code
        == 303
    )
    undo = post(treasurer, f"/taller/pagos/{order.number}/deshacer", form_page="/taller/pagos")
    assert undo.status_code == 303
    page = treasurer.get("/taller/pagos").text
    assert f'action="/taller/pagos/{order.number}/revisar"' in page and "deshacer" not in page.split("<main", 1)[1]
    assert receipt_window.apply_due(engine, now=utcnow() + timedelta(minutes=6), base_url="http://testserver") == 0
    assert order_of(session, order.number).status is OrderStatus.pending_payment
    again = post(treasurer, f"/taller/pagos/{order.number}/deshacer", form_page="/taller/pagos")
    assert again.status_code == 409


def test_payments_are_for_the_treasurer_only(app, client, session, pieces, weavers):
    order = unpaid(session, [pieces["huipil"]])
    anonymous = client.get("/taller/pagos", follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/taller")
    person(session, "maria", Role.member, weaver=weavers["maria"])
    member = signed_in(app, "maria")
    assert member.get("/taller/pagos").status_code == 403
    assert post(member, f"/taller/pagos/{order.number}").status_code == 403
    assert order_of(session, order.number).status is OrderStatus.pending_payment


def test_cancelling_an_unpaid_order_frees_its_pieces(app, session, pieces, treasurer):
    order = unpaid(session, [pieces["huipil"]])
    response = post(treasurer, f"/taller/pagos/{order.number}/cancelar", {"note": "No contestó"})
    assert response.status_code == 303
    assert order_of(session, order.number).status is OrderStatus.cancelled
    again = place(session, [(pieces["huipil"], 1)])  # the piece can be ordered again
    assert again.status is OrderStatus.pending_payment
    session.rollback()
    twice = post(treasurer, f"/taller/pagos/{order.number}/cancelar")
    assert twice.status_code == 409


# The packing queue ----------------------------------------------------------------------------------


def test_a_member_sees_packs_and_ships_only_orders_with_her_pieces(app, session, pieces, weavers):
    hers = paid_offline(session, [pieces["huipil"]])
    other = paid_offline(session, [pieces["faja"]])
    person(session, "maria", Role.member, weaver=weavers["maria"], name="María Pérez")
    maria = signed_in(app, "maria")

    queue = maria.get("/taller/pedidos")
    assert queue.status_code == 200
    assert hers.number in queue.text and other.number not in queue.text
    assert maria.get(f"/taller/pedidos/{other.number}").status_code == 404
    assert maria.get(f"/taller/pedidos/{other.number}/hoja").status_code == 404
    assert post(maria, f"/taller/pedidos/{other.number}/empacado").status_code == 404
    assert order_of(session, other.number).status is OrderStatus.paid

    packed = post(maria, f"/taller/pedidos/{hers.number}/empacado", {"back": "queue"})
    assert (packed.status_code, packed.headers["location"]) == (303, "/taller/pedidos")
    assert order_of(session, hers.number).status is OrderStatus.packed
    assert post(maria, f"/taller/pedidos/{hers.number}/empacado").status_code == 303  # a second click is harmless

    missing = post(maria, f"/taller/pedidos/{hers.number}/enviado", {"carrier": " ", "tracking_number": "EST123"})
    assert missing.status_code == 422
    assert es.gettext("Write the name of the courier.") in missing.text
    assert 'value="EST123"' in missing.text
    both = post(maria, f"/taller/pedidos/{hers.number}/enviado", {"back": "order"})
    assert both.status_code == 422
    assert es.gettext("Write the name of the courier.") in both.text
    assert es.gettext("Write the tracking number.") in both.text
    assert order_of(session, hers.number).status is OrderStatus.packed

    shipped = post(
        maria, f"/taller/pedidos/{hers.number}/enviado", {"carrier": "Estafeta", "tracking_number": "EST123"}
    )
    assert shipped.status_code == 303
    order = order_of(session, hers.number)
    assert (order.status, order.carrier, order.tracking_number) == (OrderStatus.shipped, "Estafeta", "EST123")
    assert "EST123" in maria.get("/taller/pedidos").text  # recently sent
    assert post(maria, f"/taller/pedidos/{hers.number}/entregado").status_code == 303
    assert order_of(session, hers.number).status is OrderStatus.delivered
    history = maria.get(f"/taller/pedidos/{hers.number}")
    assert history.text.count("María Pérez") >= 3  # packed, shipped, delivered: who did each


def test_orders_are_shown_to_the_treasurer_in_full_and_not_to_partner_staff(app, session, pieces, treasurer):
    first = paid_offline(session, [pieces["huipil"]])
    second = paid_offline(session, [pieces["faja"]])
    queue = treasurer.get("/taller/pedidos").text
    assert queue.index(first.number) < queue.index(second.number)  # oldest first
    person(session, "ngo", Role.partner_staff)
    assert signed_in(app, "ngo").get("/taller/pedidos").status_code == 403


def test_packing_slip_and_receipt_are_printable(app, session, pieces, weavers, treasurer):
    order = paid_offline(session, [pieces["huipil"], pieces["faja"]])
    slip = treasurer.get(f"/taller/pedidos/{order.number}/hoja")
    assert slip.status_code == 200
    for text in (order.number, "Calle Real de Guadalupe 12", "29200", "San Cristóbal de las Casas", "Ana López"):
        assert text in slip.text
    assert "Huipil de rombos" in slip.text and "María Pérez" in slip.text and "Juana Díaz" in slip.text
    assert "MÉXICO" in slip.text
    assert es.gettext("Printed on %(date)s", date="").strip() in slip.text
    thanks = "Thank you for supporting the weavers of J'pas Joloviletik. Every piece carries many hours of work."
    assert es.gettext(thanks).replace("'", "&#39;") in slip.text
    assert "javascript:" not in slip.text and "onclick" not in slip.text
    assert "/static/css/workspace.css" in slip.text
    css = CSS.read_text()
    assert "@media print" in css and ".print-help" in css and ".address-big" in css


# Refunds --------------------------------------------------------------------------------------------


def test_partial_cash_refund_with_a_piece_back_in_stock(app, session, pieces, treasurer):
    order = paid_offline(session, [pieces["huipil"], pieces["faja"]])
    faja_line = next(line for line in order_of(session, order.number).lines if line.product_slug == "faja")
    form = treasurer.get(f"/taller/pedidos/{order.number}/reembolso")
    assert form.status_code == 200
    assert 'value="stripe"' not in form.text  # paid by transfer: only cash is offered
    paid = order_of(session, order.number).amount_paid

    too_much = post(
        treasurer,
        f"/taller/pedidos/{order.number}/reembolso",
        {"amount": f"{paid / 100 + 1:.2f}", "via": "cash", "reason": "Error"},
    )
    assert too_much.status_code == 422
    assert es.gettext("You can give back at most %(amount)s on this order.", amount=f"{paid / 100:.2f}") in (
        too_much.text
    )
    assert "Error" in too_much.text  # the reason typed is kept
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Refund)) == 0

    response = post(
        treasurer,
        f"/taller/pedidos/{order.number}/reembolso",
        {"amount": "350", "via": "cash", "reason": "La faja no le quedó", "restock": str(faja_line.id)},
    )
    assert (response.status_code, response.headers["location"]) == (303, f"/taller/pedidos/{order.number}")
    after = order_of(session, order.number)
    assert (after.status, after.amount_refunded) == (OrderStatus.partially_refunded, 35_000)
    assert balance(session, "cash") == -35_000
    faja = session.get(Product, pieces["faja"].id, populate_existing=True)
    assert faja.stock_on_hand == 3  # two left after the sale, and the one sent back
    page = treasurer.get(f"/taller/pedidos/{order.number}")
    assert "La faja no le quedó" in page.text
    # What was not refunded still has to travel: the order is still in the packing queue.
    assert order.number in treasurer.get("/taller/pedidos").text
    assert post(treasurer, f"/taller/pedidos/{order.number}/empacado").status_code == 303
    assert order_of(session, order.number).status is OrderStatus.packed


NOT_VALID = "Algo en la solicitud no es válido."  # a form no page of ours sends, refused as a whole


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"amount": "abc", "via": "cash", "reason": "x"}, 422, "Escribe una cantidad, como 1850 o 1850.50."),
        ({"amount": "-5", "via": "cash", "reason": "x"}, 422, "La cantidad no puede ser menor que cero."),
        ({"amount": "0", "via": "cash", "reason": "x"}, 422, "Escribe cuánto dinero se devuelve."),
        ({"amount": "1e999", "via": "cash", "reason": "x"}, 422, "La cantidad es demasiado grande."),
        ({"amount": "10.555", "via": "cash", "reason": "x"}, 422, "Usa como máximo 2 decimales."),
        ({"amount": "", "via": "cash", "reason": "x"}, 422, "Escribe cuánto dinero se devuelve."),
        ({"amount": "10", "via": "cash", "reason": " "}, 422, "Escribe por qué se devuelve el dinero."),
        ({"amount": "10", "via": "gold", "reason": "x"}, 422, "Devuelve el dinero por Stripe o en efectivo."),
        (
            {"amount": "10", "via": "stripe", "reason": "x"},
            422,
            "Stripe no está configurado; devuelve el dinero en efectivo.",
        ),
        (
            {"amount": "10", "via": "cash", "reason": "x", "restock": "999999"},
            422,
            "Esa línea no es parte de este pedido.",
        ),
        (
            {"amount": "10", "via": "cash", "reason": "x", "restock_many": "1:99"},
            422,
            "Solo puedes regresar a la tienda hasta la cantidad que se vendió.",
        ),
        (
            {"amount": "10", "via": "cash", "reason": "x", "restock_many": "zz"},
            422,
            "Esa línea no es parte de este pedido.",
        ),
        ({"amount": "10", "via": "cash", "reason": "x" * 600}, 400, NOT_VALID),
    ],
)
def test_bad_refunds_are_refused_with_a_message_and_change_nothing(
    app, session, pieces, treasurer, data, status, message
):
    order = paid_offline(session, [pieces["huipil"]])
    response = post(treasurer, f"/taller/pedidos/{order.number}/reembolso", data)
    assert response.status_code == status, response.text
    assert message in response.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Refund)) == 0
    assert order_of(session, order.number).amount_refunded == 0


def test_refunds_are_for_the_treasurer_and_only_of_paid_orders(app, session, pieces, weavers, treasurer):
    waiting = unpaid(session, [pieces["huipil"]])
    form = treasurer.get(f"/taller/pedidos/{waiting.number}/reembolso")
    assert form.status_code == 200 and 'name="amount"' not in form.text
    refused = post(
        treasurer, f"/taller/pedidos/{waiting.number}/reembolso", {"amount": "1", "via": "cash", "reason": "x"}
    )
    assert refused.status_code == 409
    assert treasurer.get("/taller/pedidos/JJ-999999/reembolso").status_code == 404
    person(session, "maria", Role.member, weaver=weavers["maria"])
    maria = signed_in(app, "maria")
    assert maria.get(f"/taller/pedidos/{waiting.number}/reembolso").status_code == 403


def test_a_stripe_refund_from_the_workspace(shop, fake_stripe, session, stripe_app):
    maria = make_weaver(session, slug="maria-perez", name="María")
    make_product(session, slug="huipil", weavers=[(maria, 10_000)], price_amount=185_000, title_es="Huipil")
    session.commit()
    response = shop.post("/api/v1/checkout", json=checkout_body("huipil"))
    assert response.status_code == 201, response.text
    number = response.json()["order"]["number"]
    session_id = response.json()["payment_url"].rsplit("/", 1)[-1]
    assert deliver(shop, fake_stripe, fake_stripe.complete_session(session_id)).json()["outcome"] == "paid"

    signed_in(stripe_app, "rosa", shop)  # the shop fixture's treasurer
    form = shop.get(f"/taller/pedidos/{number}/reembolso")
    paid = order_of(session, number).amount_paid
    pesos = f"{paid // 100}.{paid % 100:02d}"
    assert 'value="stripe" checked' in form.text and f'value="{pesos}"' in form.text
    done = post(shop, f"/taller/pedidos/{number}/reembolso", {"amount": pesos, "via": "stripe", "reason": "Perdido"})
    assert (done.status_code, done.headers["location"]) == (303, f"/taller/pedidos/{number}")
    order = order_of(session, number)
    assert (order.status, order.amount_refunded) == (OrderStatus.refunded, paid)
    asked = [r for r in fake_stripe.requests if r.method == "POST" and r.path == "/v1/refunds"]
    assert len(asked) == 1 and asked[0].params["amount"] == str(paid)
    assert 'name="amount"' not in shop.get(f"/taller/pedidos/{number}/reembolso").text  # nothing left


# Selling in person ----------------------------------------------------------------------------------


@pytest.fixture
def seller(app, session):
    person(session, "lucia", Role.council, name="Lucía Méndez")
    return signed_in(app, "lucia")


def test_an_in_person_sale_of_two_pieces(app, session, pieces, seller):
    huipil, faja = pieces["huipil"], pieces["faja"]
    screen = seller.get("/taller/venta")
    assert screen.status_code == 200
    assert f'id="pick-{huipil.id}"' in screen.text and f'id="pick-{faja.id}"' in screen.text

    step = post(seller, "/taller/venta", {"add": str(huipil.id)}, form_page="/taller/venta")
    assert step.status_code == 200 and es.money(185_000, "MXN") in step.text
    step = post(seller, "/taller/venta", {"pid": [str(huipil.id)], "qty": ["1"], "add": str(faja.id)})
    total = 185_000 + 35_000
    assert es.money(total, "MXN") in step.text and 'name="expected_total" value="220000"' in step.text

    stale = post(
        seller,
        "/taller/venta",
        {"pid": [str(huipil.id), str(faja.id)], "qty": ["1", "2"], "action": "sell", "expected_total": "220000"},
    )
    assert stale.status_code == 422  # the seller has not seen the new total yet
    assert es.money(255_000, "MXN") in stale.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order)) == 0

    form = {
        "pid": [str(huipil.id), str(faja.id)],
        "qty": ["1", "1"],
        "action": "sell",
        "expected_total": str(total),
        "name": "Doña Carmen",
    }
    sold = post(seller, "/taller/venta", form)
    assert sold.status_code == 303
    receipt_url = sold.headers["location"]
    twice = post(seller, "/taller/venta", form)  # "Cash received" clicked twice: one sale
    assert (twice.status_code, twice.headers["location"]) == (303, receipt_url)
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order)) == 1
    assert re.fullmatch(r"/taller/venta/JJ-\d{6}/recibo", receipt_url)
    receipt = seller.get(receipt_url)
    assert receipt.status_code == 200
    for text in ("Huipil de rombos", "Faja roja", "María Pérez", "Juana Díaz", "Lucía Méndez", "Doña Carmen"):
        assert text in receipt.text
    assert es.money(total, "MXN") in receipt.text
    assert es.gettext("Paid in cash") in receipt.text
    assert "J&#39;pas Joloviletik" in receipt.text
    fresh(session)
    assert balance(session, "cash") == total
    after = seller.get("/taller/venta").text
    assert f'id="pick-{huipil.id}"' not in after  # one of a kind: sold
    assert f'id="pick-{faja.id}"' in after  # two more in stock
    # A sale is not an order to pack.
    number = receipt_url.split("/")[3]
    assert number not in seller.get("/taller/pedidos").text
    assert es.ngettext("order to pack", "orders to pack", 1) not in seller.get("/taller/inicio").text


def test_a_wholesale_sale_is_sold_at_the_counter_under_its_own_channel(app, session, pieces, seller):
    faja = pieces["faja"]
    form = {"pid": [str(faja.id)], "qty": ["2"], "action": "sell", "expected_total": "70000", "wholesale": "1"}
    sold = post(seller, "/taller/venta", form, form_page="/taller/venta")
    assert sold.status_code == 303 and seller.get(sold.headers["location"]).status_code == 200  # its receipt
    assert post(seller, "/taller/venta", form).headers["location"] == sold.headers["location"]  # clicked twice
    fresh(session)
    (order,) = session.scalars(select(Order)).all()
    assert order.channel is Channel.wholesale and balance(session, "cash") == 70_000


def test_selling_a_piece_that_is_gone_or_nothing_at_all_is_refused(app, session, pieces, seller):
    huipil = pieces["huipil"]
    place(session, [(huipil, 1)])  # someone online is paying for it
    session.commit()
    assert f'id="pick-{huipil.id}"' not in seller.get("/taller/venta").text
    gone = post(
        seller,
        "/taller/venta",
        {"pid": [str(huipil.id)], "qty": ["1"], "action": "sell", "expected_total": "185000"},
    )
    assert gone.status_code == 422
    assert es.gettext("Sold, or being paid for online. Take it out of the sale.") in gone.text
    empty = post(seller, "/taller/venta", {"action": "sell", "expected_total": "0"})
    assert empty.status_code == 422
    assert es.gettext("Add at least one piece to the sale.") in empty.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order).where(Order.channel == "in_person")) == 0


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"pid": ["1"], "qty": ["abc"], "action": "sell", "expected_total": "0"},
            422,
            "Escribe cuántas piezas, con números, como 1 o 2.",
        ),
        ({"pid": ["1"], "qty": ["9999"], "action": "sell"}, 422, "Escribe cuántas piezas, con números, como 1 o 2."),
        (
            {"pid": ["999999"], "qty": ["1"], "action": "sell", "expected_total": "100"},
            422,
            "Una pieza de la venta ya no está a la venta; la quitamos.",
        ),
        ({"pid": ["x"], "qty": ["1"], "action": "sell"}, 422, "Agrega al menos una pieza a la venta."),
        (
            {"add": "999999", "action": "sell", "expected_total": "0"},
            422,
            "Una pieza de la venta ya no está a la venta; la quitamos.",
        ),
        (
            {"pid": ["1"], "qty": ["1"], "action": "sell", "expected_total": "185000", "email": "not an email"},
            422,
            "Revisa el correo, por ejemplo: ana@example.org.",
        ),
        (
            {"pid": ["1", "1"], "qty": ["1", "1"], "action": "sell", "expected_total": "370000"},
            422,
            "Solo queda 1.",
        ),
        ({"q": "x" * 101}, 400, NOT_VALID),
    ],
)
def test_bad_sales_are_refused_and_nothing_is_sold(app, session, pieces, seller, data, status, message):
    data = {k: [str(pieces["huipil"].id) if x == "1" else x for x in v] if k == "pid" else v for k, v in data.items()}
    response = post(seller, "/taller/venta", data)
    assert response.status_code == status, response.text
    assert message in response.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order)) == 0
    fresh(session)
    assert session.get(Product, pieces["huipil"].id).status is ProductStatus.active


def test_selling_is_for_staff_and_receipts_only_for_in_person_sales(app, session, pieces, weavers, seller):
    online = paid_offline(session, [pieces["faja"]])
    assert seller.get(f"/taller/venta/{online.number}/recibo").status_code == 404
    person(session, "maria", Role.member, weaver=weavers["maria"])
    maria = signed_in(app, "maria")
    assert maria.get("/taller/venta").status_code == 403
    assert post(maria, "/taller/venta", {"add": str(pieces["huipil"].id)}).status_code == 403


# Every form ----------------------------------------------------------------------------------------


def test_every_form_needs_its_csrf_token(app, session, pieces, treasurer):
    waiting = unpaid(session, [pieces["huipil"]])
    order = paid_offline(session, [pieces["faja"]])
    session.commit()
    person(session, "boss", Role.admin, Role.treasurer)
    boss = signed_in(app, "boss")
    forms = [
        (f"/taller/pagos/{waiting.number}", {"reference": "x"}),
        (f"/taller/pagos/{waiting.number}/cancelar", {}),
        (f"/taller/pedidos/{order.number}/empacado", {}),
        (f"/taller/pedidos/{order.number}/enviado", {"carrier": "DHL", "tracking_number": "1"}),
        (f"/taller/pedidos/{order.number}/entregado", {}),
        (f"/taller/pedidos/{order.number}/reembolso", {"amount": "1", "via": "cash", "reason": "x"}),
        ("/taller/venta", {"add": str(pieces["faja"].id), "action": "sell", "expected_total": "35000"}),
    ]
    for path, data in forms:
        for token in (None, "forged"):
            sent = {**data, "csrf_token": token} if token else data
            response = boss.post(path, data=sent, follow_redirects=False)
            assert response.status_code == 403, f"{path}: {response.status_code}"
    assert order_of(session, waiting.number).status is OrderStatus.pending_payment
    assert order_of(session, order.number).status is OrderStatus.paid
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Refund)) == 0


def test_unknown_orders_and_oversized_fields_get_clear_refusals(app, session, pieces, treasurer):
    order = paid_offline(session, [pieces["faja"]])
    for path in ("/taller/pedidos/JJ-999999", "/taller/pedidos/JJ-999999/hoja", "/taller/venta/JJ-999999/recibo"):
        refused = treasurer.get(path)
        assert refused.status_code == 404, path
        assert es.gettext("There is no order %(number)s.") % {"number": "JJ-999999"} in refused.text, path
    for path in ("/taller/pagos/JJ-999999", "/taller/pedidos/JJ-999999/empacado", "/taller/pedidos/nope/entregado"):
        assert post(treasurer, path).status_code == 404, path
    long = post(treasurer, f"/taller/pedidos/{order.number}/enviado", {"carrier": "x" * 81, "tracking_number": "1"})
    assert long.status_code == 400
    early = post(treasurer, f"/taller/pedidos/{order.number}/enviado", {"carrier": "DHL", "tracking_number": "1"})
    assert early.status_code == 409  # not packed yet
    assert order_of(session, order.number).status is OrderStatus.paid
