"""What cannot simply be taken back asks first (issue 15): taking a photo off a piece, and "payment received"."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from factories import fresh, make_image
from inventory_screens import pieces, sign_in  # noqa: F401  (fixture)
from order_screens import order_of, treasurer, unpaid, weavers  # noqa: F401  (fixtures)
from order_screens import pieces as order_pieces  # noqa: F401  (fixture)
from sqlalchemy import func, select
from workspace_helpers import post

from shop.catalogue import service as catalogue
from shop.catalogue.models import ProductImage
from shop.clock import utcnow
from shop.i18n import translator
from shop.orders.models import OrderStatus
from shop.payments import receipt_window
from shop.payments.models import Payment

es = translator("es")


def test_removing_a_photo_asks_first(client, session, pieces, media_dir):
    catalogue.add_product_image(session, pieces["hers"], make_image(session, media_dir, width=400, height=500))
    session.commit()
    link_id = session.scalar(select(ProductImage.id))
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    piece_page = client.get("/taller/inventario/huipil-maria").text
    ask = f"/taller/inventario/huipil-maria/fotos/{link_id}/quitar"
    assert f'href="{ask}"' in piece_page and f'action="{ask}"' not in piece_page  # a link to the question only

    question = client.get(ask)
    assert question.status_code == 200
    assert es.gettext("Remove this photo?") in unescape(question.text)
    assert f'action="{ask}"' in question.text and 'href="/taller/inventario/huipil-maria#fotos"' in question.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 1  # asking changed nothing

    removed = client.post(ask, data={"csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    fresh(session)
    assert session.scalar(select(func.count()).select_from(ProductImage)) == 0
    assert client.get(ask).status_code == 404


def test_another_members_photo_cannot_be_asked_about(client, session, pieces, media_dir):
    catalogue.add_product_image(session, pieces["other"], make_image(session, media_dir, width=400, height=500))
    session.commit()
    link_id = session.scalar(select(ProductImage.id))
    sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    assert client.get(f"/taller/inventario/rebozo-petrona/fotos/{link_id}/quitar").status_code == 404


def test_payment_received_asks_before_anything_is_written(engine, session, order_pieces, treasurer):
    order = unpaid(session, [order_pieces["huipil"]])
    page = treasurer.get("/taller/pagos").text
    assert f'action="/taller/pagos/{order.number}/revisar"' in page

    check = f"/taller/pagos/{order.number}/revisar"
    question = post(treasurer, check, {"reference": "SPEI 42"}, form_page="/taller/pagos")
    assert question.status_code == 200
    text = unescape(question.text)
    assert es.gettext("Did the money arrive?") in text and "SPEI 42" in text
    assert es.money(order.amount_due_now, "MXN") in text
    assert f'action="/taller/pagos/{order.number}"' in text and 'value="SPEI 42"' in text
    assert order_of(session, order.number).status is OrderStatus.pending_payment
    assert session.scalar(select(Payment.reference).where(Payment.order_id == order.id)) in ("", None)

    yes = post(treasurer, f"/taller/pagos/{order.number}", {"reference": "SPEI 42"}, form_page="/taller/pagos")
    assert yes.status_code == 303
    assert receipt_window.apply_due(engine, now=utcnow() + timedelta(minutes=6), base_url="http://testserver") == 1
    assert order_of(session, order.number).status is OrderStatus.paid

    late = post(treasurer, check, form_page="/taller/pagos")
    assert late.status_code == 409
    assert es.gettext("Order %(number)s is not waiting for a payment.", number=order.number) in unescape(late.text)
