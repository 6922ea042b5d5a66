"""My earnings (a weaver's balance and her sold pieces, never anyone else's) and the council's audit log."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from factories import make_image, make_product, make_weaver
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from workspace_helpers import PASSWORD, csrf_of, signed_in

from shop.accounts.models import Role
from shop.accounts.service import create_user
from shop.audit.models import AuditEvent
from shop.catalogue import service as catalogue
from shop.clock import to_local, utcnow
from shop.i18n import translator
from shop.ledger.balances import weaver_balance
from shop.orders.models import Order
from shop.orders.schemas import OrderItem
from shop.payments.offline import sell_in_person
from shop.payments.refund_records import begin_refund, complete_refund
from shop.web.workspace.earnings import NO_PROFILE

ES = translator("es")


def user(session, username: str, roles: list[Role], **extra):
    return create_user(session, name=username.capitalize(), username=username, roles=roles, password=PASSWORD, **extra)


def money(amount: int) -> str:
    return ES.money(amount, "MXN")


# --- My earnings ----------------------------------------------------------------------------------------------


@pytest.fixture
def sales(session, media_dir):
    """María and Juana each have a login; three pieces sold in person (cash), one of them woven by both."""
    maria = make_weaver(session, name="María Pérez", slug="maria-perez")
    juana = make_weaver(session, name="Juana Díaz", slug="juana-diaz")
    huipil = make_product(session, weavers=[(maria, 10_000)], title_es="Huipil de rombos", price_amount=650_000)
    catalogue.add_product_image(session, huipil, make_image(session, media_dir, width=400, height=500))
    shared = make_product(
        session, weavers=[(maria, 6000), (juana, 4000)], title_es="Bolsa a dos manos", price_amount=120_000
    )
    morral = make_product(session, weavers=[(juana, 10_000)], title_es="Morral de Juana", price_amount=85_000)
    user(session, "maria", [Role.member], weaver_id=maria.id)
    user(session, "juana", [Role.member], weaver_id=juana.id)
    user(session, "rosa", [Role.treasurer])
    now = utcnow()
    first = sell_in_person(
        session, items=[OrderItem(product_id=huipil.id, quantity=1)], actor="test", now=now - timedelta(hours=2)
    )
    sell_in_person(
        session,
        items=[OrderItem(product_id=shared.id, quantity=1), OrderItem(product_id=morral.id, quantity=1)],
        actor="test",
        now=now - timedelta(hours=1),
    )
    session.commit()
    return {"maria": maria, "juana": juana, "huipil": huipil, "first": first}


def test_a_weaver_sees_what_she_is_owed_and_each_piece_that_sold(app, session, sales):
    # The default split gives the weavers 80%: the huipil is all hers, the bag 60% hers.
    huipil_part = 650_000 * 8000 // 10_000
    bag_part = 120_000 * 8000 // 10_000 * 6000 // 10_000
    assert (huipil_part, bag_part) == (520_000, 57_600)
    assert weaver_balance(session, sales["maria"].id) == huipil_part + bag_part

    page = signed_in(app, "maria").get("/taller/ganancias")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    owed = re.search(r'class="owed-amount money">([^<]+)<', html).group(1)
    assert owed == money(huipil_part + bag_part)
    assert "Huipil de rombos" in html and "Bolsa a dos manos" in html
    for amount in (650_000, huipil_part, 120_000, bag_part):
        assert money(amount) in html
    # The bag's price is the whole piece's; her part and share are shown as hers.
    assert "60%" in html
    # The huipil's photo is shown as a thumbnail; the bag has none.
    assert html.count('<img src="/media/') == 1 + html.count('class="me"><img')
    assert 'class="nophoto"' in html
    # The date sold, in Mexico City time.
    assert ES.date(sales["first"].paid_at) in html


def test_a_weaver_never_sees_another_weavers_pieces_or_amounts(app, session, sales):
    html = signed_in(app, "maria").get("/taller/ganancias").text
    assert "Morral de Juana" not in html
    assert money(85_000) not in html and money(68_000) not in html  # Juana's bag and her part of it
    assert money(38_400) not in html  # Juana's part of the shared bag
    juana = signed_in(app, "juana").get("/taller/ganancias").text
    assert "Huipil de rombos" not in juana and money(520_000) not in juana
    assert money(68_000) in juana and money(38_400) in juana
    assert re.search(r'class="owed-amount money">([^<]+)<', juana).group(1) == money(68_000 + 38_400)


def test_refunds_are_shown_plainly_and_lower_what_she_keeps(app, session, sales):
    order = session.scalar(select(Order).where(Order.id == sales["first"].id).options(selectinload(Order.lines)))
    line = order.lines[0]
    now = utcnow()
    refund = begin_refund(
        session,
        order,
        amount=100_000,
        via="cash",
        actor="test",
        reason="stain",
        lines={line.id: 100_000},
        restock={},
        now=now,
    )
    complete_refund(session, order, refund, stripe_refund_id=None, now=now)
    session.commit()
    taken_back = 100_000 * 8000 // 10_000
    html = signed_in(app, "maria").get("/taller/ganancias").text
    assert "−" + money(taken_back) in html
    assert money(520_000 - taken_back) in html
    assert re.search(r'class="owed-amount money">([^<]+)<', html).group(1) == money(520_000 + 57_600 - taken_back)


def test_earnings_by_month(app, session, sales):
    client = signed_in(app, "maria")
    this_month = to_local(utcnow()).strftime("%Y-%m")
    assert "Huipil de rombos" in client.get(f"/taller/ganancias?mes={this_month}").text
    other = client.get("/taller/ganancias?mes=2001-01")
    assert other.status_code == 200 and "Huipil de rombos" not in other.text
    for bad in ("2026-13", "noviembre", "2026-1", "2026-11-01"):
        refused = client.get("/taller/ganancias", params={"mes": bad})
        assert refused.status_code == 422, bad
        expected = ES.gettext("“%(value)s” is not a month. Write it as YYYY-MM, for example 2026-11.", value=bad)
        assert html.escape(expected, quote=False) in refused.text


def test_someone_without_a_weaver_profile_gets_a_clear_refusal(app, session, sales):
    page = signed_in(app, "rosa").get("/taller/ganancias")
    assert page.status_code == 403
    assert str(escape(ES.gettext(NO_PROFILE))) in page.text


def test_earnings_need_a_signed_in_person(client):
    response = client.get("/taller/ganancias", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/taller"


def test_in_tzotzil_sourced_words_show_and_the_rest_falls_back(app, session, sales):
    client = signed_in(app, "maria")
    page = client.get("/taller/ganancias")
    client.post("/taller/idioma", data={"lang": "tzo", "next": "/taller/ganancias", "csrf_token": csrf_of(page.text)})
    html = client.get("/taller/ganancias").text
    assert 'lang="tzo"' in html
    assert translator("tzo").gettext("Price") in html
    assert translator("tzo").gettext("Price") != ES.gettext("Price")
    assert ES.gettext("My earnings") in html  # no sourced Tzotzil for it: shown as in Spanish
    assert money(520_000) in html  # amounts are formatted as in Mexico


def test_an_empty_page_for_a_weaver_who_sold_nothing_yet(app, session):
    weaver = make_weaver(session, name="Petrona")
    user(session, "petrona", [Role.member], weaver_id=weaver.id)
    session.commit()
    page = signed_in(app, "petrona").get("/taller/ganancias")
    assert page.status_code == 200
    assert re.search(r'class="owed-amount money">([^<]+)<', page.text).group(1) == money(0)


# --- Audit log ------------------------------------------------------------------------------------------------


def event(session, actor, at: datetime, entity_id: str, **values) -> AuditEvent:
    row = AuditEvent(
        at=at,
        actor_id=actor.id,
        actor_name=actor.name,
        action=values.pop("action", "update"),
        entity=values.pop("entity", "products"),
        entity_id=entity_id,
        **values,
    )
    session.add(row)
    return row


@pytest.fixture
def audit(session):
    weaver = make_weaver(session, name="María Pérez")
    ana = user(session, "ana", [Role.council])
    rosa = user(session, "rosa", [Role.admin])
    user(session, "maria", [Role.member], weaver_id=weaver.id)
    events = {
        "price": event(
            session,
            ana,
            datetime(2025, 3, 1, 17, 0, tzinfo=UTC),  # 11:00 in Mexico City
            "701",
            before={"price_amount": 100_000, "stock_on_hand": 1},
            after={"price_amount": 120_000, "stock_on_hand": 2},
        ),
        # 05:30 UTC on 2 March is still 1 March (23:30) in Mexico City.
        "late": event(
            session,
            rosa,
            datetime(2025, 3, 2, 5, 30, tzinfo=UTC),
            "702",
            after={"active": False},
            before={"active": True},
            entity="users",
        ),
        "weaver": event(
            session,
            ana,
            datetime(2025, 3, 5, 16, 0, tzinfo=UTC),
            "703",
            action="create",
            entity="weavers",
            after={"name": "Juana", "consent_to_publish": True},
        ),
    }
    session.commit()
    return {"ana": ana, "rosa": rosa, **events}


def ids(html: str) -> list[str]:
    return re.findall(r'<span class="status">#(\d+)</span>', html)


def test_the_council_reads_the_log_newest_first_with_before_and_after(app, audit):
    page = signed_in(app, "ana").get("/taller/registro")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    found = ids(page.text)
    assert [i for i in found if i in ("701", "702", "703")] == ["703", "702", "701"]
    assert f"<del>{money(100_000)}</del> → <ins>{money(120_000)}</ins>" in page.text
    assert ES.datetime(audit["late"].at, "medium") in page.text  # shown in Mexico City time
    assert ES.datetime(audit["late"].at, "medium").startswith("1 mar 2025, 11:30")
    assert 'name="persona"' in page.text and ">Rosa</option>" in page.text


def test_the_log_filters_by_person_and_by_days_in_mexico_city(app, audit):
    client = signed_in(app, "ana")
    by_rosa = client.get("/taller/registro", params={"persona": audit["rosa"].id})
    assert ids(by_rosa.text) == ["702"]
    march_first = client.get("/taller/registro", params={"desde": "2025-03-01", "hasta": "2025-03-01"})
    assert ids(march_first.text) == ["702", "701"]
    both = client.get("/taller/registro", params={"persona": audit["ana"].id, "desde": "2025-03-02"})
    assert "703" in ids(both.text) and "701" not in ids(both.text) and "702" not in ids(both.text)
    until = client.get("/taller/registro", params={"hasta": "2025-03-04"})
    assert ids(until.text) == ["702", "701"]


def test_the_log_is_paginated_by_fifty(app, session, audit):
    start = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    for n in range(58):
        event(session, audit["rosa"], start + timedelta(hours=n), f"9{n:03d}")
    session.commit()
    client = signed_in(app, "ana")
    query = {"persona": audit["rosa"].id}
    first = client.get("/taller/registro", params=query)
    assert len(ids(first.text)) == 50
    assert ids(first.text)[0] == "702"  # the newest first
    assert f'href="/taller/registro?persona={audit["rosa"].id}&amp;pagina=2"' in first.text
    second = client.get("/taller/registro", params={**query, "pagina": 2})
    assert len(ids(second.text)) == 9 and ids(second.text)[-1] == "9000"
    assert not set(ids(first.text)) & set(ids(second.text))


@pytest.mark.parametrize(
    "params",
    [
        {"desde": "2025-13-01"},
        {"desde": "yesterday"},
        {"hasta": "2025-02-30"},
        {"hasta": "1/3/2025"},
        {"desde": "2025-03-05", "hasta": "2025-03-01"},
        {"persona": "ana"},
    ],
)
def test_bad_filters_get_a_clear_message_not_an_error(app, audit, params):
    page = signed_in(app, "ana").get("/taller/registro", params=params)
    assert page.status_code == 422
    assert 'class="alert" role="alert"' in page.text
    assert 'name="desde"' in page.text  # the form is there to correct them


def test_only_the_council_and_admins_read_the_log(app, client, audit):
    assert signed_in(app, "maria").get("/taller/registro").status_code == 403
    assert signed_in(app, "rosa").get("/taller/registro").status_code == 200
    anonymous = client.get("/taller/registro", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/taller"
