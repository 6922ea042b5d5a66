"""Input the database cannot store is refused as invalid, naming the field, never a 500 (PostgreSQL refuses NUL)."""

from __future__ import annotations

import pytest
from factories import STAFF, checkout_body, make_product, make_weaver, place

NOT_ALLOWED = "Contains characters that are not allowed here."


@pytest.fixture
def order_number(session) -> str:
    make_product(session, slug="huipil", weavers=[(make_weaver(session, slug="maria"), 10_000)])
    series = make_product(
        session, slug="morral", kind="series", stock_on_hand=5, weavers=[(make_weaver(session, slug="ana"), 10_000)]
    )
    number = place(session, [(series, 1)]).number
    session.commit()
    return number


def errors_of(response) -> list[dict]:
    assert response.status_code == 422, response.text
    return response.json()["errors"]


@pytest.mark.parametrize("field", ["name", "address_line2", "city", "postal_code"])
def test_a_buyer_detail_with_a_nul_character_is_refused(shop, order_number, field):
    body = checkout_body("huipil", method="offline", **{field: "Ana\u0000"})
    answer = shop.post("/api/v1/checkout", json=body, headers={"Accept-Language": "en"})
    assert errors_of(answer) == [{"field": f"buyer.{field}", "message": NOT_ALLOWED}]


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("cancel", {"note": "a\u0000"}, "note"),
        ("confirm-payment", {"reference": "a\u0000"}, "reference"),
        ("shipped", {"carrier": "DHL\u0000", "tracking_number": "1"}, "carrier"),
        ("refunds", {"amount": 1, "via": "cash", "reason": "\u0000"}, "reason"),
        ("give-back", {"via": "cash", "reason": "\u0000"}, "reason"),
    ],
)
def test_staff_texts_with_a_nul_character_are_refused(shop, order_number, route, body, field):
    answer = shop.post(f"/api/v1/staff/orders/{order_number}/{route}", json=body, headers=STAFF)
    assert [e["field"] for e in errors_of(answer)] == [field]


def test_an_in_person_sale_with_a_nul_character_is_refused(shop, order_number):
    answer = shop.post("/api/v1/staff/sales", json={"lines": [{"slug": "morral"}], "name": "a\u0000"}, headers=STAFF)
    assert [e["field"] for e in errors_of(answer)] == ["name"]


@pytest.mark.parametrize("slug", ["huipil\u0000", "Huipil", "huipil "])
def test_a_slug_that_cannot_be_a_product_is_refused(shop, order_number, slug):
    answer = shop.post("/api/v1/checkout", json=checkout_body(slug), headers={"Accept-Language": "en"})
    assert errors_of(answer) == [{"field": "lines.0.slug", "message": NOT_ALLOWED}]
    sale = shop.post("/api/v1/staff/sales", json={"lines": [{"slug": slug}]}, headers=STAFF)
    assert [e["field"] for e in errors_of(sale)] == ["lines.0.slug"]


@pytest.mark.parametrize("route", ["packed", "cancel", "confirm-payment", "refunds"])
def test_an_order_number_with_a_nul_character_is_not_found(shop, order_number, route):
    body = {"amount": 1, "via": "cash"} if route == "refunds" else {}
    answer = shop.post(f"/api/v1/staff/orders/{order_number}%00/{route}", json=body, headers=STAFF)
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"] == "not_found"


def test_an_order_token_with_a_nul_character_is_not_found(shop, order_number):
    answer = shop.get("/api/v1/orders/" + "a" * 30 + "%00")
    assert answer.status_code == 404


def test_an_in_person_sale_for_an_address_that_is_not_one_is_refused(shop, order_number):
    """Its receipt could not be sent: refused before anything is sold (it was a 500)."""
    body = {"lines": [{"slug": "morral"}], "email": "0" * 60}
    answer = shop.post("/api/v1/staff/sales", json=body, headers=STAFF)
    assert [e["field"] for e in errors_of(answer)] == ["email"]
    fine = shop.post("/api/v1/staff/sales", json={**body, "email": "ana@example.org"}, headers=STAFF)
    assert fine.status_code == 201, fine.text
