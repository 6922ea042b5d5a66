"""The demo's fair-trade records: an SPP certificate in force over the huipiles and rebozos, with a surveillance
audit whose major non-conformity was closed with evidence; a WFTO application still pending; and fair-price
worksheets for all but two pieces, at the general minimum wage (so some pieces show below their fair minimum,
as they would in real life)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.images import ImageLimits
from shop.catalogue.models import Category, Product, ProductWeaver
from shop.certification import findings
from shop.certification.certificates import CertificateDraft, record
from shop.certification.claim import CertificateStatus, ClaimKind
from shop.certification.documents import DocumentKind, store_document
from shop.certification.models import ActionKind, AuditKind, CriterionType, Severity, WageBenchmark
from shop.certification.records import AuditDraft, attach_document, record_audit
from shop.certification.schemes import SchemeDraft, save_scheme
from shop.certification.worksheets import WorksheetDraft, save_worksheet
from shop.storage import FileStore

CERTIFIED_CATEGORIES = ("huipiles", "rebozos")
WITHOUT_WORKSHEET = ("pulseras-de-telar-juego-de-4", "camino-de-mesa-a-la-medida")
MINIMUM_WAGE = "Salario mínimo general 2026"
# A stand-in for a scanned paper: a one-page PDF with a line of text.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
    b"endobj\n4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 700 Td (Documento de demostracion) Tj ET\nendstream\n"
    b"endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _worksheets(session: Session) -> int:
    minimum = session.scalar(sa.select(WageBenchmark.id).where(WageBenchmark.name == MINIMUM_WAGE))
    count = 0
    for product in session.scalars(sa.select(Product).order_by(Product.id)):
        if product.slug in WITHOUT_WORKSHEET or not product.hours_of_work:
            continue
        # Thread and dyes: about a tenth of the price, rounded to whole pesos.
        materials = product.price_amount // 1000 * 100
        draft = WorksheetDraft(minimum, materials, product.hours_of_work * 60, overhead_bp=1_000, margin_bp=0)
        save_worksheet(session, product.id, draft)
        count += 1
    return count


def load_certification(session: Session, *, today: date, store: FileStore, limits: ImageLimits) -> dict[str, int]:
    """The demo's certification records, dated around ``today``; returns counts."""
    spp = save_scheme(
        session,
        SchemeDraft(
            name="Símbolo de Pequeños Productores",
            owner="SPP Global",
            standard_name="Norma General del Símbolo de Pequeños Productores",
            claim_kind=ClaimKind.product,
            wording_es="Producto certificado con el Símbolo de Pequeños Productores",
            wording_en="Certified with the Small Producers' Symbol",
            renewal_grace_days=90,
        ),
    )
    wfto = save_scheme(
        session,
        SchemeDraft(
            name="WFTO Guarantee System",
            owner="World Fair Trade Organization",
            standard_name="WFTO Fair Trade Standard",
            claim_kind=ClaimKind.organisation,
            wording_es="Hecho por una organización de comercio justo verificada por la WFTO",
            wording_en="Made by a WFTO-verified fair trade organisation",
            needs_licence=True,
        ),
    )
    categories = frozenset(session.scalars(sa.select(Category.id).where(Category.slug.in_(CERTIFIED_CATEGORIES))).all())
    weavers = frozenset(
        session.scalars(
            sa.select(ProductWeaver.weaver_id)
            .join(Product, Product.id == ProductWeaver.product_id)
            .where(Product.category_id.in_(categories))
        ).all()
    )
    certificate = record(
        session,
        CertificateDraft(
            scheme_id=spp.id,
            certifier="Certimex",
            number="CMX-SPP-0142",
            status=CertificateStatus.certified,
            risk_category="B",
            issued_on=today - timedelta(days=215),
            valid_from=today - timedelta(days=200),
            expires_on=today + timedelta(days=165),
            next_audit_due=today + timedelta(days=40),
            sites="Nachij, Zinacantán\nMagdalenas, Chenalhó",
            category_ids=categories,
            weaver_ids=weavers,
        ),
    )
    scan = store_document(DEMO_PDF, store, DocumentKind.certificate, limits, field="document")
    attach_document(session, certificate.id, scan, kind=DocumentKind.certificate, title="Certificado SPP firmado")
    report = store_document(DEMO_PDF, store, DocumentKind.report, limits, field="report")
    audit = record_audit(
        session,
        certificate.id,
        AuditDraft(
            kind=AuditKind.surveillance,
            held_on=today - timedelta(days=120),
            auditors="Lucía Gómez (Certimex)",
            sites="Nachij, Zinacantán",
            result="Cumple, con una no conformidad mayor",
            strong_points="Asambleas con actas; reparto de cada venta claro para cada tejedora.",
            to_improve="Anotar las horas de trabajo de cada pieza.",
        ),
        report_name=report.name,
    )
    finding = findings.add_finding(
        session,
        audit.id,
        findings.FindingDraft(
            criterion="4.2.1 Registro de horas de trabajo",
            criterion_type=CriterionType.core,
            severity=Severity.major,
            description="No había registro de las horas de trabajo de las piezas vendidas.",
            deadline=today - timedelta(days=60),
            root_cause="Las horas se llevaban de memoria.",
        ),
    )
    action = findings.add_action(
        session,
        finding.id,
        kind=ActionKind.corrective,
        description="Un cuaderno de horas por tejedora, revisado cada mes por el consejo",
        owner="Consejo de vigilancia",
        deadline=today - timedelta(days=75),
    )
    findings.action_done(session, action.id, on=today - timedelta(days=80))
    evidence = store_document(DEMO_PDF, store, DocumentKind.evidence, limits, field="evidence")
    findings.close(
        finding,
        evidence_path=evidence.name,
        effectiveness="Cada pieza nueva tiene sus horas anotadas; la hoja de precio justo las usa.",
        on=today - timedelta(days=70),
    )
    record(
        session,
        CertificateDraft(
            scheme_id=wfto.id,
            certifier="World Fair Trade Organization",
            number="WFTO-SOL-2026-31",
            status=CertificateStatus.applicant,
            valid_from=today + timedelta(days=30),
            expires_on=today + timedelta(days=30 + 2 * 365),
            category_ids=frozenset(session.scalars(sa.select(Category.id)).all()),
            weaver_ids=weavers,
        ),
    )
    session.flush()
    return {"certificates": 2, "worksheets": _worksheets(session)}
