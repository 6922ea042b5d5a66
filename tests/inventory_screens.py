"""People signed in and pieces as the workspace's inventory screens need them, and reading their forms: shared by
the page tests of the inventory, photos and confirmations."""

from __future__ import annotations

import re
from html import unescape

import pytest
import workspace_helpers
from factories import fresh, make_category, make_product, make_weaver
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person

from shop.accounts.models import Role


def sign_in(client, session, *, name: str, username: str, roles=(Role.member,), weaver_id=None) -> str:
    """Create a person, sign her in with her password; returns a CSRF token for this browser."""
    person(session, username, *roles, weaver=weaver_id, name=name)
    client.cookies.clear()
    response = workspace_helpers.sign_in(client, username)
    assert response.status_code == 303 and response.headers["location"] == "/taller/inicio"
    return csrf_of(client.get("/taller/inicio").text)  # signing in renews the browser's token


def error_for(html: str, field: str) -> str:
    """The message shown next to a form field (its element has id e-<field>)."""
    found = re.search(rf'id="e-{field}" class="error"[^>]*>([^<]+)<', html)
    assert found, f"no message next to {field}"
    return unescape(found.group(1))


def value_of(html: str, field: str) -> str:
    found = re.search(rf'name="{field}"[^>]*value="([^"]*)"', html)
    assert found, f"no input {field}"
    return unescape(found.group(1))


def count(session, model) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def pieces(session, media_dir):
    """Two weavers with a piece each, a category, and a shared piece."""
    category = make_category(session, slug="huipiles", name_es="Huipiles", name_en="Huipils")
    maria = make_weaver(session, name="María Pérez")
    petrona = make_weaver(session, name="Petrona López")
    hers = make_product(
        session, category=category, weavers=[(maria, 10_000)], slug="huipil-maria", title_es="Huipil de María"
    )
    other = make_product(
        session,
        category=category,
        weavers=[(petrona, 10_000)],
        slug="rebozo-petrona",
        title_es="Rebozo de Petrona",
        kind="series",
        stock_on_hand=3,
    )
    session.commit()
    return {"category": category, "maria": maria, "petrona": petrona, "hers": hers, "other": other}


def piece_form(category, **changes) -> dict:
    return {
        "title_es": "Bolsa de lana",
        "title_en": "Wool bag",
        "description_es": "Tejida en telar de cintura.",
        "category_id": str(category.id),
        "price": "1850.50",
        "kind": "series",
        "stock_on_hand": "2",
        "length_cm": "30.5",
        "width_cm": "25",
        "weight_g": "300",
        "hours_of_work": "20",
        **changes,
    }
