"""The pages every shop has (contact, shipping, returns, about, terms, the aviso de privacidad), as the admin
wrote them, each at a path in its language's own words; the other language's words lead to the right one."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import selectinload

from shop.api.http import urls
from shop.api.http.caching import mark_public
from shop.api.http.deps import SessionDep
from shop.i18n import STORE_LANGUAGES
from shop.orders.models import ShippingZone
from shop.storefront import service
from shop.storefront.models import PageSlug
from shop.web.store.prose import prose
from shop.web.templating import render

router = APIRouter(include_in_schema=False)


def _zones(session) -> list[ShippingZone]:
    query = sa.select(ShippingZone).order_by(ShippingZone.position).options(selectinload(ShippingZone.rates))
    return list(session.scalars(query))


def _page(request: Request, session, slug: PageSlug, lang: str):
    request.state.lang = lang
    base = request.app.state.settings.base_url
    alternates = {code: base + urls.store_page_path(code, slug) for code in STORE_LANGUAGES}
    alternates["x-default"] = alternates["en"]
    details = service.contact(session)
    return render(
        request,
        "store/info_page.html",
        {
            "slug": slug.value,
            "page": service.page(session, slug, lang),
            "prose": prose,
            "contact": details,
            "whatsapp": service.whatsapp_digits(details.whatsapp),
            "zones": _zones(session) if slug == PageSlug.shipping else [],
            "canonical": alternates[lang],
            "alternates": alternates,
        },
    )


def _shower(slug: PageSlug, lang: str):
    def show(request: Request, session: SessionDep):
        return _page(request, session, slug, lang)

    return show


def _redirector(slug: PageSlug, lang: str):
    def elsewhere():
        """The language switch keeps the path's words; send it to the page's own path in that language."""
        return RedirectResponse(urls.store_page_path(lang, slug.value), status_code=301)

    return elsewhere


for _slug in PageSlug:
    _paths = urls.STORE_PAGE_PATHS[_slug.value]
    for _lang in STORE_LANGUAGES:
        router.add_api_route(
            f"/{_lang}{_paths[_lang]}", _shower(_slug, _lang), methods=["GET"], dependencies=[Depends(mark_public)]
        )
        for _other in STORE_LANGUAGES:
            if _paths[_other] != _paths[_lang]:
                router.add_api_route(f"/{_lang}{_paths[_other]}", _redirector(_slug, _lang), methods=["GET"])
