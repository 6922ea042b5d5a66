"""Put the demo catalogue into a database through the catalogue services, the way a person would.

The caller owns the transaction (and checks that the database is empty): this only flushes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from shop.catalogue.images import ImageLimits, save_image
from shop.catalogue.models import PUBLIC_STATUSES
from shop.catalogue.schemas import AttributionIn, CategoryCreate, ProductCreate, WeaverCreate
from shop.catalogue.service import add_product_image, create_category, create_product, create_weaver
from shop.clock import utcnow
from shop.demo.artwork import draw_portrait, draw_product
from shop.demo.data import CATEGORIES, PRODUCTS, WEAVERS
from shop.storage import FileStores
from shop.storefront import service as storefront

# A drawing to make: ("portrait", seed, palette) or ("product", kind, palette, motifs, view, seed).
Job = tuple


def seed_for(slug: str) -> int:
    """A stable seed per piece (Python's hash() changes between runs)."""
    return zlib.crc32(slug.encode())


def draw(job: Job) -> bytes:
    """Make one drawing; a plain function of plain values, so a worker process can run it."""
    if job[0] == "portrait":
        return draw_portrait(*job[1:])
    return draw_product(*job[1:])


def drawing_jobs() -> list[Job]:
    """Every drawing the demo needs, in the order load_demo saves them."""
    jobs: list[Job] = [("portrait", seed_for(w.slug), w.palette) for w in WEAVERS]
    for product in PRODUCTS:
        art = product.art
        for photo in product.photos:
            jobs.append(("product", art.kind, art.palette, art.motifs, photo.view, seed_for(product.slug)))
    return jobs


def _worker_pool() -> Executor:
    """One thread draws ahead while this one saves images and writes rows.

    Pillow releases the GIL while it encodes and resizes, so the two overlap. Worker processes were
    measured slower here, and forking a process that may hold other threads' locks is unsafe.
    """
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-art")


def load_demo(session: Session, files: FileStores, limits: ImageLimits) -> dict[str, int]:
    """Create the demo categories, weavers (with portraits) and products (with photos); return counts.

    Drawing is the slow part, so a thread draws ahead while this one saves the images and writes rows.
    """
    now = utcnow()
    jobs = drawing_jobs()
    pool = _worker_pool()
    try:
        return _load(session, files, limits, pool.map(draw, jobs), now)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _load(
    session: Session, files: FileStores, limits: ImageLimits, drawings: Iterator[bytes], now: datetime
) -> dict[str, int]:
    images = 0
    shown: dict[int, tuple[int, str, str]] = {}  # a category's first public photo

    categories = {}
    for position, category in enumerate(CATEGORIES):
        categories[category.slug] = create_category(
            session,
            CategoryCreate(
                slug=category.slug,
                name_es=category.name_es,
                name_en=category.name_en,
                description_es=category.description_es,
                description_en=category.description_en,
                position=position,
            ),
        )

    weavers = {}
    for weaver in WEAVERS:
        photo = save_image(session, next(drawings), files, limits)
        images += 1
        weavers[weaver.slug] = create_weaver(
            session,
            WeaverCreate(
                slug=weaver.slug,
                name=weaver.name,
                community=weaver.community,
                municipio=weaver.municipio,
                languages=list(weaver.languages),
                bio_es=weaver.bio_es,
                bio_en=weaver.bio_en,
                consent_to_publish=weaver.consent_date is not None,
                consent_date=weaver.consent_date,
            ),
            photo=photo,
        )

    for index, data in enumerate(PRODUCTS):
        product = create_product(
            session,
            ProductCreate(
                slug=data.slug,
                category_id=categories[data.category].id,
                title_es=data.title_es,
                title_en=data.title_en,
                description_es=data.description_es,
                description_en=data.description_en,
                technique_es=data.technique_es,
                technique_en=data.technique_en,
                materials_es=data.materials_es,
                materials_en=data.materials_en,
                dyes_es=data.dyes_es,
                dyes_en=data.dyes_en,
                length_mm=data.length_mm,
                width_mm=data.width_mm,
                height_mm=data.height_mm,
                weight_g=data.weight_g,
                hours_of_work=data.hours_of_work,
                price_amount=data.price,
                kind=data.kind,
                lead_time_days=data.lead_time_days,
                deposit_bp=data.deposit_bp,
                stock_on_hand=data.stock,
                status=data.status,
                weavers=[AttributionIn(weaver_id=weavers[slug].id, share_bp=share) for slug, share in data.weavers],
            ),
        )
        for photo in data.photos:
            image = save_image(session, next(drawings), files, limits)
            add_product_image(session, product, image, alt_es=photo.alt_es, alt_en=photo.alt_en)
            images += 1
            if data.status in PUBLIC_STATUSES:
                shown.setdefault(categories[data.category].id, (image.id, photo.alt_es, photo.alt_en))
        # Listed over the past months, at different hours, so "newest first" has a real order.
        listed = now - timedelta(days=data.days_ago, hours=(index * 5) % 11, minutes=(index * 17) % 60)
        product.created_at = listed
        product.updated_at = listed
    session.flush()
    _storefront(session, shown)
    return {
        "categories": len(categories),
        "weavers": len(weavers),
        "products": len(PRODUCTS),
        "images": images,
    }


def _storefront(session: Session, shown: dict[int, tuple[int, str, str]]) -> None:
    """The demo's contact details and home-page pictures, chosen as an admin would: one photo per category, and
    the first category's for the top."""
    storefront.save_contact(
        session,
        legal_name="J'pas Joloviletik",
        email="tienda@jpas-joloviletik.example",
        whatsapp="+52 967 000 0000",
        address="San Cristóbal de las Casas, Chiapas, México",
    )
    for index, (category_id, (image_id, alt_es, alt_en)) in enumerate(shown.items()):
        storefront.choose_picture(session, storefront.category_place(category_id), image_id, alt_es, alt_en)
        if index == 0:
            storefront.choose_picture(session, storefront.HERO, image_id, alt_es, alt_en)
