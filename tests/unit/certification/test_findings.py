"""Non-conformities close only with evidence and a word on the action, reopen without a closed date, are
highlighted when serious and late; the home's alerts come 60 and 14 days ahead and for late actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import message_of
from sqlalchemy.exc import IntegrityError

from shop.certification.claim import CertificateStatus
from shop.certification.findings import alerts, close, overdue, reopen
from shop.certification.models import (
    ActionKind,
    AuditKind,
    Certificate,
    CertificationAudit,
    CorrectiveAction,
    CriterionType,
    NonConformity,
    Severity,
)
from shop.errors import InvalidState, ValidationFailed
from shop.i18n import translator

es = translator("es")
DAY = date(2026, 6, 1)


@pytest.fixture
def finding(session, records):
    audit = CertificationAudit(
        certificate_id=records["certificate"].id,
        kind=AuditKind.surveillance,
        held_on=date(2026, 5, 10),
        auditors="Certimex: L. Ruiz",
        result="Aprobado con condiciones",
    )
    session.add(audit)
    session.flush()
    found = NonConformity(
        audit_id=audit.id,
        criterion="4.2.1 Registro de precios pagados",
        criterion_type=CriterionType.core,
        severity=Severity.major,
        description="No hay recibos de lo pagado a tres tejedoras en marzo.",
        deadline=date(2026, 5, 31),
    )
    session.add(found)
    session.commit()
    return found


def test_closing_needs_the_evidence_and_a_word_on_whether_it_worked(session, finding):
    with pytest.raises(ValidationFailed) as refused:
        close(finding, evidence_path="", effectiveness="  ", on=DAY)
    assert sorted(problem.field for problem in refused.value.errors) == ["effectiveness", "evidence"]
    assert [es.gettext(problem.message) for problem in refused.value.errors] == [
        "Adjunta la evidencia de que la acción se llevó a cabo.",
        "Escribe si la acción funcionó.",
    ]
    close(finding, evidence_path="certification/evidence/recibos-marzo.pdf", effectiveness="Sí: recibos al día", on=DAY)
    session.commit()
    assert (finding.closed_on, finding.effectiveness) == (DAY, "Sí: recibos al día")
    with pytest.raises(InvalidState) as again:
        close(finding, evidence_path="x.pdf", effectiveness="otra vez", on=DAY)
    assert message_of(again.value) == "This non-conformity is already closed."


def test_reopening_clears_the_closed_date_and_keeps_the_evidence(session, finding):
    with pytest.raises(InvalidState):
        reopen(finding)
    close(finding, evidence_path="certification/evidence/recibos.pdf", effectiveness="Sí", on=DAY)
    reopen(finding)
    session.commit()
    assert finding.closed_on is None and finding.evidence_path == "certification/evidence/recibos.pdf"


def test_the_database_refuses_a_closed_finding_without_evidence(session, finding):
    finding.closed_on = DAY
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


@pytest.mark.parametrize(
    ("severity", "deadline", "closed", "late"),
    [
        (Severity.major, date(2026, 5, 31), False, True),
        (Severity.critical, date(2026, 5, 31), False, True),
        (Severity.major, DAY, False, False),  # due today: not late yet
        (Severity.minor, date(2026, 5, 1), False, False),  # not serious
        (Severity.observation, date(2026, 5, 1), False, False),
        (Severity.major, date(2026, 5, 1), True, False),  # closed
    ],
)
def test_only_an_open_serious_finding_past_its_deadline_is_highlighted(severity, deadline, closed, late):
    finding = NonConformity(
        audit_id=1,
        criterion="c",
        criterion_type=CriterionType.core,
        severity=severity,
        description="d",
        deadline=deadline,
        closed_on=DAY if closed else None,
    )
    assert overdue(finding, DAY) is late


def test_alerts_come_60_and_14_days_ahead_and_for_what_is_late(session, records, finding):
    certificate = records["certificate"]
    certificate.expires_on = DAY + timedelta(days=60)
    certificate.next_audit_due = DAY + timedelta(days=14)
    session.add(
        CorrectiveAction(
            non_conformity_id=finding.id,
            kind=ActionKind.corrective,
            description="Entregar recibo en cada pago",
            owner="Tesorera",
            deadline=date(2026, 5, 20),
        )
    )
    session.commit()
    found = [(a.kind, a.due, a.days_left, a.urgent) for a in alerts(session, DAY)]
    assert found == [
        ("action", date(2026, 5, 20), -12, True),
        ("finding", date(2026, 5, 31), -1, True),
        ("audit", DAY + timedelta(days=14), 14, True),
        ("expiry", DAY + timedelta(days=60), 60, False),
    ]
    # A day earlier the expiry is 61 days away: no alert yet. Closing the finding ends both its alerts.
    assert "expiry" not in {a.kind for a in alerts(session, DAY - timedelta(days=1))}
    close(finding, evidence_path="certification/evidence/recibos.pdf", effectiveness="Sí", on=DAY)
    session.commit()
    assert [a.kind for a in alerts(session, DAY)] == ["audit", "expiry"]


def test_a_renewed_certificate_no_longer_alerts_for_its_expiry_or_audit(session, records):
    old = records["certificate"]
    old.expires_on, old.next_audit_due = DAY + timedelta(days=10), DAY + timedelta(days=5)
    session.commit()
    assert [a.kind for a in alerts(session, DAY)] == ["audit", "expiry"]
    application = Certificate(
        scheme_id=old.scheme_id,
        certifier="Certimex",
        number="SPP-2027-001",
        status=CertificateStatus.applicant,
        valid_from=old.expires_on + timedelta(days=1),
        expires_on=date(2028, 2, 29),
        supersedes_id=old.id,
    )
    session.add(application)
    session.commit()
    assert [a.kind for a in alerts(session, DAY)] == ["audit", "expiry"]  # only applied for: still due
    application.status = CertificateStatus.certified
    session.commit()
    assert alerts(session, DAY) == []


def test_a_lapsed_certificate_never_renewed_stops_raising_alerts(session, records):
    old = records["certificate"]
    old.expires_on, old.next_audit_due = DAY - timedelta(days=1), DAY - timedelta(days=30)
    session.commit()
    assert alerts(session, DAY) == []
