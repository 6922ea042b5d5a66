"""The council's certificate screens: recording a certificate with its scope and PDF, the certifier's decisions
(which take the mark off the store at once), renewals, documents, licences, audits and schemes; only the
council and the admin see them, and bad input is answered beside its field with nothing written."""

from __future__ import annotations

import html

import pytest
from certification_records import records  # noqa: F401  (fixture)
from factories import fresh, photo_bytes
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person, signed_in

from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.certification.claim import CertificateStatus
from shop.certification.models import (
    Certificate,
    CertificateDocument,
    CertificationAudit,
    LabelLicence,
    Scheme,
)
from shop.certification.service import claims_on
from shop.i18n import translator

ES = translator("es")
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HOME = "/taller/certificacion"


@pytest.fixture
def council(app, session, records):
    person(session, "carmen", Role.council, name="Carmen López")
    return signed_in(app, "carmen")


def shown(text: str, page: str) -> bool:
    return html.escape(text, quote=False) in page


def send(client, path: str, data: dict, *, form_page: str, files=None):
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={**data, "csrf_token": token}, files=files, follow_redirects=False)


def count(session, model) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(model))


def new_certificate(records, **changes) -> dict:
    return {
        "scheme_id": str(records["scheme"].id),
        "certifier": "Certimex",
        "number": "SPP-2027-007",
        "status": "certified",
        "valid_from": "2026-01-01",
        "expires_on": "2027-12-31",
        "products": [str(records["bag"].id)],
        "weavers": [str(records["rosa"].id)],
        "sites": "Nachij\nZinacantán",
    } | changes


