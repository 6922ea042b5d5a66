"""The partnerships' screens: partner staff record a grant, move it to granted only once signed, add a report
due (which shows on the home page), mark it submitted, and keep a signed agreement privately; the council reads
but cannot change; the treasurer sees nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from factories import fresh
from workspace_helpers import csrf_of, person, post, signed_in

from shop.accounts.models import Role
from shop.clock import local_today
from shop.partnerships.models import Partnership, PartnershipDocument, ReportDue, Status

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_partner_staff_keep_a_grant_its_report_and_its_document(app, session):
    person(session, "lucia", Role.partner_staff, name="Lucía Gómez")
    lucia = signed_in(app, "lucia")
    page = "/taller/alianzas"
    missing = post(lucia, page, {"partner": "", "title": "Tienda", "level": "federal", "kind": "grant"}, form_page=page)
    assert missing.status_code == 422 and "Escriba el financiador o la dependencia." in missing.text
    made = post(
        lucia,
        page,
        {
            "partner": "INMUJERES",
            "title": "Tienda en línea",
            "level": "federal",
            "kind": "grant",
            "amount": "450000",
            "currency": "MXN",
        },
        form_page=page,
    )
    assert made.status_code == 303
    one = made.headers["location"]
    today = local_today().isoformat()
    assert post(lucia, f"{one}/estado", {"to": "submitted", "on": today}, form_page=one).status_code == 303
    unsigned = post(lucia, f"{one}/estado", {"to": "granted", "on": today}, form_page=one)
    assert unsigned.status_code == 422 and "Escriba el día en que se firmó." in unsigned.text
    signed = post(lucia, f"{one}/estado", {"to": "granted", "on": today, "signed_on": today}, form_page=one)
    assert signed.status_code == 303
    wrong = post(lucia, f"{one}/estado", {"to": "proposal", "on": today}, form_page=one)
    assert wrong.status_code == 422
    due = (local_today() + timedelta(days=5)).isoformat()
    assert post(lucia, f"{one}/informes", {"title": "Informe técnico", "due_on": due}, form_page=one).status_code == 303
    home = lucia.get("/taller/inicio").text
    assert "informe a una financiadora por entregar en 30 días" in home
    assert "Informe técnico" in lucia.get(page).text  # among the reports due
    token = csrf_of(lucia.get(one).text)
    kept = lucia.post(
        f"{one}/documentos",
        data={"csrf_token": token, "doc_title": "Convenio firmado"},
        files={"document": ("convenio.pdf", PDF, "application/pdf")},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    fake = lucia.post(
        f"{one}/documentos",
        data={"csrf_token": token, "doc_title": "Otro"},
        files={"document": ("x.pdf", b"not a pdf", "application/pdf")},
        follow_redirects=False,
    )
    assert fake.status_code == 422
    fresh(session)
    grant = session.scalar(sa.select(Partnership))
    assert (grant.status, grant.amount, grant.signed_on.isoformat()) == (Status.granted, 45_000_000, today)
    report = session.scalar(sa.select(ReportDue))
    document = session.scalar(sa.select(PartnershipDocument))
    opened = lucia.get(f"{one}/documentos/{document.id}")
    assert (
        opened.status_code == 200 and opened.content == PDF and opened.headers["cache-control"] == "private, no-store"
    )
    assert post(lucia, f"{one}/informes/{report.id}/entregado", {}, form_page=one).status_code == 303
    assert "informe a una financiadora" not in lucia.get("/taller/inicio").text
    fresh(session)
    person(session, "carmen", Role.council)
    carmen = signed_in(app, "carmen")
    assert "INMUJERES" in carmen.get(page).text and carmen.get(f"{one}/documentos/{document.id}").status_code == 200
    assert post(carmen, f"{one}/informes", {"title": "X", "due_on": due}, form_page=one).status_code == 403
    person(session, "tere", Role.treasurer)
    assert signed_in(app, "tere").get(page).status_code == 403
