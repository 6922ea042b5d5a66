"""URLs for pages, media and static files, built in one place so every page and the API agree."""

from __future__ import annotations

import hashlib
from functools import cache
from urllib.parse import urlencode

from shop.catalogue.images import thumbnail_widths
from shop.catalogue.models import Image
from shop.paths import STATIC_DIR, TEMPLATES_DIR

__all__ = ["STATIC_DIR", "TEMPLATES_DIR"]


@cache
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so browsers may cache it for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def thumb_url(image: Image, width: int) -> str:
    """Only thumbnails are public: they are re-encoded, so no camera metadata (such as GPS) survives.

    Originals stay private in the media folder, for reprinting or re-deriving thumbnails.
    """
    return f"/media/{image.key}-{width}.webp"


def largest_thumb(image: Image) -> str:
    return thumb_url(image, thumbnail_widths(image)[-1])


def srcset(image: Image) -> str:
    return ", ".join(f"{thumb_url(image, w)} {w}w" for w in thumbnail_widths(image))


def default_thumb(image: Image, wanted: int = 640) -> str:
    widths = thumbnail_widths(image)
    fitting = [w for w in widths if w <= wanted]
    return thumb_url(image, fitting[-1] if fitting else widths[0])


def store_path(lang: str, path: str = "/", **query) -> str:
    """A store page in one language, with query parameters that have a value."""
    clean = {k: v for k, v in query.items() if v not in (None, "") and not (k == "page" and v == 1)}
    suffix = f"?{urlencode(clean)}" if clean else ""
    return f"/{lang}{path}{suffix}"


# The public fair-trade page, its path in each store language's own words.
FAIR_TRADE_PATHS = {"es": "/comercio-justo", "en": "/fair-trade"}


def fair_trade_path(lang: str) -> str:
    return f"/{lang}{FAIR_TRADE_PATHS.get(lang, FAIR_TRADE_PATHS['en'])}"


# The pages every shop has, each at a path in its language's own words; keys are shop.storefront's PageSlug values.
STORE_PAGE_PATHS = {
    "contact": {"es": "/contacto", "en": "/contact"},
    "shipping": {"es": "/envios", "en": "/shipping"},
    "returns": {"es": "/devoluciones", "en": "/returns"},
    "about": {"es": "/la-cooperativa", "en": "/about"},
    "terms": {"es": "/terminos", "en": "/terms"},
    "privacy": {"es": "/aviso-de-privacidad", "en": "/privacy"},
}


def store_page_path(lang: str, slug: str) -> str:
    paths = STORE_PAGE_PATHS[slug]
    return f"/{lang}{paths.get(lang, paths['en'])}"


def product_path(lang: str, slug: str) -> str:
    return f"/{lang}/products/{slug}"


def weaver_path(lang: str, slug: str) -> str:
    return f"/{lang}/weavers/{slug}"
