"""A bylaws change takes effect on its date for the money too: sales placed on and after it are split with the
weavers' share it sets (the order line names the resolution), those before keep the old one, and the ledger
posts what each line kept; the payout minimum follows the bylaws in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from factories import buyer, make_product, make_weaver, sale_for
from sqlalchemy import select

from shop.cooperative import bylaws
from shop.cooperative.models import Assembly, AssemblyKind, Caller, Resolution
from shop.cooperative.rules import Bylaws
from shop.errors import NotFound
from shop.ledger.balances import weaver_balance
from shop.ledger.sales import post_sale
from shop.orders.models import OrderLine, PaymentMethod
from shop.orders.placing import place_order
from shop.orders.schemas import OrderItem
from shop.split_rules.service import set_split_rule, split_rule_for

# 06:00 UTC is midnight in Chiapas.
BEFORE = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)  # 30 June, 17:00 in Chiapas
ON = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)  # 1 July, 00:00 in Chiapas


def resolution(session) -> Resolution:
    held = Assembly(
        kind=AssemblyKind.ordinary,
        called_by=Caller.administration,
        meets_on=date(2026, 6, 20),
        place="Nachij",
        notice_posted_on=date(2026, 6, 10),
        notice_posted_at="Tablero",
        agenda="Bases",
    )
    session.add(held)
    session.flush()
    found = Resolution(assembly_id=held.id, number=3, text="Las tejedoras reciben el 82%", votes_for=20)
    session.add(found)
    session.flush()
    return found


def sold(session, product, now: datetime) -> OrderLine:
    order = place_order(
        session,
        items=[OrderItem(product_id=product.id, quantity=1)],
        buyer=buyer(),
        language="es",
        method=PaymentMethod.offline,
        now=now,
        hold_until=now + timedelta(hours=1),
        actor="test",
    )
    (line,) = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    post_sale(session, sale_for(session, order, [line], money="cash"))
    return line


def test_the_weavers_share_changes_on_the_resolutions_date_and_the_ledger_follows(session):
    set_split_rule(session, weavers_bp=8_000)
    change = resolution(session)
    bylaws.adopt(session, Bylaws(date(2026, 7, 1), 3, 5_100, True, weavers_bp=8_200), resolution_id=change.id)
    rosa = make_weaver(session)
    first = make_product(session, weavers=[(rosa, 10_000)], price_amount=100_000)
    second = make_product(session, weavers=[(rosa, 10_000)], price_amount=100_000)
    before = sold(session, first, BEFORE)
    on = sold(session, second, ON)
    assert (before.weavers_bp, before.split_rule) == (8_000, "default")
    assert (on.weavers_bp, on.split_rule) == (8_200, f"resolution:{change.id}")
    session.commit()
    assert weaver_balance(session, rosa.id) == 80_000 + 82_000


def test_a_product_or_category_rule_still_wins_over_the_bylaws(session):
    change = resolution(session)
    bylaws.adopt(session, Bylaws(date(2026, 1, 1), 3, 5_100, True, weavers_bp=8_200), resolution_id=change.id)
    piece = make_product(session, weavers=[(make_weaver(session), 10_000)])
    assert split_rule_for(session, piece, date(2026, 7, 1)) == (8_200, f"resolution:{change.id}")
    set_split_rule(session, weavers_bp=9_000, product_id=piece.id)
    assert split_rule_for(session, piece, date(2026, 7, 1)) == (9_000, f"product:{piece.id}")


def test_the_payout_minimum_follows_the_bylaws_in_force(session):
    change = resolution(session)
    bylaws.adopt(session, Bylaws(date(2026, 7, 1), 3, 5_100, True, payout_minimum=20_000), resolution_id=change.id)
    assert bylaws.payout_minimum_on(session, date(2026, 6, 30)) is None
    minimum, version = bylaws.payout_minimum_on(session, date(2026, 7, 1))
    assert (minimum, version.resolution_id) == (20_000, change.id)


def test_a_split_rule_names_the_resolution_that_set_it(session):
    from shop.split_rules.models import SplitRule

    change = resolution(session)
    rule = set_split_rule(session, weavers_bp=8_500, resolution_id=change.id)
    session.commit()
    assert session.get(SplitRule, rule.id).resolution_id == change.id
    with pytest.raises(NotFound):
        set_split_rule(session, weavers_bp=8_500, resolution_id=999_999)
