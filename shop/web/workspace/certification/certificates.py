"""The council's certificates: the list with what is in force today, recording one (or its renewal) with its
scope and a document, the certifier's decisions, and what is filed with it: documents, licences, audits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, File, Form, Request, UploadFile

from shop.api.http.auth import Council
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.models import Category, Product, ProductStatus, Weaver
from shop.certification import certificates, findings
from shop.certification.certificates import MOVES, RECORDED_AS, STATUS_NAMES, CertificateDraft
from shop.certification.claim import CertificateStatus
from shop.certification.documents import DocumentKind, StoredDocument
from shop.certification.models import AuditKind, Certificate, Scheme
from shop.certification.records import AuditDraft, add_licence, attach_document, record_audit
from shop.certification.register import certificate_file, certificate_rows
from shop.certification.service import local_today
from shop.errors import N_, DomainError, NotFound, Phrase, ValidationFailed
from shop.web.workspace.certification.files import chosen, forget, store_upload
from shop.web.workspace.certification.names import ALERTS, AUDIT_KINDS, DOCUMENT_KINDS
from shop.web.workspace.form_reading import Problems, RowId, read_day
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller/certificacion", include_in_schema=False, route_class=SignedInFirst)
HOME = "/taller/certificacion"
MAX_ROW_ID = 2_147_483_647
Line = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=40)]
Long = Annotated[str, Form(max_length=4000)]
Sites = Annotated[str, Form(max_length=1000)]
Name = Annotated[str, Form(max_length=120)]
Reference = Annotated[str, Form(max_length=80)]
People = Annotated[str, Form(max_length=300)]
Ids = Annotated[list[str], Form()]
Upload = Annotated[UploadFile | None, File()]


def certificate_url(certificate_id: int) -> str:
    return f"{HOME}/certificados/{certificate_id}"


@router.get("")
def overview(request: Request, session: SessionDep, who: Council):
    day = local_today()
    return ws_render(
        request,
        "workspace/certification/overview.html",
        {
            "rows": certificate_rows(session, day),
            "alerts": findings.alerts(session, day),
            "alert_names": ALERTS,
            "status_names": STATUS_NAMES,
            "has_schemes": session.scalar(sa.select(sa.func.count()).select_from(Scheme)) > 0,
        },
    )


def _row_id(text: str) -> int | None:
    """A row id typed into a form, or None: never a number the database's integer cannot hold."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ROW_ID else None


def _ids(values: list[str]) -> frozenset[int]:
    return frozenset(row_id for row_id in map(_row_id, values) if row_id is not None)


def _choices(session) -> dict:
    return {
        "schemes": session.scalars(sa.select(Scheme).order_by(Scheme.name)).all(),
        "categories": session.scalars(sa.select(Category).order_by(Category.name_es)).all(),
        "products": session.scalars(
            sa.select(Product).where(Product.status != ProductStatus.archived).order_by(Product.title_es)
        ).all(),
        "weavers": session.scalars(sa.select(Weaver).order_by(Weaver.name)).all(),
    }


def _form_page(
    request, session, values: dict, errors: dict | None = None, renews: Certificate | None = None, status=200
):
    choices = _choices(session)
    return ws_render(
        request,
        "workspace/certification/certificate_form.html",
        {
            **choices,
            "scheme_options": [(s.id, s.name) for s in choices["schemes"]],
            "status_options": [(status.value, STATUS_NAMES[status]) for status in RECORDED_AS],
            "values": values,
            "errors": errors or {},
            "renews": renews,
        },
        status_code=status,
    )


def _renewed(session, renews: str) -> Certificate | None:
    if not renews:
        return None
    row_id = _row_id(renews)
    old = session.get(Certificate, row_id) if row_id is not None else None
    if old is None:
        raise NotFound(N_("There is no such certificate."))
    return old


def _values_of(session, old: Certificate) -> dict:
    """A renewal starts from the old certificate's scope and its certifier; its dates are new."""
    page = certificate_file(session, old.id, local_today())
    return {
        "scheme_id": str(old.scheme_id),
        "certifier": old.certifier,
        "risk_category": old.risk_category,
        "sites": old.sites,
        "status": CertificateStatus.applicant.value,
        "categories": [str(c.id) for c in page.categories],
        "products": [str(p.id) for p in page.products],
        "weavers": [str(w.weaver.id) for w in page.weavers],
    }


@router.get("/certificados/nuevo")
def new_certificate(request: Request, session: SessionDep, who: Council, renueva: str = ""):
    old = _renewed(session, renueva[:12])
    values = _values_of(session, old) if old else {"status": CertificateStatus.applicant.value}
    return _form_page(request, session, values, renews=old)


