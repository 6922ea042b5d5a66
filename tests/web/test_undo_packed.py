"""Undo "already packed" for a few minutes (issue 15): back through the order's transition function, in its
history and the audit log; refused after the window, once only, and not after another change."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from order_screens import order_of, paid_offline, pieces, weavers  # noqa: F401  (fixtures)
from sqlalchemy import select, update
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.clock import utcnow
from shop.i18n import translator
from shop.orders import service as orders
from shop.orders.models import OrderEvent, OrderStatus

es = translator("es")


@pytest.fixture
def packed(app, session, pieces, weavers):
    order = paid_offline(session, [pieces["huipil"]])
    person(session, "maria", Role.member, weaver=weavers["maria"], name="María Pérez")
    maria = signed_in(app, "maria")
    assert post(maria, f"/taller/pedidos/{order.number}/empacado").status_code == 303
    return maria, order


def test_packing_can_be_undone_from_the_banner_and_is_recorded(session, packed):
    maria, order = packed
    queue = unescape(maria.get("/taller/pedidos").text)
    banner = "You marked order %(number)s as packed. If it was a mistake, you can undo it for %(minutes)d minutes."
    assert es.gettext(banner, number=order.number, minutes=5) in queue
    assert f'action="/taller/pedidos/{order.number}/desempacar"' in queue

    undone = post(maria, f"/taller/pedidos/{order.number}/desempacar", {"back": "order"})
    assert (undone.status_code, undone.headers["location"]) == (303, f"/taller/pedidos/{order.number}")
    assert order_of(session, order.number).status is OrderStatus.paid
    last = session.scalar(select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id.desc()))
    assert (last.from_status, last.to_status, last.actor) == ("packed", "paid", "María Pérez")
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "orders", AuditEvent.entity_id == str(order.id))
    ).all()
    assert any(e.actor_name == "María Pérez" and "paid" in str(e.after) for e in audit)
    assert f"/taller/pedidos/{order.number}/desempacar" not in maria.get("/taller/pedidos").text


def test_undo_twice_moves_it_back_once(session, packed):
    maria, order = packed
    assert post(maria, f"/taller/pedidos/{order.number}/desempacar").status_code == 303
    again = post(maria, f"/taller/pedidos/{order.number}/desempacar")
    assert again.status_code == 409
    message = es.gettext("Order %(number)s is no longer packed: there is nothing to undo.", number=order.number)
    assert message in unescape(again.text)
    moves = session.scalars(select(OrderEvent.to_status).where(OrderEvent.order_id == order.id)).all()
    assert moves.count("paid") == 2  # paid once by the payment, once by the single undo


def test_undo_after_the_window_is_refused(session, packed):
    maria, order = packed
    session.execute(
        update(OrderEvent)
        .where(OrderEvent.order_id == order.id, OrderEvent.to_status == "packed")
        .values(created_at=utcnow() - orders.UNDO_WINDOW - timedelta(seconds=1))
    )
    session.commit()
    assert f"/taller/pedidos/{order.number}/desempacar" not in maria.get("/taller/pedidos").text
    late = post(maria, f"/taller/pedidos/{order.number}/desempacar")
    assert late.status_code == 409
    message = "It is too late to undo packing order %(number)s: it can be undone only for %(minutes)d minutes."
    assert es.gettext(message, number=order.number, minutes=5) in unescape(late.text)
    assert order_of(session, order.number).status is OrderStatus.packed


def test_undo_after_another_change_is_refused(session, packed):
    maria, order = packed
    shipped = post(maria, f"/taller/pedidos/{order.number}/enviado", {"carrier": "Estafeta", "tracking_number": "E1"})
    assert shipped.status_code == 303
    refused = post(maria, f"/taller/pedidos/{order.number}/desempacar")
    assert refused.status_code == 409
    assert order_of(session, order.number).status is OrderStatus.shipped


def test_the_backward_move_is_legal_only_as_an_undo(session, packed):
    _, order = packed
    order = order_of(session, order.number)
    with pytest.raises(Exception, match="cannot become"):
        orders.transition(session, order, OrderStatus.paid, actor="x", now=utcnow())
