"""What the council's screens read: each certificate's status as shown on a day and whether its mark is in use,
by the claim function's own rule (a licence the scheme needs, a renewal that took over)."""

from __future__ import annotations

from datetime import date

from shop.certification.claim import CertificateStatus
from shop.certification.models import Certificate, LabelLicence, WeaverSanction
from shop.certification.register import certificate_file, certificate_rows

DAY = date(2026, 6, 1)


def test_a_certificate_in_force_marks_and_one_needing_a_licence_waits_for_it(session, records):
    (row,) = certificate_rows(session, DAY)
    assert (row.status, row.marks) == (CertificateStatus.certified, True)
    records["scheme"].needs_licence = True
    session.commit()
    assert certificate_rows(session, DAY)[0].marks is False
    session.add(
        LabelLicence(
            certificate_id=records["certificate"].id,
            reference="SPP-USO-1",
            signed_on=date(2026, 2, 1),
            valid_from=date(2026, 3, 1),
        )
    )
    session.commit()
    assert certificate_rows(session, DAY)[0].marks is True


def test_after_expiry_and_after_a_decided_renewal_the_status_follows(session, records):
    assert certificate_rows(session, date(2027, 3, 1))[0].status is CertificateStatus.expired
    renewal = Certificate(
        scheme_id=records["scheme"].id,
        certifier="Certimex",
        number="SPP-2027-001",
        status=CertificateStatus.provisional,
        valid_from=date(2027, 3, 1),
        expires_on=date(2028, 2, 28),
        supersedes_id=records["certificate"].id,
    )
    session.add(renewal)
    session.commit()
    rows = {row.certificate.number: row for row in certificate_rows(session, date(2027, 3, 1))}
    assert rows["SPP-2026-041"].status is CertificateStatus.superseded
    assert rows["SPP-2026-041"].renewed_by.number == "SPP-2027-001"
    assert rows["SPP-2027-001"].status is CertificateStatus.provisional


def test_the_file_shows_which_weavers_are_sanctioned_today(session, records):
    session.add(WeaverSanction(weaver_id=records["rosa"].id, reason="Tinte no declarado", starts_on=date(2026, 5, 1)))
    session.commit()
    page = certificate_file(session, records["certificate"].id, DAY)
    assert {w.weaver.id: w.sanctioned for w in page.weavers} == {
        records["rosa"].id: True,
        records["pascuala"].id: False,
    }
    assert [c.id for c in page.categories] == [records["huipil"].category_id]
    assert certificate_file(session, records["certificate"].id, date(2026, 4, 30)).weavers[0].sanctioned is False