@dataclass
class _Read:
    draft: CertificateDraft | None
    problems: Problems


def _read_certificate(request, form: dict, lists: dict) -> _Read:
    problems = Problems(request)
    scheme_id = _row_id(form["scheme_id"])
    if scheme_id is None:
        problems.add("scheme_id", N_("Choose the scheme."))
    status = form["status"]
    if status not in CertificateStatus.__members__:
        problems.add("status", N_("A new certificate is an applicant, provisional or certified."))
    days = {
        name: read_day(form[name], name, problems, required=name in ("valid_from", "expires_on"))
        for name in ("issued_on", "valid_from", "expires_on", "next_audit_due")
    }
    if problems:
        return _Read(None, problems)
    draft = CertificateDraft(
        scheme_id=scheme_id,
        certifier=form["certifier"],
        number=form["number"],
        status=CertificateStatus(status),
        risk_category=form["risk_category"],
        sites=form["sites"],
        product_ids=_ids(lists["products"]),
        category_ids=_ids(lists["categories"]),
        weaver_ids=_ids(lists["weavers"]),
        **days,
    )
    return _Read(draft, problems)


@router.post("/certificados/nuevo")
def add_certificate(
    request: Request,
    session: SessionDep,
    who: Council,
    scheme_id: Short = "",
    certifier: Name = "",
    number: Reference = "",
    risk_category: Short = "",
    status: Short = "",
    issued_on: Short = "",
    valid_from: Short = "",
    expires_on: Short = "",
    next_audit_due: Short = "",
    sites: Sites = "",
    categories: Ids = (),
    products: Ids = (),
    weavers: Ids = (),
    renueva: Short = "",
    document: Upload = None,
    document_title: Line = "",
):
    form = {
        "scheme_id": scheme_id,
        "certifier": certifier,
        "number": number,
        "risk_category": risk_category,
        "status": status,
        "issued_on": issued_on,
        "valid_from": valid_from,
        "expires_on": expires_on,
        "next_audit_due": next_audit_due,
        "sites": sites,
        "document_title": document_title,
        "renueva": renueva,
    }
    lists = {"categories": list(categories), "products": list(products), "weavers": list(weavers)}
    old = _renewed(session, renueva)
    read = _read_certificate(request, form, lists)
    problems, stored = read.problems, None
    if read.draft is not None:
        try:
            certificate = certificates.record(session, read.draft, renews=old.id if old else None)
            if chosen(document):
                stored = store_upload(request, document, DocumentKind.certificate, field="document")
                attach_document(
                    session,
                    certificate.id,
                    stored,
                    kind=DocumentKind.certificate,
                    title=document_title or number,
                )
        except DomainError as exc:
            forget(request, stored)
            problems.add_error(exc)
    if problems:
        values = form | lists
        raise ErrorPage(
            lambda db: _form_page(request, db, values, problems.items, renews=_renewed(db, renueva), status=422)
        )
    return redirect_saved(
        request, certificate_url(certificate.id), N_("Certificate %(number)s is recorded."), number=certificate.number
    )


@router.get("/certificados/{certificate_id}")
def show_certificate(request: Request, session: SessionDep, who: Council, certificate_id: RowId):
    return _certificate_page(request, session, certificate_id)


