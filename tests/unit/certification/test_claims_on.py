"""The claim read from the records: certificates, their scope, licences and sanctions in the database give the
same answer as the rule, on SQLite and PostgreSQL, and every change to them is audited."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop.accounts.models import Role
from shop.audit import act_as
from shop.audit.models import AuditEvent
from shop.catalogue.revision import current
from shop.certification.claim import CertificateStatus
from shop.certification.models import (
    Certificate,
    CertificateProduct,
    CertificateWeaver,
    LabelLicence,
    WeaverSanction,
)
from shop.certification.service import claims_on

DAY = date(2026, 6, 1)


def renewal(records, number: str, **changes) -> Certificate:
    """A next certificate of the same scheme, not yet certified."""
    values = {
        "scheme_id": records["scheme"].id,
        "certifier": "Certimex",
        "number": number,
        "status": CertificateStatus.applicant,
        "valid_from": date(2027, 3, 1),
        "expires_on": date(2028, 2, 28),
        "supersedes_id": records["certificate"].id,
    }
    return Certificate(**(values | changes))


def test_a_product_in_scope_carries_the_claim_and_one_outside_does_not(session, records):
    claims = claims_on(session, [records["huipil"].id, records["bag"].id], DAY)
    assert [c.certificate for c in claims[records["huipil"].id]] == ["SPP-2026-041"]
    assert claims[records["bag"].id] == ()
    session.add(CertificateProduct(certificate_id=records["certificate"].id, product_id=records["bag"].id))
    session.commit()
    assert [c.scheme for c in claims_on(session, [records["bag"].id], DAY)[records["bag"].id]] == [
        "Símbolo de Pequeños Productores"
    ]


def test_the_boundaries_and_the_grace_come_from_the_rows(session, records):
    huipil = records["huipil"].id
    assert claims_on(session, [huipil], date(2026, 2, 28))[huipil] == ()
    assert claims_on(session, [huipil], date(2027, 3, 30))[huipil] != ()  # 30 days of renewal grace
    assert claims_on(session, [huipil], date(2027, 3, 31))[huipil] == ()


def test_a_decided_renewal_takes_over_from_its_first_day_and_ends_the_old_grace(session, records):
    """A renewal that starts inside the old certificate's grace and is then suspended (or narrowed) must not let
    the grace keep the old mark alive; a pending application leaves the grace standing."""
    huipil = records["huipil"].id
    renewed = renewal(records, "SPP-2027-001", valid_from=date(2027, 3, 10))
    session.add(renewed)
    session.commit()
    assert claims_on(session, [huipil], date(2027, 3, 20))[huipil] != ()  # an application: still in grace
    renewed.status = CertificateStatus.certified
    session.commit()
    assert [c.certificate for c in claims_on(session, [huipil], date(2027, 3, 9))[huipil]] == ["SPP-2026-041"]
    assert claims_on(session, [huipil], date(2027, 3, 10))[huipil] == ()  # the renewal covers nothing yet
    session.add(CertificateProduct(certificate_id=renewed.id, product_id=huipil))
    session.add_all(CertificateWeaver(certificate_id=renewed.id, weaver_id=records[w].id) for w in ("rosa", "pascuala"))
    session.commit()
    assert [c.certificate for c in claims_on(session, [huipil], date(2027, 3, 20))[huipil]] == ["SPP-2027-001"]
    renewed.status = CertificateStatus.suspended
    session.commit()
    assert claims_on(session, [huipil], date(2027, 3, 20))[huipil] == ()


def test_suspending_the_certificate_takes_the_claim_away(session, records):
    records["certificate"].status = CertificateStatus.suspended
    session.commit()
    assert claims_on(session, [records["huipil"].id], DAY)[records["huipil"].id] == ()


def test_a_sanction_takes_the_weavers_pieces_out_until_it_is_lifted(session, records):
    session.add(WeaverSanction(weaver_id=records["rosa"].id, reason="Tinte no declarado", starts_on=date(2026, 5, 1)))
    session.commit()
    huipil = records["huipil"].id
    assert claims_on(session, [huipil], date(2026, 4, 30))[huipil] != ()
    assert claims_on(session, [huipil], DAY)[huipil] == ()
    sanction = session.scalars(select(WeaverSanction)).one()
    sanction.lifted_on = date(2026, 5, 31)
    session.commit()
    assert claims_on(session, [huipil], DAY)[huipil] != ()


def test_a_scheme_that_needs_a_licence_waits_for_it(session, records):
    records["scheme"].needs_licence = True
    session.commit()
    huipil = records["huipil"].id
    assert claims_on(session, [huipil], DAY)[huipil] == ()
    session.add(
        LabelLicence(
            certificate_id=records["certificate"].id,
            reference="Contrato de usuario SPP 17",
            signed_on=date(2026, 4, 20),
            valid_from=date(2026, 5, 1),
        )
    )
    session.commit()
    assert claims_on(session, [huipil], date(2026, 4, 30))[huipil] == ()
    assert claims_on(session, [huipil], DAY)[huipil] != ()


def test_every_change_a_person_makes_to_a_certificate_is_in_the_audit_log(session, records):
    act_as(session, make_user(session, roles=[Role.council], username="carmen", name="Carmen López"))
    renewed = renewal(records, "SPP-2027-001")
    session.add(renewed)
    session.commit()
    renewed.status = CertificateStatus.certified
    session.commit()
    changes = session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "certificates").order_by(AuditEvent.id)
    ).all()
    assert [(event.action, event.actor_name) for event in changes] == [
        ("create", "Carmen López"),
        ("update", "Carmen López"),
    ]
    assert changes[0].after["number"] == "SPP-2027-001"
    assert (changes[1].before, changes[1].after) == ({"status": "applicant"}, {"status": "certified"})


def test_the_database_refuses_impossible_dates_and_a_second_renewal(session, records):
    session.add(renewal(records, "SPP-X", valid_from=date(2027, 1, 1), expires_on=date(2026, 1, 1), supersedes_id=None))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    session.add_all([renewal(records, "SPP-2027-001"), renewal(records, "SPP-2027-002")])
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_a_change_to_the_records_behind_the_mark_tells_the_store_pages_to_render_again(session, records):
    """Cached store pages compare the catalogue revision; a suspension must move it like a product change."""
    before = current(session.connection())
    records["certificate"].status = CertificateStatus.suspended
    session.commit()
    suspended = current(session.connection())
    assert suspended == before + 1
    session.add(WeaverSanction(weaver_id=records["rosa"].id, reason="Tinte no declarado", starts_on=DAY))
    session.commit()
    assert current(session.connection()) == suspended + 1
