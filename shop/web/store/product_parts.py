"""The product page's own parts (its head and its body but the related pieces), rendered once per catalogue
revision and day (``shop.api.http.revision_store``) for every visitor who would see the same.

They change with the piece's rows and claims (the revision and the day), the language, the units a buyer can
take now and the moment a hold on it ends (both asked for on every page, so part of the key), and the country
the shipping quote is for. The form token in them is the page cache's placeholder, filled in for each visitor
as the page is sent, as on every public page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from markupsafe import Markup

from shop.api.http.revision_store import RevisionStore
from shop.catalogue.models import Product
from shop.web.browser import CSRF_PLACEHOLDER
from shop.web.store.seo import product_json_ld
from shop.web.templating import language_helpers, render_fragment

CSRF_FIELD = Markup('<input type="hidden" name="csrf_token" value="%s">') % CSRF_PLACEHOLDER.decode()


@dataclass(frozen=True, slots=True)
class Shown:
    """What one visitor's copy of the page depends on, beyond the catalogue's revision and day."""

    lang: str
    units: int  # available to a buyer now
    held_until: datetime | None  # when the first hold on the piece ends, if it is on hold
    country: str  # the shipping quote's


def product_parts(
    request: Request, product: Product, shown: Shown, claims: dict, canonical: str, body: Callable[[], dict]
) -> tuple[Markup, Markup]:
    """The page's head and body for ``shown``; ``body`` gives what only the body shows (the approximate prices
    and the shipping section), asked for only when the body is rendered."""
    store: RevisionStore = request.app.state.revision_store
    keys = [("product-head", product.id, shown.lang, shown.units), ("product-main", product.id, shown)]
    settings = request.app.state.settings

    def make(missing: list) -> dict:
        context = {
            **language_helpers(shown.lang),
            "product": product,
            "available": {product.id: shown.units},
            "claims": claims,
            "base_url": settings.base_url,
            "canonical": canonical,
            "held_until": shown.held_until,
            "csrf_field": lambda: CSRF_FIELD,
        }
        made = {}
        for key in missing:
            if key[0] == "product-head":
                json_ld = product_json_ld(
                    product, shown.lang, settings.base_url, canonical, shown.units, claims=claims[product.id]
                )
                made[key] = render_fragment("store/_product_head.html", {**context, "json_ld": json_ld})
            else:
                made[key] = render_fragment("store/_product_main.html", {**context, **body()})
        return made

    head, main = store.parts(request, keys, make)
    return head, main
