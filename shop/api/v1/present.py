"""Catalogue rows as API read models, in both store languages at once."""

from __future__ import annotations

from shop.api.http import present, urls
from shop.catalogue.availability import availability_of, deposit_amount
from shop.catalogue.images import thumbnail_widths
from shop.catalogue.models import Category, Image, Product, Weaver
from shop.catalogue.schemas import (
    ApproximatePriceRead,
    AvailabilityRead,
    CategoryRead,
    CategoryRef,
    DimensionsRead,
    FairTradeClaimRead,
    ImageRead,
    Localized,
    PriceRead,
    ProductRead,
    ThumbnailRead,
    WeaverRead,
)
from shop.certification.claim import Claim
from shop.config import Settings
from shop.i18n import translator
from shop.marketplaces.rates import DisplayRate
from shop.money import convert_for_display


def both(render) -> Localized:
    """Call ``render(lang)`` for each store language."""
    return Localized(es=render("es"), en=render("en"))


def field(obj, name: str) -> Localized:
    return both(lambda lang: present.loc(obj, name, lang))


def price(amount: int, currency: str) -> PriceRead:
    return PriceRead(
        amount=amount,
        currency=currency,
        formatted=both(lambda lang: translator(lang).money(amount, currency)),
    )


def image(image: Image, alt: Localized, base_url: str) -> ImageRead:
    return ImageRead(
        url=base_url + urls.largest_thumb(image),
        width=image.width,
        height=image.height,
        alt=alt,
        thumbnails=[ThumbnailRead(width=w, url=base_url + urls.thumb_url(image, w)) for w in thumbnail_widths(image)],
        srcset=", ".join(f"{base_url}{urls.thumb_url(image, w)} {w}w" for w in thumbnail_widths(image)),
    )


def weaver(w: Weaver, base_url: str) -> WeaverRead:
    return WeaverRead(
        slug=w.slug,
        name=w.name,
        community=w.community,
        municipio=w.municipio,
        languages=[code for code in w.languages.split(",") if code],
        bio=field(w, "bio"),
        photo=image(w.photo, Localized(es=w.name, en=w.name), base_url) if w.photo else None,
        url=both(lambda lang: base_url + urls.weaver_path(lang, w.slug)),
    )


def category(c: Category, count: int, base_url: str) -> CategoryRead:
    return CategoryRead(
        slug=c.slug,
        name=field(c, "name"),
        description=field(c, "description"),
        product_count=count,
        url=both(lambda lang: base_url + urls.store_path(lang, "/products", category=c.slug)),
    )


def product(
    p: Product,
    settings: Settings,
    available: int | None = None,
    claims: tuple[Claim, ...] = (),
    rates: list[DisplayRate] | None = None,
) -> ProductRead:
    """``rates``: the display rates (``shop.marketplaces.rates.display_rates``); the configured ones if None."""
    base = settings.base_url
    info = availability_of(p, available)
    named, _hidden = present.public_weavers_of(p)
    if rates is None:
        rates = [DisplayRate(code, rate, settings.display_rates_date) for code, rate in settings.display_rates.items()]
    approximate = []
    for rate in rates:
        if rate.currency == p.currency:
            continue
        target = rate.currency
        amount = convert_for_display(p.price_amount, p.currency, target, rate.pesos, whole_units=True)
        approximate.append(
            ApproximatePriceRead(
                amount=amount,
                currency=target,
                rate=str(rate.pesos),
                rate_date=rate.day,
                formatted=both(lambda lang, amount=amount, target=target: translator(lang).money(amount, target)),
            )
        )
    due = deposit_amount(p)
    deposit = price(due, p.currency) if due is not None else None
    dims = both(lambda lang: present.dimensions(translator(lang), p) or "")
    return ProductRead(
        slug=p.slug,
        url=both(lambda lang: base + urls.product_path(lang, p.slug)),
        title=field(p, "title"),
        description=field(p, "description"),
        technique=field(p, "technique"),
        materials=field(p, "materials"),
        natural_dyes=field(p, "dyes"),
        dimensions=DimensionsRead(
            length_mm=p.length_mm, width_mm=p.width_mm, height_mm=p.height_mm, text=dims if dims.es else None
        ),
        weight_g=p.weight_g,
        hours_of_work=p.hours_of_work,
        kind=p.kind,
        status=p.status,
        price=price(p.price_amount, p.currency),
        approximate_prices=approximate,
        availability=AvailabilityRead(
            state=info.state.value,
            quantity=info.quantity,
            lead_time_days=info.lead_time_days,
            deposit_bp=info.deposit_bp,
            buyable=info.buyable,
            label=both(lambda lang: present.availability_label(translator(lang), info)),
            schema_org=info.schema_org,
        ),
        deposit=deposit,
        category=CategoryRef(slug=p.category.slug, name=field(p.category, "name")),
        images=[
            image(pi.image, Localized(es=pi.alt_es or p.title_es, en=pi.alt_en or p.title_en), base) for pi in p.images
        ],
        weavers=[weaver(w, base) for w in named],
        woven_by=both(lambda lang: present.woven_by(translator(lang), p)),
        fair_trade=[
            FairTradeClaimRead(
                scheme=c.scheme,
                kind=c.kind.value,
                certificate=c.certificate,
                wording=Localized(es=c.wording("es"), en=c.wording("en")),
            )
            for c in claims
        ],
        updated_at=p.updated_at,
    )
