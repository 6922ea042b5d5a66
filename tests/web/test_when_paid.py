"""My earnings says when her money will next be paid (issue 15): on the cooperative's usual payout day, or that
it waits for the payout minimum, or until when card money is held."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from factories import make_product, make_weaver
from workspace_helpers import PASSWORD, signed_in

from shop.accounts.models import Role
from shop.accounts.service import create_user
from shop.clock import local_today, utcnow
from shop.i18n import translator
from shop.ledger import payout_batches
from shop.ledger.payout_batches import PayoutLine
from shop.orders.schemas import OrderItem
from shop.payments.offline import sell_in_person

ES = translator("es")


def user(session, username: str, roles: list[Role], **extra):
    return create_user(session, name=username.capitalize(), username=username, roles=roles, password=PASSWORD, **extra)


def money(amount: int) -> str:
    return ES.money(amount, "MXN")


def sold(session, price: int):
    maria = make_weaver(session, name="María Pérez", slug="maria-perez")
    huipil = make_product(session, weavers=[(maria, 10_000)], title_es="Huipil", price_amount=price)
    user(session, "maria", [Role.member], weaver_id=maria.id)
    sell_in_person(session, items=[OrderItem(product_id=huipil.id, quantity=1)], actor="test", now=utcnow())
    return maria


def test_money_ready_is_paid_on_the_usual_day(app, session):
    maria = sold(session, 650_000)
    treasurer = user(session, "rosa", [Role.treasurer])
    for weeks in (1, 2, 3):
        payout_batches.prepare_batch(
            session,
            lines=[PayoutLine(maria.id, 100)],
            by=treasurer,
            now=utcnow() - timedelta(weeks=weeks),
            hold=timedelta(0),
        )
    session.commit()
    text = unescape(signed_in(app, "maria").get("/taller/ganancias").text)
    available = 650_000 * 8000 // 10_000 - 300
    assert ES.gettext("%(amount)s is ready to be paid to you.", amount=money(available)) in text
    today = local_today()
    assert (
        ES.gettext(
            "The cooperative usually pays on %(weekday)s. The next one is %(day)s.",
            weekday=ES.date(today, "EEEE"),
            day=ES.date(today, "full"),
        )
        in text
    )
    assert ES.gettext("%(amount)s is already in a payout being prepared for you.", amount=money(300)) in text


def test_under_the_minimum_she_is_told_it_waits(app, session, settings):
    sold(session, 5_000)  # 40 pesos hers
    session.commit()
    text = unescape(signed_in(app, "maria").get("/taller/ganancias").text)
    message = "You have %(amount)s ready. The cooperative pays from %(minimum)s, so it waits until you have that much."
    assert ES.gettext(message, amount=money(4_000), minimum=money(settings.payout_minimum)) in text
    assert ES.gettext("It will be in the next payout.") not in text
