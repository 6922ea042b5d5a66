"""The fair-trade claim on the store: the mark and the scheme's words on the product page, the product's
JSON-LD, its OpenGraph description and the JSON API appear and disappear together, under the claim function's
condition and no other; cached pages change at the exact validity boundary even when no row changes."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime

import pytest
from certification_records import records  # noqa: F401  (fixture)
from factories import make_weaver
from sqlalchemy import select

from shop import clock
from shop.certification.claim import CertificateStatus, ClaimKind
from shop.certification.models import Certificate, CertificateWeaver, LabelLicence, WeaverSanction

WORDING_ES, WORDING_EN = "Producto certificado SPP", "SPP certified product"


def frozen_at(monkeypatch, moment: datetime) -> None:
    """Freeze the shop's clock: every claim and the page cache's day read it through ``shop.clock``."""
    monkeypatch.setattr(clock, "utcnow", lambda: moment)


def json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


def og_description(page: str) -> str:
    return re.search(r'<meta property="og:description" content="([^"]*)"', page).group(1)


def everywhere(client, product) -> dict[str, bool]:
    """Whether the claim shows on each face of the product: its listing card, page, JSON-LD, OpenGraph, API."""
    page = client.get(f"/es/products/{product.slug}").text
    english = client.get(f"/en/products/{product.slug}").text
    api = client.get(f"/api/v1/products/{product.slug}").json()
    listing = client.get("/es/products").text
    card = re.search(rf'<li class="card">(?:(?!</li>).)*?/es/products/{product.slug}".*?</li>', listing, re.S).group(0)
    return {
        "card": 'class="fair-tag"' in card,
        "page": WORDING_ES in page and 'class="fair"' in page and WORDING_EN in english,
        "json_ld": [c["certificationIdentification"] for c in json_ld(page).get("hasCertification", [])]
        == ["SPP-2026-041"],
        "og": og_description(page).startswith(WORDING_ES),
        "api": [(c["scheme"], c["certificate"], c["wording"]["en"]) for c in api["fair_trade"]]
        == [("Símbolo de Pequeños Productores", "SPP-2026-041", WORDING_EN)],
    }


ALL = {"card": True, "page": True, "json_ld": True, "og": True, "api": True}
NONE = {"card": False, "page": False, "json_ld": False, "og": False, "api": False}


@pytest.fixture
def midyear(monkeypatch):
    frozen_at(monkeypatch, datetime(2026, 6, 1, 18, 0, tzinfo=UTC))


def test_the_claim_appears_everywhere_in_scope_and_nowhere_outside(client, records, midyear):
    assert everywhere(client, records["huipil"]) == ALL
    assert everywhere(client, records["bag"]) == NONE
    listing = client.get("/es/products").text
    assert listing.count('class="fair-tag"') == 1


def test_suspending_the_certificate_takes_the_claim_off_everywhere_at_once(client, session, records, midyear):
    assert everywhere(client, records["huipil"]) == ALL
    records["certificate"].status = CertificateStatus.suspended
    session.commit()
    assert everywhere(client, records["huipil"]) == NONE
    records["certificate"].status = CertificateStatus.certified
    session.commit()
    assert everywhere(client, records["huipil"]) == ALL


def test_a_sanctioned_weaver_or_one_outside_the_scope_takes_the_claim_off(client, session, records, midyear):
    session.add(
        WeaverSanction(weaver_id=records["pascuala"].id, reason="Tinte no declarado", starts_on=date(2026, 5, 1))
    )
    session.commit()
    assert everywhere(client, records["huipil"]) == NONE
    sanction = session.scalars(select(WeaverSanction)).one()
    sanction.lifted_on = date(2026, 5, 31)
    session.commit()
    assert everywhere(client, records["huipil"]) == ALL
    session.delete(session.get(CertificateWeaver, (records["certificate"].id, records["pascuala"].id)))
    session.commit()
    assert everywhere(client, records["huipil"]) == NONE


def test_an_organisation_scheme_verifies_the_cooperative_never_the_piece(client, session, records, midyear):
    spp = records["scheme"]
    spp.claim_kind, spp.needs_licence = ClaimKind.organisation, True
    spp.wording_es = "Hecho por una organización de comercio justo verificada"
    session.commit()
    huipil = records["huipil"]
    assert "verificada" not in client.get(f"/es/products/{huipil.slug}").text  # no licence yet: no mark
    session.add(
        LabelLicence(
            certificate_id=records["certificate"].id,
            reference="WFTO-L-9",
            signed_on=date(2026, 2, 1),
            valid_from=date(2026, 2, 1),
        )
    )
    session.commit()
    page = client.get(f"/es/products/{huipil.slug}").text
    data = json_ld(page)
    assert "hasCertification" not in data
    assert data["manufacturer"]["hasCertification"][0]["certificationIdentification"] == "SPP-2026-041"
    assert "Hecho por una organización de comercio justo verificada" in page
    assert "Membresía SPP-2026-041" in page and "Certificado SPP-2026-041" not in page
    assert "Lo verificado es la cooperativa como organización de comercio justo, no cada pieza." in page
    listing = client.get("/es/products").text
    assert listing.count('class="fair-tag"') == 1
    card_tag = re.search(r'<span class="fair-tag">(.*?)</span>', listing, re.S).group(1)
    assert "Cooperativa de comercio justo verificada" in card_tag and "certific" not in card_tag.lower()


@pytest.mark.parametrize(
    ("before", "after", "shown_before"),
    [
        # The grace ends: the last day is 2027-03-30 in Chiapas (30 days after the 2027-02-28 expiry).
        (datetime(2027, 3, 31, 5, 59, tzinfo=UTC), datetime(2027, 3, 31, 6, 0, tzinfo=UTC), True),
        # Validity starts on 2026-03-01 in Chiapas, six hours after midnight in UTC.
        (datetime(2026, 3, 1, 5, 59, tzinfo=UTC), datetime(2026, 3, 1, 6, 0, tzinfo=UTC), False),
    ],
)
def test_cached_pages_change_at_the_local_midnight_of_the_boundary(
    client,
    records,
    monkeypatch,
    before,
    after,
    shown_before,
):
    path = f"/es/products/{records['huipil'].slug}"
    frozen_at(monkeypatch, before)
    first = client.get(path)
    cached = client.get(path)
    assert cached.headers["x-cache"] == "hit"
    assert (WORDING_ES in first.text, WORDING_ES in cached.text) == (shown_before, shown_before)
    api = client.get(f"/api/v1/products/{records['huipil'].slug}")
    assert bool(api.json()["fair_trade"]) is shown_before
    frozen_at(monkeypatch, after)  # no row changes
    turned = client.get(path)
    assert turned.headers["x-cache"] == "miss"
    assert (WORDING_ES in turned.text) is not shown_before
    assert bool(client.get(f"/api/v1/products/{records['huipil'].slug}").json()["fair_trade"]) is not shown_before


# --- the public fair-trade page -------------------------------------------------------------------------


def test_the_page_lives_at_a_path_in_each_language(client, records, midyear):
    spanish = client.get("/es/comercio-justo")
    english = client.get("/en/fair-trade")
    assert (spanish.status_code, english.status_code) == (200, 200)
    assert "SPP-2026-041" in spanish.text and "Certimex" in spanish.text and "SPP-2026-041" in english.text
    assert 'hreflang="en" href="http://testserver/en/fair-trade"' in spanish.text
    switched = client.get("/en/comercio-justo", follow_redirects=False)
    assert (switched.status_code, switched.headers["location"]) == (301, "/en/fair-trade")
    bare = client.get("/fair-trade", headers={"accept-language": "es-MX"}, follow_redirects=False)
    assert bare.headers["location"] == "/es/comercio-justo"
    assert "/es/comercio-justo" in client.get("/es/").text  # linked from every store page
    assert "/en/fair-trade" in client.get("/sitemap.xml").text


def test_a_weaver_who_did_not_consent_is_never_named(client, session, records, midyear):
    private = make_weaver(session, consent=False, name="Xunka Private Name")
    session.add(CertificateWeaver(certificate_id=records["certificate"].id, weaver_id=private.id))
    session.commit()
    for path in ("/es/comercio-justo", "/en/fair-trade"):
        page = client.get(path).text
        assert "Xunka Private Name" not in page
        assert records["rosa"].name in page and records["pascuala"].name in page
    assert "1 tejedora que prefiere no dar su nombre" in client.get("/es/comercio-justo").text


def test_the_share_comes_from_the_split_rules(client, session, records, midyear):
    from shop.split_rules.service import set_split_rule

    set_split_rule(session, weavers_bp=8000)
    session.commit()
    assert ">80%<" in client.get("/es/comercio-justo").text
    set_split_rule(session, weavers_bp=8250)
    session.commit()
    assert ">82.5%<" in client.get("/es/comercio-justo").text
    # From the day the bylaws set the share, that is what sales use, and what the page says.
    from shop.cooperative import bylaws
    from shop.cooperative.rules import Bylaws

    bylaws.adopt(session, Bylaws(date(2026, 1, 1), 3, 5_100, True, weavers_bp=8_500), resolution_id=None, founding=True)
    session.commit()
    assert ">85%<" in client.get("/es/comercio-justo").text


def test_only_certificates_in_force_are_listed_and_findings_only_by_count(client, session, records, midyear):
    from shop.certification.models import AuditKind, CertificationAudit, CriterionType, NonConformity, Severity

    audit = CertificationAudit(
        certificate_id=records["certificate"].id, kind=AuditKind.surveillance, held_on=date(2026, 5, 1), auditors="L"
    )
    session.add(audit)
    session.flush()
    session.add(
        NonConformity(
            audit_id=audit.id,
            criterion="4.2.1",
            criterion_type=CriterionType.core,
            severity=Severity.major,
            description="Registro de horas incompleto",
            deadline=date(2026, 7, 1),
        )
    )
    session.commit()
    page = client.get("/es/comercio-justo").text
    assert "1 punto que todavía estamos corrigiendo" in page and "Registro de horas incompleto" not in page
    records["certificate"].status = CertificateStatus.suspended
    session.add(
        Certificate(
            scheme_id=records["scheme"].id,
            certifier="Certimex",
            number="SPP-APPLICANT",
            status=CertificateStatus.applicant,
            valid_from=date(2026, 1, 1),
            expires_on=date(2027, 1, 1),
        )
    )
    session.commit()
    page = client.get("/es/comercio-justo").text
    assert "SPP-2026-041" not in page and "SPP-APPLICANT" not in page
    assert "no tenemos ningún certificado de comercio justo vigente" in page.lower()
