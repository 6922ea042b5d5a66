"""Fair-trade certification in a real browser: the council records a certificate with its PDF and an audit,
the mark appears on a piece in scope, and suspending the certificate takes it off everywhere."""

from __future__ import annotations

import re

import pytest
from certification_records import records  # noqa: F401  (fixture)
from factories import fresh
from playwright.sync_api import expect
from signing_in import sign_in_as
from sqlalchemy import select
from workspace_helpers import person

from shop.accounts.models import Role
from shop.certification.models import Certificate, CertificateDocument, CertificationAudit, NonConformity

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def council_member(session, records):  # noqa: F811
    return person(session, "carmen", Role.council, name="Carmen López")


def test_the_council_records_a_certificate_with_its_pdf_and_an_audit(
    browser,
    live_server,
    session,
    records,  # noqa: F811
    council_member,
    screenshots,
    tmp_path,
):
    pdf = tmp_path / "certificado-spp.pdf"
    pdf.write_bytes(PDF)
    context, page = sign_in_as(browser, live_server, "carmen")
    try:
        page.screenshot(path=screenshots / "workspace-home-council-1024.png", full_page=True)
        page.get_by_role("link", name="Certificación de comercio justo").click()
        page.get_by_role("link", name="Registrar un certificado").click()
        page.get_by_label("Esquema", exact=True).select_option(label="Símbolo de Pequeños Productores")
        page.get_by_label("Certificadora", exact=True).fill("Certimex")
        page.get_by_label("Número", exact=True).fill("SPP-2026-099")
        page.get_by_label("Lo que ha decidido la certificadora").select_option(value="certified")
        page.get_by_label("Válido desde").fill("2026-01-01")
        page.get_by_label("Último día válido").fill("2027-12-31")
        page.locator("summary", has_text="O piezas sueltas").click()
        page.get_by_label(records["bag"].title_es).check()
        page.get_by_label(records["rosa"].name).check()
        page.get_by_label("Archivo (opcional)").set_input_files(str(pdf))
        page.screenshot(path=screenshots / "certificate-form-1024.png", full_page=True)
        page.get_by_role("button", name="Guardar", exact=True).click()
        page.get_by_text("El certificado SPP-2026-099 quedó registrado.").wait_for()
        expect(page.get_by_text("La tienda muestra hoy su sello en las piezas que cubre.")).to_be_visible()
        page.locator("summary", has_text="Registrar una auditoría").click()
        page.get_by_label("Tipo de auditoría").select_option(value="surveillance")
        page.get_by_label("Fecha", exact=True).fill("2026-09-10")
        page.get_by_label("Auditores", exact=True).fill("Lucía Gómez (Certimex)")
        page.get_by_label("El informe de la auditoría (opcional)").set_input_files(str(pdf))
        page.screenshot(path=screenshots / "certificate-page-1024.png", full_page=True)
        page.locator("#auditorias").get_by_role("button", name="Guardar", exact=True).click()
        expect(page).to_have_url(re.compile("/taller/certificacion/auditorias/"))
        page.locator("summary", has_text="Registrar una no conformidad").click()
        page.get_by_label("Criterio de la norma").fill("4.2.1 Registro de horas")
        page.get_by_label("Tipo de criterio").select_option(value="core")
        page.get_by_label("Qué tan grave").select_option(value="major")
        page.get_by_label("Plazo para corregirla").fill("2026-01-15")
        page.get_by_label("Lo que se encontró").fill("Faltan las horas de trabajo de tres piezas")
        page.locator("#hallazgos form").last.get_by_role("button", name="Guardar", exact=True).click()
        page.get_by_text("La no conformidad quedó registrada.").wait_for()
        expect(page.locator(".nc.overdue").get_by_text("Plazo vencido")).to_be_visible()  # its deadline has passed
        page.screenshot(path=screenshots / "audit-page-1024.png", full_page=True)
        fresh(session)
        certificate = session.scalar(select(Certificate).where(Certificate.number == "SPP-2026-099"))
        assert session.scalar(select(CertificateDocument.certificate_id)) == certificate.id
        assert session.scalar(select(CertificationAudit.certificate_id)) == certificate.id
        assert session.scalar(select(NonConformity.severity)).value == "major"
        page.goto(live_server + "/taller/certificacion")
        page.screenshot(path=screenshots / "certification-overview-1024.png", full_page=True)

        buyer = browser.new_context(viewport={"width": 390, "height": 844}, locale="es-MX")
        shopper = buyer.new_page()
        product = f"{live_server}/es/products/{records['bag'].slug}"
        shopper.goto(product)
        assert shopper.locator(".fair").get_by_text("Producto certificado SPP").is_visible()
        assert shopper.locator(".fair").get_by_text("Certificado SPP-2026-099").is_visible()
        shopper.screenshot(path=screenshots / "product-fair-trade-390.png", full_page=True)
        shopper.locator(".fair").get_by_role("link").click()
        shopper.wait_for_url(f"{live_server}/es/comercio-justo")  # loaded, before it is read
        assert shopper.get_by_text("SPP-2026-099").first.is_visible()
        shopper.screenshot(path=screenshots / "fair-trade-page-390.png", full_page=True)

        page.goto(f"{live_server}/taller/certificacion/certificados/{certificate.id}")
        page.get_by_role("button", name="Marcar como suspendido").click()
        page.get_by_text("El certificado SPP-2026-099 ahora está suspendido.").wait_for()
        shopper.goto(product)
        assert shopper.locator(".fair").count() == 0
        assert "SPP-2026-099" not in shopper.locator('script[type="application/ld+json"]').inner_text()
        assert shopper.request.get(f"{live_server}/api/v1/products/{records['bag'].slug}").json()["fair_trade"] == []
        shopper.goto(f"{live_server}/es/comercio-justo")
        assert shopper.get_by_text("SPP-2026-099").count() == 0
        buyer.close()
    finally:
        context.close()


def test_the_members_product_form_warns_when_the_price_is_below_its_fair_minimum(
    browser, live_server, session, screenshots
):
    from factories import make_category, make_product, make_weaver

    weaver = make_weaver(session, name="María Pérez")
    make_product(
        session,
        category=make_category(session),
        weavers=[(weaver, 10_000)],
        slug="huipil-maria",
        title_es="Huipil de María",
        price_amount=150_000,
        hours_of_work=40,
    )
    person(session, "maria", Role.member, weaver=weaver, name="María Pérez")
    context, page = sign_in_as(browser, live_server, "maria")
    try:
        page.goto(live_server + "/taller/inventario/huipil-maria")
        hours = page.locator("#precio-justo").get_by_label("Horas que llevó")
        assert hours.input_value() == "40"  # from the piece's own hours
        choice = page.locator("#w-benchmark_id option", has_text="Salario mínimo general 2026 ·")
        page.get_by_label("Pagar las horas a").select_option(value=choice.get_attribute("value"))
        page.get_by_label("Costo de los materiales").fill("400")
        page.get_by_label("Costos de la cooperativa (%)").fill("10")
        page.locator("#precio-justo").get_by_role("button", name="Guardar", exact=True).click()
        page.get_by_text("La hoja de precio justo quedó guardada.").wait_for()
        warning = "El precio está $672.72 MXN por debajo del mínimo justo de $2,172.72 MXN."
        expect(page.locator(".inv-form .fair-min.below").get_by_text(warning)).to_be_visible()  # beside the price
        page.screenshot(path=screenshots / "product-form-fair-price-1024.png", full_page=True)
    finally:
        context.close()
