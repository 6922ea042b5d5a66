"""An order line keeps the claims its piece carried when ordered; later changes to the certificate leave the
order as it was sold."""

from __future__ import annotations

from datetime import date

from factories import fresh, place
from sqlalchemy import select

from shop.certification.claim import CertificateStatus
from shop.orders.models import OrderLine


def lines_by_product(session) -> dict[int, list[dict]]:
    fresh(session)
    return {line.product_id: line.fair_trade for line in session.scalars(select(OrderLine))}


def test_each_line_snapshots_the_claims_of_its_piece_and_keeps_them(session, records):
    certificate = records["certificate"]
    certificate.valid_from, certificate.expires_on = date(2020, 1, 1), date(2099, 12, 31)
    session.commit()
    place(session, [(records["huipil"], 1), (records["bag"], 1)])
    session.commit()
    expected = [
        {
            "scheme": "Símbolo de Pequeños Productores",
            "kind": "product",
            "certificate": "SPP-2026-041",
            "wording_es": "Producto certificado SPP",
            "wording_en": "SPP certified product",
        }
    ]
    assert lines_by_product(session) == {records["huipil"].id: expected, records["bag"].id: []}
    certificate = session.get(type(certificate), certificate.id)
    certificate.status = CertificateStatus.suspended
    session.commit()
    assert lines_by_product(session)[records["huipil"].id] == expected
