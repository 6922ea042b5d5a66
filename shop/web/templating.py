"""One Jinja environment for all HTML, and ``render`` which gives every page its language and helpers."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from shop.api.http import present, urls
from shop.api.http.caching import public_headers
from shop.api.http.deps import answer_is_an_error
from shop.catalogue.availability import availability_of
from shop.i18n import LANGUAGE_NAMES, translations, translator
from shop.money import basis_points_percent
from shop.web.browser import (
    CART_COOKIE,
    CART_PLACEHOLDER,
    CSRF_PLACEHOLDER,
    FLASH_COOKIE,
    SEED_SCOPE_KEY,
    Signer,
    csrf_token,
)

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(urls.TEMPLATES_DIR),
    autoescape=jinja2.select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
    undefined=jinja2.StrictUndefined,
)


def _json_ld(data: Any) -> Markup:
    # No "<", ">" or "&" may appear inside a <script> block, whatever the product text says.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704  (escaped above for the script context)


_env.globals.update(
    static=urls.static_url,
    srcset=urls.srcset,
    image_sources=urls.image_sources,
    thumb=urls.default_thumb,
    store_path=urls.store_path,
    product_path=urls.product_path,
    weaver_path=urls.weaver_path,
    fair_trade_path=urls.fair_trade_path,
    store_page_path=urls.store_page_path,
    percent=basis_points_percent,
    availability_of=availability_of,
    language_names=LANGUAGE_NAMES,
    cooperative=present.COOPERATIVE,
    place=present.place,
)
_env.filters["json_ld"] = _json_ld
templates = Jinja2Templates(env=_env)


def language_helpers(lang: str) -> dict[str, Any]:
    """What every template uses to speak the page's language."""
    t = translator(lang)
    return {
        "lang": lang,
        "t": t,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "loc": partial(present.loc, lang=lang),
        "availability_label": partial(present.availability_label, t),
        "woven_by": partial(present.woven_by, t),
        "deposit_label": partial(present.deposit_label, t),
        "dimensions": partial(present.dimensions, t),
    }


def render_fragment(name: str, context: dict[str, Any]) -> Markup:
    """A piece of a page (a product card), rendered on its own to be kept and reused."""
    return Markup(_env.get_template(name).render(context))  # noqa: S704  (autoescaped by the environment)


# (template, language) -> (the catalog it was rendered with, the part)
_kept_parts: dict[tuple[str, str], tuple[object, Markup]] = {}


def kept_part(name: str, lang: str) -> Markup:
    """A part of the layout that is the same on every page in a language (the footer, the head's links): rendered
    once per language, and again only when the language's catalog changes (the speakers' Tzotzil is edited live)."""
    catalog = translations(lang)
    found = _kept_parts.get((name, lang))
    if found is None or found[0] is not catalog:
        found = _kept_parts[(name, lang)] = (catalog, render_fragment(name, language_helpers(lang)))
    return found[1]


_env.globals["kept_part"] = kept_part


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    lang: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
):
    settings = request.app.state.settings
    if status_code >= 400:
        answer_is_an_error(request)
    lang = lang or getattr(request.state, "lang", None) or settings.default_language
    t = translator(lang)
    public = getattr(request.state, "page_cache_public", False)
    signer: Signer = request.app.state.signer
    flash = None
    if public:
        # Shared pages carry placeholders that the page cache fills for each visitor.
        token, cart_count = CSRF_PLACEHOLDER.decode(), CART_PLACEHOLDER.decode()
    else:
        token = csrf_token(request.app.state.secret_key, request.scope.get(SEED_SCOPE_KEY, ""))
        _, count = signer.read_cart(request.cookies.get(CART_COOKIE))
        cart_count = str(count) if count else ""
        flash = signer.shown_flash(request.cookies.get(FLASH_COOKIE), t.gettext)
    page = {
        "request": request,
        **language_helpers(lang),
        "base_url": settings.base_url,
        "canonical": None,
        "alternates": {},
        "noindex": False,
        # Units available per product id, for pages showing products; missing ids fall back to stock.
        "available": {},
        # The fair-trade claims per product id (``shop.certification.service.claims_on``) for pages showing products.
        "claims": {},
        "csrf_field": lambda: Markup('<input type="hidden" name="csrf_token" value="%s">') % token,
        "cart_count": cart_count,
        "flash": flash,
        **(context or {}),
    }
    headers = {**(headers or {}), **public_headers()} if public else {**(headers or {}), "Cache-Control": "no-store"}
    response = templates.TemplateResponse(request, name, page, status_code=status_code, headers=headers)
    if flash is not None:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
