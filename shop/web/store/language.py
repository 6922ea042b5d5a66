"""Store language: in the URL (/es/…, /en/…) so every page has a shareable address per language.

Unprefixed addresses (/products, /products/{slug}) stay stable and send each visitor to her language:
first the one she chose with the switch (a cookie), then her browser's Accept-Language.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from starlette.convertors import Convertor, register_url_convertor

from shop.i18n import STORE_LANGUAGES, negotiate

LANG_COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


class StoreLanguage(Convertor):
    regex = "|".join(STORE_LANGUAGES)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("store_lang", StoreLanguage())

router = APIRouter(include_in_schema=False)


def preferred_language(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in STORE_LANGUAGES:
        return chosen
    return negotiate(
        request.headers.get("accept-language"), STORE_LANGUAGES, request.app.state.settings.default_language
    )


def redirect_to_language(request: Request, path: str) -> RedirectResponse:
    lang = preferred_language(request)
    query = f"?{request.url.query}" if request.url.query else ""
    response = RedirectResponse(f"/{lang}{path}{query}", status_code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def strip_language(path: str) -> str:
    """The part of a store path after its language prefix ("/en/products" -> "/products")."""
    for lang in STORE_LANGUAGES:
        if path == f"/{lang}":
            return "/"
        if path.startswith(f"/{lang}/"):
            return path[len(lang) + 1 :]
    return path


def safe_next(target: str | None) -> str:
    """Only paths on this site; anything else (another host, a scheme) goes home."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/lang/{lang:store_lang}")
def switch_language(request: Request, lang: str, next: str | None = Query(default=None, max_length=2000)):
    target = urlsplit(safe_next(next))
    path = f"/{lang}{strip_language(target.path)}"
    if target.query:
        path += f"?{target.query}"
    response = RedirectResponse(path, status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=ONE_YEAR,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.https,
    )
    return response


@router.get("/")
def root(request: Request):
    return redirect_to_language(request, "/")


@router.get("/products")
def products_any_language(request: Request):
    return redirect_to_language(request, "/products")


@router.get("/products/{slug}")
def product_any_language(request: Request, slug: str):
    return redirect_to_language(request, f"/products/{quote(slug)}")


@router.get("/weavers")
def weavers_any_language(request: Request):
    return redirect_to_language(request, "/weavers")


@router.get("/weavers/{slug}")
def weaver_any_language(request: Request, slug: str):
    return redirect_to_language(request, f"/weavers/{quote(slug)}")


async def store_language(request: Request, lang: str) -> str:
    """The store routers' language, from the path; kept on the request for messages and error pages. Async
    though it waits for nothing, so FastAPI does not hand it to a thread."""
    request.state.lang = lang
    return lang


Lang = Annotated[str, Depends(store_language)]
