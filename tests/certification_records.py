"""Certification records the tests share: the SPP scheme, a certificate of it covering a category and two
weavers, a huipil in scope and a bag outside it. Import the fixture into a conftest or a test module."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_category, make_product, make_weaver

from shop.certification.claim import CertificateStatus, ClaimKind
from shop.certification.models import Certificate, CertificateCategory, CertificateWeaver, Scheme


@pytest.fixture
def records(session):
    textiles = make_category(session)
    rosa, pascuala = make_weaver(session), make_weaver(session)
    huipil = make_product(session, category=textiles, weavers=[(rosa, 6000), (pascuala, 4000)])
    bag = make_product(session, weavers=[(rosa, 10_000)])  # another category
    spp = Scheme(
        name="Símbolo de Pequeños Productores",
        owner="SPP Global",
        standard_name="Norma General SPP",
        standard_version="2.0",
        claim_kind=ClaimKind.product,
        wording_es="Producto certificado SPP",
        wording_en="SPP certified product",
        renewal_grace_days=30,
    )
    session.add(spp)
    session.flush()
    certificate = Certificate(
        scheme_id=spp.id,
        certifier="Certimex",
        number="SPP-2026-041",
        status=CertificateStatus.certified,
        valid_from=date(2026, 3, 1),
        expires_on=date(2027, 2, 28),
    )
    session.add(certificate)
    session.flush()
    session.add(CertificateCategory(certificate_id=certificate.id, category_id=textiles.id))
    session.add_all(CertificateWeaver(certificate_id=certificate.id, weaver_id=w.id) for w in (rosa, pascuala))
    session.commit()
    return {"huipil": huipil, "bag": bag, "rosa": rosa, "pascuala": pascuala, "certificate": certificate, "scheme": spp}
