"""The JSON API's ``fair_trade`` list: the claim with its scheme, kind, certificate and wording, on the product and
in the listing, under the claim function's condition alone, and read for a whole page in one batch."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from certification_records import records  # noqa: F401  (fixture)
from factories import make_product
from sqlalchemy import event

from shop import clock
from shop.catalogue.models import Category
from shop.certification.claim import CertificateStatus, ClaimKind
from shop.certification.models import LabelLicence, WeaverSanction

SPP = {
    "scheme": "Símbolo de Pequeños Productores",
    "kind": "product",
    "certificate": "SPP-2026-041",
    "wording": {"es": "Producto certificado SPP", "en": "SPP certified product"},
}


@pytest.fixture(autouse=True)
def midyear(monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 6, 1, 18, 0, tzinfo=UTC))


def listed(client, **query) -> dict[str, list]:
    items = client.get("/api/v1/products", params={"page_size": 48, **query}).json()["items"]
    return {item["slug"]: item["fair_trade"] for item in items}


def test_the_product_and_the_listing_carry_the_claim_only_in_scope(client, records):  # noqa: F811
    huipil, bag = records["huipil"], records["bag"]
    assert client.get(f"/api/v1/products/{huipil.slug}").json()["fair_trade"] == [SPP]
    assert client.get(f"/api/v1/products/{bag.slug}").json()["fair_trade"] == []
    assert listed(client) == {huipil.slug: [SPP], bag.slug: []}


@pytest.mark.parametrize("breaks", ["suspended", "sanctioned"])
def test_the_claim_leaves_the_api_with_the_records(client, session, records, breaks):  # noqa: F811
    if breaks == "suspended":
        records["certificate"].status = CertificateStatus.suspended
    else:
        session.add(WeaverSanction(weaver_id=records["rosa"].id, reason="Tinte", starts_on=date(2026, 6, 1)))
    session.commit()
    huipil = records["huipil"]
    assert client.get(f"/api/v1/products/{huipil.slug}").json()["fair_trade"] == []
    assert listed(client, sort="price_asc")[huipil.slug] == []


def test_an_organisation_claim_is_marked_as_the_cooperatives(client, session, records):  # noqa: F811
    scheme = records["scheme"]
    scheme.claim_kind, scheme.needs_licence = ClaimKind.organisation, True
    scheme.wording_en = "Made by a verified fair-trade organisation"
    session.add(
        LabelLicence(
            certificate_id=records["certificate"].id,
            reference="L-1",
            signed_on=date(2026, 2, 1),
            valid_from=date(2026, 2, 1),
        )
    )
    session.commit()
    (claim,) = client.get(f"/api/v1/products/{records['huipil'].slug}").json()["fair_trade"]
    assert (claim["kind"], claim["wording"]["en"]) == ("organisation", "Made by a verified fair-trade organisation")


def _claim_statements(engine, run) -> int:
    """How many SQL statements ``run`` sends that read the certification records."""
    counted: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "certificate" in statement.lower():
            counted.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def test_a_page_of_products_reads_its_claims_in_one_batch(client, session, engine, records):  # noqa: F811
    """Never one query per product: the claims cost the same for two cards as for six."""
    kept = client.app.state.revision_store
    kept.stamp = None  # what a first visit after a change meets: nothing kept yet (shop.api.http.revision_store)
    few = _claim_statements(engine, lambda: (client.get("/api/v1/products?sort=newest"), client.get("/es/products")))
    textiles = session.get(Category, records["huipil"].category_id)
    for _ in range(4):
        make_product(session, category=textiles, weavers=[(records["rosa"], 10_000)])
    session.commit()
    assert len(listed(client, sort="price_desc")) == 6
    kept.stamp = None
    many = _claim_statements(
        engine, lambda: (client.get("/api/v1/products?sort=price_asc"), client.get("/es/products?sort=price_asc"))
    )
    assert 0 < few == many
