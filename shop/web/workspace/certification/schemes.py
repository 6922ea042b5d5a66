"""The fair-trade schemes the cooperative is certified under or applies to: kept by the council as data, with
the exact words the store may use for each."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from shop.api.http.auth import Council
from shop.api.http.deps import ErrorPage, SessionDep
from shop.certification.claim import ClaimKind
from shop.certification.models import Scheme
from shop.certification.schemes import SchemeDraft, save_scheme
from shop.errors import N_, DomainError, NotFound
from shop.web.flash import flash_message
from shop.web.workspace.certification.names import CLAIM_KINDS
from shop.web.workspace.form_reading import Problems, RowId, read_whole
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/certificacion/esquemas", include_in_schema=False)
FIELDS = ("name", "owner", "standard_name", "standard_version", "claim_kind", "wording_es", "wording_en")


@router.get("")
def schemes(request: Request, session: SessionDep, who: Council):
    return ws_render(
        request,
        "workspace/certification/schemes.html",
        {"schemes": session.scalars(sa.select(Scheme).order_by(Scheme.name)).all(), "claim_kinds": CLAIM_KINDS},
    )


def _page(request, scheme: Scheme | None, values: dict, errors: dict | None = None, status: int = 200):
    return ws_render(
        request,
        "workspace/certification/scheme_form.html",
        {"scheme": scheme, "values": values, "errors": errors or {}, "claim_kinds": CLAIM_KINDS},
        status_code=status,
    )


def _values(scheme: Scheme) -> dict:
    values = {name: getattr(scheme, name) for name in FIELDS}
    return values | {"renewal_grace_days": str(scheme.renewal_grace_days), "needs_licence": scheme.needs_licence}


@router.get("/nuevo")
def new_scheme(request: Request, session: SessionDep, who: Council):
    return _page(request, None, {"claim_kind": ClaimKind.product.value, "renewal_grace_days": "0"})


@router.get("/{scheme_id}")
def show_scheme(request: Request, session: SessionDep, who: Council, scheme_id: RowId):
    scheme = session.get(Scheme, scheme_id)
    if scheme is None:
        raise NotFound(N_("There is no such scheme."))
    return _page(request, scheme, _values(scheme))


def _save(request, session, scheme_id: int | None, values: dict):
    problems = Problems(request)
    if values["claim_kind"] not in ClaimKind.__members__:
        problems.add("claim_kind", N_("Choose what the scheme vouches for."))
    grace = read_whole(values["renewal_grace_days"], "renewal_grace_days", problems)
    if not problems:
        draft = SchemeDraft(
            **{name: values[name] for name in FIELDS if name != "claim_kind"},
            claim_kind=ClaimKind(values["claim_kind"]),
            renewal_grace_days=grace or 0,
            needs_licence=values["needs_licence"],
        )
        try:
            scheme = save_scheme(session, draft, scheme_id)
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            problems.add_error(exc)
    if problems:
        raise ErrorPage(
            lambda db: _page(request, db.get(Scheme, scheme_id) if scheme_id else None, values, problems.items, 422)
        )
    response = RedirectResponse("/taller/certificacion/esquemas", status_code=303)
    flash_message(request, response, N_("The scheme %(name)s is saved."), name=scheme.name)
    return response


class SchemeForm(BaseModel):
    """The scheme form as typed; read into a ``SchemeDraft`` by ``_save``."""

    name: str = Field("", max_length=120)
    owner: str = Field("", max_length=120)
    standard_name: str = Field("", max_length=200)
    standard_version: str = Field("", max_length=40)
    claim_kind: str = Field("", max_length=40)
    wording_es: str = Field("", max_length=300)
    wording_en: str = Field("", max_length=300)
    renewal_grace_days: str = Field("0", max_length=40)
    needs_licence: str = Field("", max_length=40)

    def values(self) -> dict:
        return self.model_dump() | {"needs_licence": self.needs_licence == "1"}


Typed = Annotated[SchemeForm, Form()]


@router.post("/nuevo")
def add_scheme(request: Request, session: SessionDep, who: Council, form: Typed):
    return _save(request, session, None, form.values())


@router.post("/{scheme_id}")
def change_scheme(request: Request, session: SessionDep, who: Council, scheme_id: RowId, form: Typed):
    return _save(request, session, scheme_id, form.values())
