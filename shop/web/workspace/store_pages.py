"""The admin's screens for what the store says of itself: its pages in both languages, the contact details
they show, and the pictures on the home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from shop.api.http import urls
from shop.api.http.auth import Admin
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue.browse import list_categories
from shop.errors import N_, DomainError, NotFound
from shop.storefront import service
from shop.storefront.models import PageSlug
from shop.web.workspace.form_reading import Problems
from shop.web.workspace.inventory import redirect_saved
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/tienda", include_in_schema=False)
HUB = "/taller/tienda"
FRONT = "/taller/tienda/portada"
Title = Annotated[str, Form(max_length=service.TITLE_MAX * 2)]
Body = Annotated[str, Form(max_length=service.BODY_MAX * 2)]
Short = Annotated[str, Form(max_length=500)]
# The pages' names as the admin reads them, whatever each page's own title says.
PAGE_NAMES = {
    PageSlug.contact: N_("Contact"),
    PageSlug.shipping: N_("Shipping and customs"),
    PageSlug.returns: N_("Returns and refunds"),
    PageSlug.about: N_("About the cooperative"),
    PageSlug.terms: N_("Terms of sale"),
    PageSlug.privacy: N_("Privacy notice"),
}


def _contact_values(session) -> dict:
    row = service.contact(session)
    return {"legal_name": row.legal_name, "email": row.email, "whatsapp": row.whatsapp, "address": row.address}


def _hub(request, session, *, values=None, errors=None, status=200):
    return ws_render(
        request,
        "workspace/store_pages.html",
        {
            "pages": service.pages(session),
            "slugs": list(PageSlug),
            "page_names": PAGE_NAMES,
            "store_page_path": urls.store_page_path,
            "values": values or _contact_values(session),
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("")
def hub(request: Request, session: SessionDep, who: Admin):
    return _hub(request, session)


@router.post("/contacto")
def save_contact(
    request: Request,
    session: SessionDep,
    who: Admin,
    legal_name: Short = "",
    email: Short = "",
    whatsapp: Short = "",
    address: Short = "",
):
    try:
        service.save_contact(session, legal_name=legal_name, email=email, whatsapp=whatsapp, address=address)
    except DomainError as exc:
        problems = Problems(request)
        problems.add_error(exc)
        values = {"legal_name": legal_name, "email": email, "whatsapp": whatsapp, "address": address}
        raise ErrorPage(lambda db: _hub(request, db, values=values, errors=problems.items, status=422)) from None
    return redirect_saved(request, HUB, N_("The contact details are saved. The store shows them now."))


def _slug(slug: str) -> PageSlug:
    try:
        return PageSlug(slug)
    except ValueError:
        raise NotFound(N_("This page does not exist.")) from None


def _editor(request, session, slug: PageSlug, *, values=None, errors=None, status=200):
    if values is None:
        values = {}
        for lang in service.LANGUAGES:
            row = service.page(session, slug, lang)
            values[f"title_{lang}"], values[f"body_{lang}"] = row.title, row.body
    return ws_render(
        request,
        "workspace/store_page_form.html",
        {
            "slug": slug,
            "name": PAGE_NAMES[slug],
            "links": {lang: urls.store_page_path(lang, slug.value) for lang in service.LANGUAGES},
            "values": values,
            "errors": errors or {},
            "body_max": service.BODY_MAX,
            "title_max": service.TITLE_MAX,
        },
        status_code=status,
    )


@router.get("/paginas/{slug}")
def edit_page(request: Request, session: SessionDep, who: Admin, slug: str):
    return _editor(request, session, _slug(slug))


@router.post("/paginas/{slug}")
def save_page(
    request: Request,
    session: SessionDep,
    who: Admin,
    slug: str,
    title_es: Title = "",
    body_es: Body = "",
    title_en: Title = "",
    body_en: Body = "",
):
    page = _slug(slug)
    try:
        service.save_page(session, page, {"es": (title_es, body_es), "en": (title_en, body_en)})
    except DomainError as exc:
        problems = Problems(request)
        problems.add_error(exc)
        values = {"title_es": title_es, "body_es": body_es, "title_en": title_en, "body_en": body_en}
        raise ErrorPage(
            lambda db: _editor(request, db, page, values=values, errors=problems.items, status=422)
        ) from None
    return redirect_saved(request, HUB, N_("The page is saved. The store shows it now."))


def _front(request, session, *, errors=None, values=None, status=200):
    pictures = service.front_pictures(session)
    places = [(service.HERO, N_("The big picture at the top"), None)]
    places += [(service.category_place(c.id), c.name_es, c.id) for c, count in list_categories(session) if count]
    return ws_render(
        request,
        "workspace/front_pictures.html",
        {
            "places": [
                {
                    "place": place,
                    "label": label,
                    "chosen": pictures.get(place),
                    "choices": service.photo_choices(session, category_id),
                }
                for place, label, category_id in places
            ],
            "errors": errors or {},
            "values": values or {},
        },
        status_code=status,
    )


@router.get("/portada")
def front(request: Request, session: SessionDep, who: Admin):
    return _front(request, session)


@router.post("/portada")
def choose(
    request: Request,
    session: SessionDep,
    who: Admin,
    place: Annotated[str, Form(max_length=40)] = "",
    image_id: Annotated[str, Form(max_length=12)] = "",
    alt_es: Short = "",
    alt_en: Short = "",
):
    try:
        service.choose_picture(session, place, int(image_id) if image_id.isdigit() else 0, alt_es, alt_en)
    except DomainError as exc:
        problems = Problems(request)
        problems.add_error(exc)
        errors = {place: problems.items}
        values = {place: {"image_id": image_id, "alt_es": alt_es, "alt_en": alt_en}}
        raise ErrorPage(lambda db: _front(request, db, errors=errors, values=values, status=422)) from None
    return redirect_saved(request, FRONT, N_("The picture is chosen. The home page shows it now."))


@router.post("/portada/quitar")
def unchoose(request: Request, session: SessionDep, who: Admin, place: Annotated[str, Form(max_length=40)] = ""):
    service.clear_picture(session, place)
    return redirect_saved(request, FRONT, N_("The picture is taken off the home page."))
