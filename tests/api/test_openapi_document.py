"""What the OpenAPI document says about failures and credentials, checked route by route."""

from __future__ import annotations

import pytest
from factories import STAFF, checkout_body

ERROR_BODY = "#/components/schemas/ErrorBody"


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/openapi.json").json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def error_schema(answer: dict) -> str | None:
    return answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def test_every_documented_failure_has_the_one_error_body(spec):
    failures = {
        (name, status): error_schema(answer)
        for name, operation in operations(spec)
        for status, answer in operation["responses"].items()
        if status.startswith("4")
    }
    assert failures
    assert {key: ref for key, ref in failures.items() if ref != ERROR_BODY} == {}
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"error", "detail"}
    assert body["properties"]["errors"]["anyOf"][0]["items"]["$ref"] == "#/components/schemas/FieldError"


def test_422_only_where_input_can_be_invalid(spec):
    """FastAPI's generated 422 (HTTPValidationError) is gone: a slug in the path cannot be invalid."""
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    statuses = {name: set(operation["responses"]) for name, operation in operations(spec)}
    assert statuses["GET /api/v1/products/{slug}"] == {"200", "404"}
    assert statuses["GET /api/v1/orders/{token}"] == {"200", "404"}
    assert statuses["GET /api/v1/categories"] == {"200"}
    assert statuses["GET /api/v1/products"] == {"200", "404", "422"}


def test_every_body_may_be_refused_as_unreadable_too_large_or_invalid(spec):
    with_body = {
        name: set(operation["responses"]) for name, operation in operations(spec) if "requestBody" in operation
    }
    assert len(with_body) == 13
    assert {name for name, statuses in with_body.items() if not {"400", "413"} <= statuses} == set()
    assert {name for name, statuses in with_body.items() if "422" not in statuses} == {
        "POST /api/v1/payments/stripe/webhook"
    }


def test_placing_an_order_documents_its_limits_and_stripe(spec):
    answers = spec["paths"]["/api/v1/checkout"]["post"]["responses"]
    assert {"201", "400", "404", "409", "413", "422", "429", "502", "503"} == set(answers)
    assert answers["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_staff_routes_declare_the_bearer_key_and_public_ones_do_not(spec):
    assert spec["components"]["securitySchemes"] == {
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "jj_…",
            "description": "A personal API key, made with `shop user api-key`, sent as `Authorization: Bearer jj_…`.",
        }
    }
    secured = {name for name, operation in operations(spec) if operation.get("security") == [{"apiKey": []}]}
    staff = {name for name, _ in operations(spec) if "/api/v1/staff/" in name}
    assert len(staff) == 11
    assert secured == staff
    for name, operation in operations(spec):
        assert ({"401", "403"} <= set(operation["responses"])) == (name in staff), name


def test_a_blank_required_field_reads_as_missing_in_the_documented_shape(shop, session):
    from factories import make_product, make_weaver

    make_product(session, slug="huipil", weavers=[(make_weaver(session, slug="maria"), 10_000)])
    session.commit()
    response = shop.post("/api/v1/checkout", json=checkout_body("huipil", name="  "), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json() == {
        "error": "validation_failed",
        "detail": "Please correct the marked fields.",
        "errors": [{"field": "buyer.name", "message": "This is required."}],
    }


def test_shipping_needs_a_carrier_and_a_tracking_number(shop):
    """Checked before the order is looked up; in the staff member's workspace language (Spanish)."""
    response = shop.post(
        "/api/v1/staff/orders/JJ-000001/shipped", json={"carrier": " ", "tracking_number": ""}, headers=STAFF
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "carrier", "message": "Este dato es obligatorio."},
        {"field": "tracking_number", "message": "Este dato es obligatorio."},
    ]
