"""Fixtures the page tests share."""

from __future__ import annotations

import pytest
from factories import make_order, make_weaver, sale_for
from workspace_helpers import person

from shop.accounts.models import Role
from shop.ledger.sales import post_sale


@pytest.fixture
def world(app, session):
    """Two weavers with cash sales (800 and 400 pesos owed), a treasurer, two council members and a weaver."""
    maria = make_weaver(session, name="María Pérez Hernández")
    juana = make_weaver(session, name="Juana Díaz Sántiz")
    for weaver, amount in ((maria, 100_000), (juana, 50_000)):
        order, (line,) = make_order(session, [(amount, 8000, [(weaver, 10_000)])])
        post_sale(session, sale_for(session, order, [line], money="cash"))
    session.commit()
    person(session, "tesorera", Role.treasurer, name="Teresa Tesorera")
    person(session, "consejera", Role.council, name="Carmen Consejera")
    person(session, "ambas", Role.treasurer, Role.council, name="Amalia Ambas")
    person(session, "maria", Role.member, weaver=maria, name="María Pérez Hernández")
    person(session, "juana", Role.member, weaver=juana, name="Juana Díaz Sántiz")
    return {"maria": maria, "juana": juana}
