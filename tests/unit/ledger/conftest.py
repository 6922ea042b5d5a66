"""Weavers the ledger tests share."""

import pytest
from factories import make_weaver


@pytest.fixture
def maria(session):
    return make_weaver(session, name="María Pérez Hernández")


@pytest.fixture
def juana(session):
    return make_weaver(session, name="Juana Díaz Sántiz")