def _certificate_page(request, session, certificate_id: int, errors: dict | None = None, values=None, status=200):
    page = certificate_file(session, certificate_id, local_today())
    return ws_render(
        request,
        "workspace/certification/certificate.html",
        {
            "page": page,
            "status_names": STATUS_NAMES,
            "moves": sorted(MOVES.get(page.row.certificate.status, ()), key=list(STATUS_NAMES).index),
            "audit_kinds": AUDIT_KINDS,
            "audit_kind_options": [(kind.value, name) for kind, name in AUDIT_KINDS.items()],
            "document_kinds": DOCUMENT_KINDS,
            "document_kind_options": [(kind.value, name) for kind, name in DOCUMENT_KINDS.items()],
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


def _refused(request, certificate_id: int, problems: Problems, values: dict):
    raise ErrorPage(lambda db: _certificate_page(request, db, certificate_id, problems.items, values, status=422))


@router.post("/certificados/{certificate_id}/estado")
def change_status(request: Request, session: SessionDep, who: Council, certificate_id: RowId, to: Short = ""):
    certificate = session.get(Certificate, certificate_id, with_for_update=True)
    if certificate is None:
        raise NotFound(N_("There is no such certificate."))
    try:
        if to not in CertificateStatus.__members__:
            raise ValidationFailed(N_("Choose what the certifier decided."), field="to")
        certificates.move(certificate, CertificateStatus(to))
    except DomainError as exc:
        refusal = redirect_saved(request, certificate_url(certificate_id), exc.message, "error", **exc.params)
        raise ErrorPage(lambda db: refusal) from exc
    session.flush()
    return redirect_saved(
        request,
        certificate_url(certificate_id),
        N_("Certificate %(number)s is now %(status)s."),
        number=certificate.number,
        status=Phrase(STATUS_NAMES[certificate.status]),
    )


@router.post("/certificados/{certificate_id}/documentos")
def add_document(
    request: Request,
    session: SessionDep,
    who: Council,
    certificate_id: RowId,
    kind: Short = "",
    title: Line = "",
    document: Upload = None,
):
    problems = Problems(request)
    chosen_kind = DocumentKind(kind) if kind in DocumentKind.__members__ else None
    if chosen_kind is None:
        problems.add("kind", N_("Choose what kind of document it is."))
    if not chosen(document):
        problems.add("document", N_("Choose the file: a PDF or a photo."))
    stored: StoredDocument | None = None
    if not problems:
        try:
            stored = store_upload(request, document, chosen_kind, field="document")
            attach_document(session, certificate_id, stored, kind=chosen_kind, title=title)
        except DomainError as exc:
            forget(request, stored)
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        _refused(request, certificate_id, problems, {"kind": kind, "title": title})
    return redirect_saved(request, certificate_url(certificate_id) + "#documentos", N_("The document is saved."))


@router.post("/certificados/{certificate_id}/licencias")
def add_label_licence(
    request: Request,
    session: SessionDep,
    who: Council,
    certificate_id: RowId,
    reference: Reference = "",
    signed_on: Short = "",
    valid_from: Short = "",
    valid_until: Short = "",
):
    problems = Problems(request)
    signed = read_day(signed_on, "signed_on", problems)
    starts = read_day(valid_from, "valid_from", problems)
    ends = read_day(valid_until, "valid_until", problems, required=False)
    if not problems:
        try:
            add_licence(
                session, certificate_id, reference=reference, signed_on=signed, valid_from=starts, valid_until=ends
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        values = {
            "reference": reference,
            "signed_on": signed_on,
            "valid_from": valid_from,
            "valid_until": valid_until,
        }
        _refused(request, certificate_id, problems, values)
    return redirect_saved(request, certificate_url(certificate_id) + "#licencias", N_("The licence is saved."))


@router.post("/certificados/{certificate_id}/auditorias")
def add_audit(
    request: Request,
    session: SessionDep,
    who: Council,
    certificate_id: RowId,
    audit_kind: Short = "",
    held_on: Short = "",
    auditors: People = "",
    audit_sites: Sites = "",
    result: People = "",
    strong_points: Long = "",
    to_improve: Long = "",
    report: Upload = None,
):
    values = {
        "audit_kind": audit_kind,
        "held_on": held_on,
        "auditors": auditors,
        "audit_sites": audit_sites,
        "result": result,
        "strong_points": strong_points,
        "to_improve": to_improve,
    }
    problems = Problems(request)
    kind = AuditKind(audit_kind) if audit_kind in AuditKind.__members__ else None
    if kind is None:
        problems.add("audit_kind", N_("Choose the kind of audit."))
    day = read_day(held_on, "held_on", problems)
    stored: StoredDocument | None = None
    if not problems:
        try:
            if chosen(report):
                stored = store_upload(request, report, DocumentKind.report, field="report")
            draft = AuditDraft(kind, day, auditors, audit_sites, result, strong_points, to_improve)
            audit = record_audit(session, certificate_id, draft, report_name=stored.name if stored else "")
        except DomainError as exc:
            forget(request, stored)
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        _refused(request, certificate_id, problems, values)
    return redirect_saved(request, f"{HOME}/auditorias/{audit.id}", N_("The audit is recorded. Add what it found."))


@router.post("/certificados/{certificate_id}/proxima-auditoria")
def change_next_audit(
    request: Request, session: SessionDep, who: Council, certificate_id: RowId, next_audit_due: Short = ""
):
    certificate = session.get(Certificate, certificate_id, with_for_update=True)
    if certificate is None:
        raise NotFound(N_("There is no such certificate."))
    problems = Problems(request)
    due = read_day(next_audit_due, "next_audit_due", problems, required=False)
    if not problems:
        try:
            certificates.set_next_audit(certificate, due)
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        _refused(request, certificate_id, problems, {"next_audit_due": next_audit_due})
    session.flush()
    return redirect_saved(request, certificate_url(certificate_id), N_("The date of the next audit is saved."))
