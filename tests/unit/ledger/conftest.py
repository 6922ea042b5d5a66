"""Weavers, and a treasurer, the ledger tests share."""

import pytest
from factories import make_user, make_weaver

from shop.accounts.models import Role


@pytest.fixture
def maria(session):
    return make_weaver(session, name="María Pérez Hernández")


@pytest.fixture
def juana(session):
    return make_weaver(session, name="Juana Díaz Sántiz")


@pytest.fixture
def teresa(session):
    """A treasurer, committed."""
    user = make_user(session, roles=[Role.treasurer], username="tesorera", name="Teresa Tesorera")
    session.commit()
    return user