def test_the_council_records_a_certificate_with_its_pdf_and_the_bag_carries_the_mark(council, session, records):
    assert claims_on(session, [records["bag"].id])[records["bag"].id] == ()
    response = send(
        council,
        f"{HOME}/certificados/nuevo",
        new_certificate(records, document_title="Certificado firmado"),
        form_page=f"{HOME}/certificados/nuevo",
        files={"document": ("certificado.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303, response.text
    fresh(session)
    certificate = session.scalar(select(Certificate).where(Certificate.number == "SPP-2027-007"))
    assert response.headers["location"] == f"{HOME}/certificados/{certificate.id}"
    document = session.scalar(select(CertificateDocument))
    assert (document.certificate_id, document.title, document.media_type) == (
        certificate.id,
        "Certificado firmado",
        "application/pdf",
    )
    page = council.get(response.headers["location"]).text
    assert shown(ES.gettext("Certificate %(number)s is recorded.", number="SPP-2027-007"), page)
    assert shown(ES.gettext("The store shows its mark today on the pieces it covers."), page)
    assert "Zinacantán" in page
    stored = council.get(f"{HOME}/archivos/{document.stored_name}")
    assert (stored.status_code, stored.content, stored.headers["content-type"]) == (200, PDF, "application/pdf")
    assert stored.headers["cache-control"] == "private, no-store"
    assert "sandbox" in stored.headers["content-security-policy"]
    assert [c.certificate for c in claims_on(session, [records["bag"].id])[records["bag"].id]] == ["SPP-2027-007"]
    events = session.scalars(select(AuditEvent.entity).where(AuditEvent.actor_name == "Carmen López")).all()
    assert {"certificates", "certificate_products", "certificate_weavers", "certificate_documents"} <= set(events)


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"number": ""}, "Write the certificate or membership number."),
        ({"expires_on": "2025-12-31"}, "The expiry date is before the start of validity."),
        ({"valid_from": "31/01/2026"}, "Write the date as YYYY-MM-DD, for example 2026-11-27."),
        ({"products": [], "categories": []}, "Choose the categories or pieces it covers."),
        ({"status": "suspended"}, "A new certificate is an applicant, provisional or certified."),
        ({"scheme_id": "x"}, "Choose the scheme."),
        ({"scheme_id": "2147483647"}, "Choose the scheme."),
        ({"scheme_id": "99999999999"}, "Choose the scheme."),
        ({"products": ["999999"]}, "Something chosen is no longer there. Choose again."),
        ({"weavers": ["1", "2147483647"]}, "Something chosen is no longer there. Choose again."),
    ],
)
def test_a_certificate_with_a_mistake_is_refused_beside_the_field_and_nothing_is_kept(
    council,
    session,
    records,
    changes,
    field_message,
):
    before = count(session, Certificate)
    response = send(
        council,
        f"{HOME}/certificados/nuevo",
        new_certificate(records, **changes),
        form_page=f"{HOME}/certificados/nuevo",
        files={"document": ("certificado.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 422
    assert shown(ES.gettext(field_message), response.text)
    assert (count(session, Certificate), count(session, CertificateDocument)) == (before, 0)


def test_a_file_that_is_not_a_pdf_or_photo_leaves_no_certificate_and_no_file(council, session, records, settings):
    response = send(
        council,
        f"{HOME}/certificados/nuevo",
        new_certificate(records),
        form_page=f"{HOME}/certificados/nuevo",
        files={"document": ("cert.pdf", b"<html>not a pdf</html>", "application/pdf")},
    )
    assert response.status_code == 422
    assert shown(
        ES.gettext("This file is neither a PDF nor a photo we can read. Use a PDF, JPEG, PNG or WebP file."),
        response.text,
    )
    assert count(session, Certificate) == 1
    folder = settings.certification_dir
    assert not folder.exists() or list(folder.iterdir()) == []


def test_suspending_takes_the_mark_off_and_an_illegal_move_is_refused(council, session, records):
    huipil, certificate = records["huipil"].id, records["certificate"]
    page = f"{HOME}/certificados/{certificate.id}"
    assert claims_on(session, [huipil])[huipil] != ()
    response = send(council, f"{page}/estado", {"to": "suspended"}, form_page=page)
    assert (response.status_code, response.headers["location"]) == (303, page)
    assert shown(
        ES.gettext("Certificate %(number)s is now %(status)s.", number="SPP-2026-041", status=ES.gettext("suspended")),
        council.get(page).text,
    )
    fresh(session)
    assert session.get(Certificate, certificate.id).status is CertificateStatus.suspended
    assert claims_on(session, [huipil])[huipil] == ()
    refused = send(council, f"{page}/estado", {"to": "applicant"}, form_page=page)
    assert refused.status_code == 303
    assert "suspendido, así que no puede pasar a solicitante" in council.get(page).text
    fresh(session)
    assert session.get(Certificate, certificate.id).status is CertificateStatus.suspended


def test_a_renewal_starts_from_the_old_scope_and_leaves_the_old_certificate_as_it_was(council, session, records):
    old = records["certificate"]
    form = council.get(f"{HOME}/certificados/nuevo?renueva={old.id}").text
    assert f'value="{records["rosa"].id}" checked' in form
    data = {
        "renueva": str(old.id),
        "scheme_id": str(old.scheme_id),
        "certifier": "Certimex",
        "number": "SPP-2027-041",
        "status": "applicant",
        "valid_from": "2027-03-01",
        "expires_on": "2028-02-29",
        "categories": [str(records["huipil"].category_id)],
        "weavers": [str(records["rosa"].id), str(records["pascuala"].id)],
    }
    response = send(council, f"{HOME}/certificados/nuevo", data, form_page=f"{HOME}/certificados/nuevo")
    assert response.status_code == 303
    fresh(session)
    renewal = session.scalar(select(Certificate).where(Certificate.number == "SPP-2027-041"))
    assert renewal.supersedes_id == old.id
    assert session.get(Certificate, old.id).status is CertificateStatus.certified
    again = send(council, f"{HOME}/certificados/nuevo", data | {"number": "SPP-X"}, form_page=HOME)
    assert again.status_code == 422
    assert shown(ES.gettext("Certificate %(number)s has already been renewed.", number="SPP-2026-041"), again.text)


def test_documents_licences_and_audits_are_filed_with_the_certificate(council, session, records, settings):
    certificate = records["certificate"]
    page = f"{HOME}/certificados/{certificate.id}"
    photo = send(
        council,
        f"{page}/documentos",
        {"kind": "licence", "title": "Contrato de usuario"},
        form_page=page,
        files={"document": ("contrato.jpg", photo_bytes(640, 480), "image/jpeg")},
    )
    assert photo.status_code == 303
    licence = send(
        council,
        f"{page}/licencias",
        {"reference": "SPP-USO-17", "signed_on": "2026-02-20", "valid_from": "2026-03-01"},
        form_page=page,
    )
    assert licence.status_code == 303
    audit = send(
        council,
        f"{page}/auditorias",
        {
            "audit_kind": "surveillance",
            "held_on": "2026-09-10",
            "auditors": "Lucía Gómez (Certimex)",
            "result": "Cumple",
        },
        form_page=page,
        files={"report": ("informe.pdf", PDF, "application/pdf")},
    )
    fresh(session)
    recorded = session.scalar(select(CertificationAudit))
    assert (audit.status_code, audit.headers["location"]) == (303, f"{HOME}/auditorias/{recorded.id}")
    assert (settings.certification_dir / recorded.report_path).read_bytes() == PDF
    assert session.scalar(select(LabelLicence.reference)) == "SPP-USO-17"
    shown_page = council.get(page).text
    assert "Contrato de usuario" in shown_page and "SPP-USO-17" in shown_page and "Lucía Gómez (Certimex)" in shown_page


@pytest.mark.parametrize(
    ("path", "data", "field_message"),
    [
        (
            "licencias",
            {"reference": "", "signed_on": "2026-02-20", "valid_from": "2026-03-01"},
            "Write the licence or contract reference.",
        ),
        (
            "licencias",
            {
                "reference": "L-1",
                "signed_on": "2026-02-20",
                "valid_from": "2026-03-01",
                "valid_until": "2026-01-01",
            },
            "The licence ends before it begins.",
        ),
        ("auditorias", {"audit_kind": "surveillance", "held_on": "2026-09-10", "auditors": ""}, "Write who audited."),
        ("auditorias", {"audit_kind": "tea", "held_on": "2026-09-10", "auditors": "L"}, "Choose the kind of audit."),
        ("documentos", {"kind": "certificate", "title": "Sin archivo"}, "Choose the file: a PDF or a photo."),
    ],
)
def test_filing_with_a_mistake_is_refused_beside_the_field(council, session, records, path, data, field_message):
    page = f"{HOME}/certificados/{records['certificate'].id}"
    response = send(council, f"{page}/{path}", data, form_page=page)
    assert response.status_code == 422
    assert shown(ES.gettext(field_message), response.text)
    assert (count(session, LabelLicence), count(session, CertificationAudit), count(session, CertificateDocument)) == (
        0,
        0,
        0,
    )


def test_schemes_are_kept_as_data_with_their_words(council, session, records):
    data = {
        "name": "WFTO",
        "owner": "World Fair Trade Organization",
        "standard_name": "WFTO Fair Trade Standard",
        "standard_version": "2024",
        "claim_kind": "organisation",
        "wording_es": "Hecho por una organización de comercio justo verificada por la WFTO",
        "wording_en": "Made by a WFTO-verified fair trade organisation",
        "renewal_grace_days": "0",
        "needs_licence": "1",
    }
    form = f"{HOME}/esquemas/nuevo"
    assert send(council, form, data, form_page=form).status_code == 303
    fresh(session)
    wfto = session.scalar(select(Scheme).where(Scheme.name == "WFTO"))
    assert (wfto.claim_kind.value, wfto.needs_licence) == ("organisation", True)
    duplicate = send(council, form, data | {"name": "wfto"}, form_page=form)
    assert duplicate.status_code == 422
    assert shown(ES.gettext("There is already a scheme called %(name)s.", name="wfto"), duplicate.text)
    spp = records["scheme"]
    changed = send(
        council,
        f"{HOME}/esquemas/{spp.id}",
        {**data, "name": spp.name, "claim_kind": "product", "wording_es": "", "renewal_grace_days": "400"},
        form_page=f"{HOME}/esquemas/{spp.id}",
    )
    assert changed.status_code == 422
    assert shown(ES.gettext("Write the words of the claim in Spanish."), changed.text)
    assert shown(ES.gettext("The renewal grace is from 0 to %(days)d days.", days=365), changed.text)
    fresh(session)
    assert session.get(Scheme, spp.id).wording_es == "Producto certificado SPP"


def test_only_the_council_and_the_admin_see_certification(app, session, records):
    person(session, "maria", Role.member, weaver=records["rosa"])
    person(session, "tere", Role.treasurer)
    person(session, "ana", Role.admin)
    for username in ("maria", "tere"):
        browser = signed_in(app, username)
        assert browser.get(HOME).status_code == 403
        assert browser.get(f"{HOME}/certificados/{records['certificate'].id}").status_code == 403
        assert "/taller/certificacion" not in browser.get("/taller/inicio").text
    admin = signed_in(app, "ana")
    assert admin.get(HOME).status_code == 200
    assert "/taller/certificacion" in admin.get("/taller/inicio").text


def test_a_stored_file_is_not_found_outside_the_folder(council):
    for name in ("..%2Fsecret_key", "nada.pdf", "x.html"):
        assert council.get(f"{HOME}/archivos/{name}").status_code == 404


def test_the_certificate_form_speaks_tzotzil_where_there_are_sourced_words(council):
    form = f"{HOME}/certificados/nuevo"
    switched = send(council, "/taller/idioma", {"lang": "tzo", "next": form}, form_page=form)
    assert switched.status_code == 303
    page = council.get(form).text
    for word in ("Lumero", "Jalometik", "Tsk&#39;ej", "Pat"):
        assert word in page, word
    assert "Certificadora" in page  # no sourced word: the Spanish stays


def test_the_next_audit_date_moves_and_a_date_before_the_certificate_is_refused(council, session, records):
    page = f"{HOME}/certificados/{records['certificate'].id}"
    moved = send(council, f"{page}/proxima-auditoria", {"next_audit_due": "2026-10-01"}, form_page=page)
    assert moved.status_code == 303
    fresh(session)
    assert session.get(Certificate, records["certificate"].id).next_audit_due.isoformat() == "2026-10-01"
    refused = send(council, f"{page}/proxima-auditoria", {"next_audit_due": "2020-01-01"}, form_page=page)
    assert refused.status_code == 422
    assert shown(ES.gettext("The next audit cannot be before the certificate begins."), refused.text)
    fresh(session)
    assert session.get(Certificate, records["certificate"].id).next_audit_due.isoformat() == "2026-10-01"
