"""The demo catalogue loads through the catalogue services and looks like a real shop."""

from __future__ import annotations

import io
import os
import shutil
from collections import Counter
from datetime import timedelta

import demo_template as demo_template_module
import pytest
from PIL import Image as PILImage
from postgres_admin import drop_postgres_database
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session

from shop.catalogue.browse import ProductQuery, list_public_products
from shop.catalogue.images import original_name, thumbnail_name, thumbnail_widths
from shop.catalogue.models import (
    PUBLIC_STATUSES,
    Category,
    Image,
    Product,
    ProductImage,
    ProductKind,
    ProductStatus,
    ProductWeaver,
    Weaver,
)
from shop.db import make_engine
from shop.demo import data
from shop.demo.artwork import KINDS, PORTRAIT_SIZE, PRODUCT_SIZE, draw_portrait, draw_product

POSTGRES_URL = os.environ.get("SHOP_TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    """A copy of the demo catalogue as load_demo leaves it (loaded once per run), shared by this module."""
    base = tmp_path_factory.mktemp("demo")
    if POSTGRES_URL:
        parsed = make_url(POSTGRES_URL)
        url = parsed.set(database=f"{parsed.database}_demo_check").render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{base / 'demo.db'}"
    demo_template_module.copy(demo_template.catalogue, url)
    media_dir = base / "media"
    shutil.copytree(demo_template.media_dir, media_dir)
    engine = make_engine(url)
    yield engine, media_dir, demo_template.counts | {"committed_by_loader": demo_template.commits_by_loader}
    engine.dispose()
    if POSTGRES_URL:
        drop_postgres_database(url)


@pytest.fixture
def session(demo):
    engine, _, _ = demo
    with Session(engine) as db:
        yield db


def test_the_loader_only_flushes_and_leaves_the_commit_to_its_caller(demo):
    _, _, counts = demo
    assert counts["committed_by_loader"] == 0


def test_counts_match_what_was_stored(demo, session):
    _, _, counts = demo
    counts = {key: value for key, value in counts.items() if key != "committed_by_loader"}
    assert counts == {
        "categories": session.scalar(select(func.count()).select_from(Category)),
        "weavers": session.scalar(select(func.count()).select_from(Weaver)),
        "products": session.scalar(select(func.count()).select_from(Product)),
        "images": session.scalar(select(func.count()).select_from(Image)),
    }
    assert counts["products"] >= 24
    assert counts["categories"] == 5
    assert counts["weavers"] == 8


def test_five_categories_in_order_each_with_at_least_four_products(session):
    categories = session.scalars(select(Category).order_by(Category.position)).all()
    assert [c.slug for c in categories] == ["huipiles", "rebozos", "bolsas", "manteleria", "accesorios"]
    per_category = Counter(session.scalars(select(Product.category_id)).all())
    for category in categories:
        assert per_category[category.id] >= 4, category.slug
        assert category.description_es
        assert category.description_en


def test_six_of_eight_weavers_consent_and_all_have_portraits(session):
    weavers = session.scalars(select(Weaver)).all()
    consenting = [w for w in weavers if w.consent_to_publish]
    assert len(weavers) == 8
    assert len(consenting) == 6
    assert all(w.consent_date.year in (2025, 2026) for w in consenting)
    assert all(w.consent_date is None for w in weavers if not w.consent_to_publish)
    assert all(w.photo_id is not None and w.bio_es and w.bio_en for w in weavers)
    assert all(w.languages == "tzo,es" for w in weavers)


def test_every_product_shares_sum_to_100_percent(session):
    shares: dict[int, list[int]] = {}
    for row in session.scalars(select(ProductWeaver)).all():
        shares.setdefault(row.product_id, []).append(row.share_bp)
    products = session.scalars(select(Product.id)).all()
    assert sorted(shares) == sorted(products)
    assert all(sum(s) == 10_000 for s in shares.values())
    assert sum(1 for s in shares.values() if len(s) == 2) >= 3


def test_some_pieces_are_by_weavers_who_did_not_consent(session):
    hidden = select(Weaver.id).where(Weaver.consent_to_publish.is_(False))
    products = session.scalars(
        select(ProductWeaver.product_id).where(ProductWeaver.weaver_id.in_(hidden)).distinct()
    ).all()
    assert len(products) >= 2


def test_kinds_statuses_and_terms(session):
    products = session.scalars(select(Product)).all()
    by_status = Counter(p.status for p in products)
    assert by_status[ProductStatus.sold_out] == 2
    assert by_status[ProductStatus.draft] == 1
    assert by_status[ProductStatus.active] == len(products) - 3
    assert all(p.stock_on_hand == 0 for p in products if p.status is ProductStatus.sold_out)

    made_to_order = [p for p in products if p.kind is ProductKind.made_to_order]
    assert len(made_to_order) >= 3
    assert all(21 <= p.lead_time_days <= 90 and p.deposit_bp in (3000, 5000) for p in made_to_order)
    series = [p for p in products if p.kind is ProductKind.series]
    assert series
    assert all(2 <= p.stock_on_hand <= 8 for p in series if p.status is ProductStatus.active)
    unique = [p for p in products if p.kind is ProductKind.unique]
    assert len(unique) >= len(series) // 2
    assert all(p.stock_on_hand <= 1 for p in unique)
    assert all(p.currency == "MXN" and 10_000 <= p.price_amount <= 1_200_000 for p in products)


def test_products_were_listed_at_different_times(session):
    stamps = session.scalars(select(Product.created_at)).all()
    assert len(set(stamps)) == len(stamps)
    assert max(stamps) - min(stamps) >= timedelta(days=120)


def test_every_product_has_two_or_three_described_photos(session):
    links = session.scalars(select(ProductImage)).all()
    per_product = Counter(link.product_id for link in links)
    assert set(per_product.values()) <= {2, 3}
    assert len(per_product) == session.scalar(select(func.count()).select_from(Product))
    assert all(link.alt_es and link.alt_en for link in links)


def test_every_image_file_and_its_thumbnails_exist(demo, session):
    _, media_dir, _ = demo
    images = session.scalars(select(Image)).all()
    assert images
    for image in images:
        assert (media_dir / "originals" / original_name(image)).is_file()
        for width in thumbnail_widths(image):
            assert (media_dir / "thumbs" / thumbnail_name(image.key, width)).is_file()
        assert (image.width, image.height) in (PRODUCT_SIZE, PORTRAIT_SIZE)
        assert image.original_ext == "jpg"


def test_storefront_shows_active_and_sold_out_but_not_the_draft(session):
    page = list_public_products(session, ProductQuery(page_size=100))
    assert page.items
    assert all(p.status in PUBLIC_STATUSES for p in page.items)
    draft = session.scalar(select(Product.slug).where(Product.status == ProductStatus.draft))
    assert draft not in {p.slug for p in page.items}
    public = session.scalar(select(func.count()).select_from(Product).where(Product.status.in_(PUBLIC_STATUSES)))
    assert page.total == public == len(page.items)
    # Newest first, with sold-out pieces at the end.
    active = [p for p in page.items if p.status is ProductStatus.active]
    assert [p.created_at for p in active] == sorted((p.created_at for p in active), reverse=True)
    assert all(p.status is ProductStatus.sold_out for p in page.items[len(active) :])


def test_demo_content_is_consistent():
    slugs = [p.slug for p in data.PRODUCTS]
    assert len(set(slugs)) == len(slugs)
    weavers = {w.slug for w in data.WEAVERS}
    categories = {c.slug for c in data.CATEGORIES}
    for product in data.PRODUCTS:
        assert product.category in categories
        assert {slug for slug, _ in product.weavers} <= weavers
        assert product.art.kind in KINDS
        assert isinstance(product.price, int)
        for text in (product.description_es, product.description_en):
            assert 2 <= text.count(". ") + 1 <= 4, product.slug


@pytest.mark.parametrize(("kind", "palette", "view"), [("huipil", "magdalenas", "front"), ("camino", "anil", "detail")])
def test_product_drawings_are_deterministic_jpegs(kind, palette, view):
    first = draw_product(kind, palette, ("rombos", "flores"), view, seed=7)
    assert first == draw_product(kind, palette, ("rombos", "flores"), view, seed=7)
    assert first != draw_product(kind, palette, ("rombos", "flores"), view, seed=8)
    with PILImage.open(io.BytesIO(first)) as image:
        assert image.format == "JPEG"
        assert image.size == PRODUCT_SIZE == (960, 1200)


def test_portraits_are_deterministic_jpegs():
    first = draw_portrait(3, "zinacantan")
    assert first == draw_portrait(3, "zinacantan")
    with PILImage.open(io.BytesIO(first)) as image:
        assert image.format == "JPEG"
        assert image.size == PORTRAIT_SIZE == (800, 800)


def test_unknown_kind_view_or_motif_is_refused():
    with pytest.raises(ValueError, match="kind"):
        draw_product("sombrero", "anil", ("rombos",), "front", 1)
    with pytest.raises(ValueError, match="view"):
        draw_product("huipil", "anil", ("rombos",), "back", 1)
    with pytest.raises(ValueError, match="motif"):
        draw_product("huipil", "anil", ("dragones",), "front", 1)


def test_no_public_page_or_api_answer_names_a_weaver_who_did_not_consent(demo, session):
    """Crawl everything a stranger can reach and look for the private weavers, by name, slug or photo."""
    import re

    from fastapi.testclient import TestClient

    from shop.config import Settings
    from shop.main import create_app

    engine, media_dir, _ = demo
    private = session.scalars(select(Weaver).where(Weaver.consent_to_publish.is_(False))).all()
    assert private
    needles = set()
    for weaver in private:
        needles |= {weaver.name, weaver.slug, weaver.name.split()[0]}
        needles.add(session.scalar(select(Image.key).where(Image.id == weaver.photo_id)))
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        media_dir=media_dir,
        secret_key="crawl",
        base_url="http://testserver",
        page_cache_seconds=0,
    )
    app = create_app(settings)
    seen: dict[str, str] = {}
    with TestClient(app) as client:
        queue = [
            "/es/",
            "/en/",
            "/sitemap.xml",
            "/api/v1/products?page_size=100",
            "/api/v1/weavers",
            "/api/v1/categories",
        ]
        while queue:
            url = queue.pop()
            if url in seen or len(seen) > 400:
                continue
            response = client.get(url)
            assert response.status_code == 200, url
            seen[url] = response.text
            for link in re.findall(
                r'(?:href|<loc>|"url":\s*")"?(?:http://testserver)?(/(?:es|en|api/v1)/[^"<\s]*)',
                response.text,
            ):
                link = link.replace("&amp;", "&")
                if "/lang/" not in link and link not in seen:
                    queue.append(link)
    app.state.engine.dispose()
    assert any("/products/" in url for url in seen) and any("/weavers/" in url for url in seen)
    for url, text in seen.items():
        for needle in needles:
            assert not re.search(rf"\b{re.escape(needle)}\b", text), f"{needle!r} is shown at {url}"
