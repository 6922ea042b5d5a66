"""Test fixtures: a real, migrated database per test, on SQLite by default or PostgreSQL on request.

Set SHOP_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/shop_test) to run on PostgreSQL.
That database is dropped and recreated at the start of the run. Each test starts from empty tables.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import demo_template as demo_template_module
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from ledger_summary_check import summaries_agree
from postgres_admin import drop_postgres_database, empty_tables, recreate_postgres_database, remember_seeds
from sqlalchemy.engine import make_url
from sqlmodel import Session

from shop import migrations
from shop.accounts import credentials
from shop.config import Environment, Settings
from shop.main import create_app

# Run in parallel (pytest-xdist), each worker gets PostgreSQL databases of its own: gw0 works in shop_test_gw0 and
# the databases named after it. Set before any test module reads the variable.
if os.environ.get("SHOP_TEST_DATABASE_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    _shared = make_url(os.environ["SHOP_TEST_DATABASE_URL"])
    os.environ["SHOP_TEST_DATABASE_URL"] = _shared.set(
        database=f"{_shared.database}_{os.environ['PYTEST_XDIST_WORKER']}"
    ).render_as_string(hide_password=False)
POSTGRES_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
PRODUCTION_HASHER = credentials.HASHER
# The least argon2id allows: signing in costs ~20 ms (far more on a busy machine) at the production cost,
# and the web tests create and sign in thousands of people. Tests that need the real cost ask for it.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

# Fixtures of records that several test folders share.
pytest_plugins = ["cooperative_records", "object_storage"]


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(credentials, "HASHER", CHEAP_HASHER)
        yield


@pytest.fixture
def production_hasher(monkeypatch):
    """Hash passwords and PINs as production does, for tests of the hashing itself or of its timing."""
    monkeypatch.setattr(credentials, "HASHER", PRODUCTION_HASHER)
    return PRODUCTION_HASHER


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> str:
    """A database at the head revision, migrated once per run; returns its URL (or template path)."""
    if POSTGRES_URL:
        recreate_postgres_database(POSTGRES_URL)
        migrations.upgrade(POSTGRES_URL)
        remember_seeds(POSTGRES_URL)
        return POSTGRES_URL
    template = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite:///{template}")
    return str(template)


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own with no tables, for migration tests (a fresh PostgreSQL one when asked)."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"shop_schema_{uuid.uuid4().hex[:8]}"
    fresh = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    recreate_postgres_database(fresh)
    yield fresh
    drop_postgres_database(fresh)


@pytest.fixture(scope="session")
def demo_template(migrated_database, tmp_path_factory) -> demo_template_module.DemoTemplate:
    """The demo data, loaded once per run (see tests/demo_template.py)."""
    return demo_template_module.build(migrated_database, tmp_path_factory.mktemp("demo"), POSTGRES_URL)


@pytest.fixture
def database_url(migrated_database, tmp_path, request):
    """An empty database at head; with ``@pytest.mark.demo``, a copy of the demo (its images in media_dir).

    After the test, the ledger's summaries must equal the sums of its entries, whatever the test posted."""
    if request.node.get_closest_marker("demo"):
        template = request.getfixturevalue("demo_template")
        url = migrated_database if POSTGRES_URL else f"sqlite:///{tmp_path / 'shop.db'}"
        demo_template_module.copy(template.full, url)
        demo_template_module.copy_files(template, tmp_path / "media")
    elif POSTGRES_URL:
        empty_tables(migrated_database)
        url = migrated_database
    else:
        copy = tmp_path / "shop.db"
        shutil.copyfile(migrated_database, copy)
        url = f"sqlite:///{copy}"
    yield url
    summaries_agree(url)


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        environment=Environment.test,
        database_url=database_url,
        media_dir=tmp_path / "media",
        proofs_dir=tmp_path / "proofs",
        certification_dir=tmp_path / "certification",
        records_dir=tmp_path / "records",
        secret_key="test-secret-key-not-for-production",
        base_url="http://testserver",
        database_pool_size=2,
        # Tests change data between requests; check the catalogue revision on every request.
        page_cache_seconds=0,
        prepare_routes_on_start=False,  # an app a test: what matters is what the test asks
    )


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def engine(app):
    return app.state.engine


@pytest.fixture
def session(engine):
    """A session for arranging and inspecting data; commit explicitly to make data visible to requests."""
    with Session(engine, expire_on_commit=False) as db:
        yield db


@pytest.fixture
def media_dir(settings) -> Path:
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    return settings.media_dir


@pytest.fixture
def files(app):
    """The app's file stores (on disk, in the test's folders, unless a test sets a bucket)."""
    return app.state.files


