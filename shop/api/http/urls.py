"""URLs for pages, media and static files, built in one place so every page and the API agree."""

from __future__ import annotations

import hashlib
from functools import cache
from urllib.parse import urlencode

from shop.catalogue.images import MEDIA_TYPES, thumbnail_formats, thumbnail_widths
from shop.catalogue.models import Image
from shop.paths import STATIC_DIR, TEMPLATES_DIR

__all__ = ["STATIC_DIR", "TEMPLATES_DIR"]


@cache
def static_url(path: str) -> str:
    """A static file's URL with a content hash, so browsers may cache it for a year."""
    digest = hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:10]
    return f"/static/{path}?v={digest}"


def thumb_url(image: Image, width: int, fmt: str = "webp") -> str:
    """Only thumbnails are public: they are re-encoded, so no camera metadata (such as GPS) survives.

    Originals stay private in the media folder, for reprinting or re-deriving thumbnails.
    """
    return f"/media/{image.key}-{width}.{fmt}"


def largest_thumb(image: Image) -> str:
    return thumb_url(image, thumbnail_widths(image)[-1])


def srcset(image: Image, fmt: str = "webp", wanted: int | None = None) -> str:
    """``image``'s thumbnails in ``fmt``; for a slot whose widest file is ``wanted`` (its widest on a 2x-3x screen),
    only the widths over a quarter of it up to it (a slot is never narrower than that at 1x), which keeps a card's
    markup short."""
    widths = thumbnail_widths(image)
    if wanted is not None:
        widths = [w for w in widths if wanted / 4 < w <= wanted] or [default_thumb_width(image, wanted)]
    return ", ".join(f"{thumb_url(image, w, fmt)} {w}w" for w in widths)


def image_sources(image: Image, wanted: int | None = None) -> list[tuple[str, str]]:
    """(media type, srcset) of each format better than WebP that ``image``'s thumbnails exist in, best first:
    the ``<source>`` elements of its ``<picture>``, whose ``<img>`` keeps the WebP files every browser reads."""
    return [(MEDIA_TYPES[fmt], srcset(image, fmt, wanted)) for fmt in thumbnail_formats(image) if fmt != "webp"]


def default_thumb_width(image: Image, wanted: int = 640) -> int:
    """The widest of ``image``'s thumbnails no wider than ``wanted`` (its narrowest if all are wider)."""
    widths = thumbnail_widths(image)
    fitting = [w for w in widths if w <= wanted]
    return fitting[-1] if fitting else widths[0]


def default_thumb(image: Image, wanted: int = 640) -> str:
    return thumb_url(image, default_thumb_width(image, wanted))


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
