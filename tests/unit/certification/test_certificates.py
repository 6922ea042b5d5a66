"""Recording certificates: one transition function with the certifier's legal moves, expired and superseded
shown from the dates and renewals, and a renewal as a new row that leaves the old one as it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from factories import message_of
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.certification.certificates import MOVES, CertificateDraft, move, record, shown_status
from shop.certification.claim import CertificateStatus as S
from shop.certification.models import Certificate, CertificateCategory, CertificateWeaver
from shop.errors import Conflict, InvalidState, ValidationFailed
from shop.i18n import translator

es = translator("es")


def draft(records, **changes) -> CertificateDraft:
    values = CertificateDraft(
        scheme_id=records["scheme"].id,
        certifier="Certimex",
        number="SPP-2027-001",
        valid_from=date(2027, 3, 1),
        expires_on=date(2028, 2, 29),
        category_ids=frozenset({records["huipil"].category_id}),
        weaver_ids=frozenset({records["rosa"].id}),
    )
    return replace(values, **changes)


def unsaved(status: S) -> Certificate:
    """A certificate valid through 2026, not in any database: the rules here read only its fields."""
    return Certificate(
        scheme_id=1,
        certifier="c",
        number="N-1",
        status=status,
        valid_from=date(2026, 1, 1),
        expires_on=date(2026, 12, 31),
    )


@pytest.mark.parametrize("start", list(MOVES))
@pytest.mark.parametrize("to", list(S))
def test_only_the_legal_moves_are_taken(start, to):
    certificate = unsaved(start)
    legal = {
        S.applicant: {S.provisional, S.certified, S.withdrawn},
        S.provisional: {S.certified, S.suspended, S.withdrawn},
        S.certified: {S.suspended, S.withdrawn},
        S.suspended: {S.certified, S.withdrawn},
        S.withdrawn: set(),
    }[start]
    if to in legal:
        move(certificate, to)
        assert certificate.status is to
    else:
        with pytest.raises(InvalidState) as refused:
            move(certificate, to)
        assert message_of(refused.value).startswith("Certificate N-1 is ")
        assert certificate.status is start


def test_the_refusal_reads_in_spanish():
    certificate = unsaved(S.withdrawn)
    with pytest.raises(InvalidState) as refused:
        move(certificate, S.certified)
    assert (
        refused.value.translated(es.gettext)
        == "El certificado N-1 está retirado, así que no puede pasar a certificado."
    )


def test_expired_and_superseded_follow_from_the_dates_and_the_renewal():
    certificate = unsaved(S.certified)
    assert shown_status(certificate, date(2026, 12, 31)) is S.certified
    assert shown_status(certificate, date(2027, 1, 1)) is S.expired
    assert shown_status(certificate, date(2026, 5, 31), taken_over_from=date(2026, 6, 1)) is S.certified
    assert shown_status(certificate, date(2026, 6, 1), taken_over_from=date(2026, 6, 1)) is S.superseded
    certificate.status = S.suspended
    assert shown_status(certificate, date(2027, 1, 1)) is S.suspended


def test_a_certificate_is_recorded_with_its_scope(session, records):
    certificate = record(session, draft(records, status=S.certified, sites="Nachij\nZinacantán centro"))
    session.commit()
    assert (certificate.number, certificate.status, certificate.supersedes_id) == ("SPP-2027-001", S.certified, None)
    categories = session.scalars(
        select(CertificateCategory.category_id).where(CertificateCategory.certificate_id == certificate.id)
    )
    weavers = session.scalars(
        select(CertificateWeaver.weaver_id).where(CertificateWeaver.certificate_id == certificate.id)
    )
    assert (list(categories), list(weavers)) == ([records["huipil"].category_id], [records["rosa"].id])


def test_bad_details_are_refused_field_by_field_and_nothing_is_written(session, records):
    bad = draft(
        records,
        certifier=" ",
        number="",
        expires_on=date(2027, 1, 1),
        status=S.suspended,
        category_ids=frozenset(),
    )
    with pytest.raises(ValidationFailed) as refused:
        record(session, bad)
    assert sorted(p.field for p in refused.value.errors) == ["certifier", "expires_on", "number", "scope", "status"]
    assert es.gettext("Choose the categories or pieces it covers.") == "Elige las categorías o las piezas que cubre."
    assert session.scalar(select(Certificate.id).where(Certificate.number == "")) is None


def test_a_renewal_is_a_new_row_and_the_old_one_is_left_as_it_was(session, records):
    from factories import make_user

    from shop.accounts.models import Role
    from shop.audit import act_as

    old = records["certificate"]
    act_as(session, make_user(session, roles=[Role.council], username="carmen", name="Carmen López"))
    session.commit()
    renewal = record(session, draft(records), renews=old.id)
    session.commit()
    assert renewal.supersedes_id == old.id
    touched = session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "certificates", AuditEvent.entity_id == str(old.id))
    ).all()
    assert touched == []  # the old certificate was not edited
    with pytest.raises(Conflict) as twice:
        record(session, draft(records, number="SPP-2027-002"), renews=old.id)
    assert message_of(twice.value) == "Certificate SPP-2026-041 has already been renewed."
