"""The public fair-trade page: what the cooperative is certified for, how it prices fairly, what reaches the
weaver, and what it is still working on. Its path is in the page's language (/es/comercio-justo,
/en/fair-trade); the other language's word, or no language, leads to the right one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from shop.api.http import urls
from shop.api.http.caching import mark_public
from shop.api.http.deps import SessionDep
from shop.certification.public import fair_trade_facts
from shop.certification.service import local_today
from shop.i18n import STORE_LANGUAGES
from shop.web.store.language import Lang, preferred_language
from shop.web.templating import render

router = APIRouter(include_in_schema=False)


def _links(base_url: str, lang: str) -> dict:
    alternates = {code: base_url + urls.fair_trade_path(code) for code in STORE_LANGUAGES}
    alternates["x-default"] = base_url + urls.FAIR_TRADE_PATHS["en"]
    return {"canonical": alternates[lang], "alternates": alternates}


def _page(request: Request, lang: str, session) -> object:
    settings = request.app.state.settings
    return render(
        request,
        "store/fair_trade.html",
        {
            "facts": fair_trade_facts(session, local_today()),
            "work_week_hours": settings.work_week_hours,
            **_links(settings.base_url, lang),
        },
    )


@router.get("/es/comercio-justo", dependencies=[Depends(mark_public)])
def fair_trade_es(request: Request, session: SessionDep):
    request.state.lang = "es"
    return _page(request, "es", session)


@router.get("/en/fair-trade", dependencies=[Depends(mark_public)])
def fair_trade_en(request: Request, session: SessionDep):
    request.state.lang = "en"
    return _page(request, "en", session)


@router.get("/{lang:store_lang}/fair-trade")
@router.get("/{lang:store_lang}/comercio-justo")
def fair_trade_in_other_words(lang: Lang):
    """The language switch keeps the path's words; send it to the page's own path in that language."""
    return RedirectResponse(urls.fair_trade_path(lang), status_code=301)


@router.get("/fair-trade")
@router.get("/comercio-justo")
def fair_trade_any_language(request: Request):
    response = RedirectResponse(urls.fair_trade_path(preferred_language(request)), status_code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
