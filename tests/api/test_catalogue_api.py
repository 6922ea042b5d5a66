import re
from html import unescape

import pytest


def test_products_list_carries_what_the_product_page_shows(client, shop_data):
    body = client.get("/api/v1/products").json()
    assert body["total"] == 4 and body["page"] == 1 and body["next"] is None
    item = next(i for i in body["items"] if i["slug"] == "huipil-rombos")
    page = unescape(client.get("/en/products/huipil-rombos").text)
    assert item["title"] == {"es": "Huipil de rombos", "en": "Diamond huipil"}
    assert item["price"]["amount"] == 650_000 and item["price"]["currency"] == "MXN"
    assert item["price"]["formatted"]["en"] in page
    approx = item["approximate_prices"][0]
    assert (approx["currency"], approx["amount"], approx["rate"], approx["rate_date"]) == (
        "USD",
        35700,
        "18.20",
        "2026-11-27",
    )
    assert item["availability"]["label"]["en"] in page
    assert item["availability"]["state"] == "one_of_a_kind"
    assert item["technique"]["en"] in page and item["materials"]["en"] in page and item["natural_dyes"]["en"] in page
    assert item["dimensions"]["text"]["en"] in page
    assert item["woven_by"]["en"] in page
    assert [w["slug"] for w in item["weavers"]] == ["maria-perez"]
    assert item["weavers"][0]["bio"]["en"] in page
    assert len(item["images"]) == 2
    for image in item["images"]:
        path = re.sub(r"^http://testserver", "", image["thumbnails"][0]["url"])
        assert path in page
        assert client.get(path).status_code == 200
    assert item["url"]["es"] == "http://testserver/es/products/huipil-rombos"


def test_private_weavers_never_appear_in_the_api(client, shop_data):
    body = client.get("/api/v1/products/bolsa-compartida").json()
    assert [w["name"] for w in body["weavers"]] == ["María Pérez Hernández"]
    assert "Juana" not in client.get("/api/v1/products/bolsa-compartida").text
    assert "Juana" not in client.get("/api/v1/products/morral-lana").text
    assert body["availability"]["lead_time_days"] == 21
    assert body["deposit"]["amount"] == 60_000
    weavers = client.get("/api/v1/weavers").json()
    assert [w["slug"] for w in weavers] == ["maria-perez"]
    assert client.get("/api/v1/weavers/juana-diaz").status_code == 404


def test_filters_search_sort_and_pages(client, shop_data):
    bags = client.get("/api/v1/products", params={"category": "bolsas", "sort": "price_asc"}).json()
    assert [i["slug"] for i in bags["items"]] == ["morral-lana", "bolsa-compartida"]
    found = client.get("/api/v1/products", params={"q": "universe"}).json()
    assert [i["slug"] for i in found["items"]] == ["huipil-rombos"]
    first = client.get("/api/v1/products", params={"page_size": 3}).json()
    assert first["pages"] == 2 and first["next"].endswith("page_size=3&page=2")
    second = client.get(first["next"]).json()
    assert second["previous"] and len(second["items"]) == 1


def test_categories_with_counts(client, shop_data):
    body = client.get("/api/v1/categories").json()
    assert [(c["slug"], c["product_count"]) for c in body] == [("huipiles", 2), ("bolsas", 2)]
    assert body[1]["name"] == {"es": "Bolsas", "en": "Bags"}


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/products/borrador", 404, "not_found"),
        ("/api/v1/products?page=0", 422, "validation_failed"),
        ("/api/v1/products?sort=random", 422, "validation_failed"),
        ("/api/v1/products?page_size=1000", 422, "validation_failed"),
        ("/api/v1/products?category=nope", 404, "not_found"),
        ("/api/v1/nothing", 404, "not_found"),
    ],
)
def test_errors_use_one_shape(client, shop_data, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["detail"], str) and body["detail"]


def test_error_messages_follow_accept_language(client):
    response = client.get("/api/v1/products?page=abc", headers={"Accept-Language": "es-MX"})
    assert response.json()["errors"] == [{"field": "page", "message": "Escribe un número entero, sin decimales."}]
    response = client.get("/api/v1/products?page=abc", headers={"Accept-Language": "en"})
    assert response.json()["errors"][0]["message"] == "Enter a whole number."


def test_wrong_method_is_refused_in_json(client):
    response = client.post("/api/v1/products")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_openapi_docs(client):
    assert client.get("/api/docs").status_code == 200
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/products", "/api/v1/products/{slug}", "/api/v1/weavers", "/api/v1/categories"} <= set(
        spec["paths"]
    )
    assert not [p for p in spec["paths"] if not p.startswith("/api/")]
