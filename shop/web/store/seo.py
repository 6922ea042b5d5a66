"""What search engines and link previews read: canonical URLs, hreflang, JSON-LD, sitemap and robots."""

from __future__ import annotations

from datetime import UTC
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from shop.api.http import urls
from shop.api.http.caching import public_headers
from shop.api.http.deps import SessionDep
from shop.api.http.present import COOPERATIVE, loc
from shop.catalogue.availability import availability_of
from shop.catalogue.browse import list_categories, sitemap_entries
from shop.catalogue.models import Product
from shop.certification.claim import Claim, ClaimKind
from shop.i18n import STORE_LANGUAGES
from shop.money import Money

router = APIRouter(include_in_schema=False)


def page_links(base_url: str, lang: str, path: str, **query) -> dict:
    """Canonical URL of this page and its equivalents in every store language (plus x-default)."""
    alternates = {code: base_url + urls.store_path(code, path, **query) for code in STORE_LANGUAGES}
    unprefixed = urls.store_path("", path, **query)[1:]
    alternates["x-default"] = base_url + unprefixed
    return {"canonical": alternates[lang], "alternates": alternates}


def certification_json_ld(claim: Claim, lang: str, base_url: str) -> dict:
    """A claim as schema.org's Certification: the scheme, the certificate's number, the scheme's own words."""
    return {
        "@type": "Certification",
        "name": claim.scheme,
        "certificationIdentification": claim.certificate,
        "certificationStatus": "https://schema.org/CertificationActive",
        "description": claim.wording(lang),
        "url": base_url + urls.fair_trade_path(lang),
    }


def product_json_ld(
    product: Product,
    lang: str,
    base_url: str,
    canonical: str,
    available: int | None = None,
    *,
    claims: tuple[Claim, ...] = (),
) -> dict:
    """The product for search engines. A product scheme's claim is the product's certification; an
    organisation scheme's (WFTO) is the cooperative's, never the product's."""
    info = availability_of(product, available)
    money = Money(product.price_amount, product.currency)
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": loc(product, "title", lang),
        "description": loc(product, "description", lang),
        "sku": product.slug,
        "url": canonical,
        "image": [base_url + urls.default_thumb(pi.image, 1280) for pi in product.images],
        "category": loc(product.category, "name", lang),
        "brand": {"@type": "Brand", "name": COOPERATIVE},
        "offers": {
            "@type": "Offer",
            "url": canonical,
            "priceCurrency": money.currency,
            "price": str(money.as_decimal()),
            "availability": info.schema_org,
            "itemCondition": "https://schema.org/NewCondition",
            "seller": {"@type": "Organization", "name": COOPERATIVE},
        },
    }
    certified = [certification_json_ld(c, lang, base_url) for c in claims if c.kind is ClaimKind.product]
    verified = [certification_json_ld(c, lang, base_url) for c in claims if c.kind is ClaimKind.organisation]
    if certified:
        data["hasCertification"] = certified
    if verified:
        data["manufacturer"] = {"@type": "Organization", "name": COOPERATIVE, "hasCertification": verified}
    if loc(product, "materials", lang):
        data["material"] = loc(product, "materials", lang)
    if product.weight_g:
        data["weight"] = {"@type": "QuantitativeValue", "value": product.weight_g, "unitCode": "GRM"}
    return data


@router.get("/robots.txt")
def robots(request: Request) -> PlainTextResponse:
    base = request.app.state.settings.base_url
    body = "\n".join(
        [
            "User-agent: *",
            "Disallow: /api/",
            "Disallow: /lang/",
            "Disallow: /*?*q=",
            "Allow: /",
            f"Sitemap: {base}/sitemap.xml",
            "",
        ]
    )
    return PlainTextResponse(body)


def _url_entry(alternates: dict[str, str], lastmod: str | None = None) -> list[str]:
    lines = []
    for code in STORE_LANGUAGES:
        lines.append("<url>")
        lines.append(f"<loc>{escape(alternates[code])}</loc>")
        if lastmod:
            lines.append(f"<lastmod>{lastmod}</lastmod>")
        for other, href in alternates.items():
            lines.append(f'<xhtml:link rel="alternate" hreflang="{other}" href="{escape(href)}"/>')
        lines.append("</url>")
    return lines


@router.get("/sitemap.xml")
def sitemap(request: Request, session: SessionDep) -> Response:
    base = request.app.state.settings.base_url
    products, weavers = sitemap_entries(session)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    lines += _url_entry(page_links(base, "es", "/")["alternates"])
    lines += _url_entry(page_links(base, "es", "/products")["alternates"])
    lines += _url_entry(page_links(base, "es", "/weavers")["alternates"])
    fair_trade = {code: base + urls.fair_trade_path(code) for code in STORE_LANGUAGES}
    lines += _url_entry({**fair_trade, "x-default": base + urls.FAIR_TRADE_PATHS["en"]})
    for slug in urls.STORE_PAGE_PATHS:
        own = {code: base + urls.store_page_path(code, slug) for code in STORE_LANGUAGES}
        lines += _url_entry({**own, "x-default": own["en"]})
    for category, count in list_categories(session):
        if count:
            lines += _url_entry(page_links(base, "es", "/products", category=category.slug)["alternates"])
    for slug, updated in products:
        lastmod = updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines += _url_entry(page_links(base, "es", f"/products/{slug}")["alternates"], lastmod)
    for slug in weavers:
        lines += _url_entry(page_links(base, "es", f"/weavers/{slug}")["alternates"])
    lines.append("</urlset>")
    return Response("\n".join(lines), media_type="application/xml", headers=public_headers())