def pytest_report_header(config):
    backend = "PostgreSQL " + make_url(POSTGRES_URL).render_as_string() if POSTGRES_URL else "SQLite"
    return f"shop database under test: {backend}"


@pytest.fixture
def shop_data(session, media_dir):
    """A small published catalogue: two categories, a consenting and a private weaver, photos."""
    from factories import make_category, make_image, make_product, make_weaver

    from shop.catalogue import service

    huipiles = make_category(session, slug="huipiles", name_es="Huipiles", name_en="Huipils", position=1)
    bolsas = make_category(session, slug="bolsas", name_es="Bolsas", name_en="Bags", position=2)
    maria = make_weaver(
        session,
        slug="maria-perez",
        name="María Pérez Hernández",
        community="Nachij",
        municipio="Zinacantán",
        bio_es="Aprendió a tejer con su madre.",
        bio_en="She learned to weave from her mother.",
    )
    maria.photo_id = make_image(session, media_dir, width=400, height=400).id
    hidden = make_weaver(session, slug="juana-diaz", name="Juana Díaz Sántiz", consent=False)
    huipil = make_product(
        session,
        category=huipiles,
        weavers=[(maria, 10_000)],
        slug="huipil-rombos",
        title_es="Huipil de rombos",
        title_en="Diamond huipil",
        description_es="Brocado con rombos que representan el universo.",
        description_en="Brocaded with diamonds that stand for the universe.",
        technique_es="Telar de cintura, brocado",
        technique_en="Backstrap loom, brocade",
        materials_es="Algodón",
        materials_en="Cotton",
        dyes_es="Cochinilla",
        dyes_en="Cochineal",
        length_mm=720,
        width_mm=605,
        weight_g=480,
        hours_of_work=160,
        price_amount=650_000,
        age_days=2,
    )
    for width, color in ((1280, (150, 20, 40)), (700, (40, 50, 120))):
        service.add_product_image(
            session,
            huipil,
            make_image(session, media_dir, width=width, height=width * 5 // 4, color=color),
            alt_es="Huipil rojo, vista frontal",
            alt_en="Red huipil, front view",
        )
    morral = make_product(
        session,
        category=bolsas,
        weavers=[(hidden, 10_000)],
        slug="morral-lana",
        title_es="Morral de lana",
        title_en="Wool bag",
        kind="series",
        stock_on_hand=3,
        price_amount=85_000,
        age_days=1,
    )
    service.add_product_image(session, morral, make_image(session, media_dir, width=400, height=500))
    shared = make_product(
        session,
        category=bolsas,
        weavers=[(maria, 6000), (hidden, 4000)],
        slug="bolsa-compartida",
        title_es="Bolsa a dos manos",
        title_en="Two-hands bag",
        kind="made_to_order",
        stock_on_hand=0,
        lead_time_days=21,
        deposit_bp=5000,
        price_amount=120_000,
        age_days=3,
    )
    sold = make_product(
        session,
        category=huipiles,
        weavers=[(maria, 10_000)],
        slug="huipil-vendido",
        title_es="Huipil vendido",
        title_en="Sold huipil",
        status="sold_out",
        stock_on_hand=0,
        age_days=0,
    )
    draft = make_product(session, category=huipiles, weavers=[(maria, 10_000)], slug="borrador", status="draft")
    session.commit()
    return {
        "maria": maria,
        "hidden": hidden,
        "huipil": huipil,
        "morral": morral,
        "shared": shared,
        "sold": sold,
        "draft": draft,
        "huipiles": huipiles,
        "bolsas": bolsas,
    }


@pytest.fixture(scope="session")
def stripe_server():
    from fakestripe import FakeStripe

    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def fake_stripe(stripe_server):
    stripe_server.reset()
    return stripe_server


@pytest.fixture
def stripe_settings(settings, fake_stripe) -> Settings:
    """The test settings with Stripe pointed at the fake server, and a staff token for the staff API."""
    return Settings(
        **{
            **settings.model_dump(),
            "stripe_secret_key": "sk_test_shop",
            "stripe_webhook_secret": fake_stripe.webhook_secret,
            "stripe_api_base": fake_stripe.url,
            "stripe_timeout_seconds": 2,
            "stripe_max_network_retries": 0,
            "bank_transfer_details": "Banco del Bienestar · CLABE 012180001234567897 · J'pas Joloviletik",
        }
    )


@pytest.fixture
def stripe_app(stripe_settings):
    application = create_app(stripe_settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def shop(stripe_app) -> TestClient:
    """A client of the shop with Stripe (the fake) configured, and a treasurer whose API key is STAFF."""
    from factories import add_staff_key

    add_staff_key(stripe_app.state.engine)
    with TestClient(stripe_app, raise_server_exceptions=False) as test_client:
        yield test_client
