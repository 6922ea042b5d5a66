"""The application: routers, static files, error handling and security headers."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from functools import partial

from fastapi import Depends, FastAPI
from fastapi.responses import RedirectResponse

from shop import clock
from shop.api import contract
from shop.api.http.caching import MARKER
from shop.api.http.deps import readers
from shop.api.http.revision_store import RevisionStore
from shop.api.http.urls import STATIC_DIR, static_url
from shop.api.v1 import catalogue as api_catalogue
from shop.api.v1 import orders as api_orders
from shop.api.v1 import payments as api_payments
from shop.api.v1 import staff as api_staff
from shop.catalogue import revision
from shop.catalogue.search import merge_index
from shop.config import Settings, get_settings
from shop.db import make_engine, optimize
from shop.payments.gateway import StripeGateway
from shop.storage import file_stores
from shop.throttle import Throttle
from shop.web import api_docs, errors, health
from shop.web.body_limits import BodyLimits
from shop.web.browser import (
    PLACEHOLDERS,
    BrowserSeed,
    SeedCookie,
    Signer,
    cache_variant,
    personal_values,
    seed_cookies,
)
from shop.web.compression import Compression
from shop.web.csrf import csrf_protected, origin_guard
from shop.web.dashboard import indicators as dash_indicators
from shop.web.dashboard import panel as dash_panel
from shop.web.dashboard import partnerships as dash_partnerships
from shop.web.dashboard import rates as dash_rates
from shop.web.files import CachedStaticFiles
from shop.web.front_door import Shop, TrustedHosts
from shop.web.media import Media
from shop.web.page_cache import PageCache
from shop.web.security import SecurityHeaders
from shop.web.store import (
    checkout,
    fair_trade,
    find_order,
    info_pages,
    language,
    notify,
    order_page,
    pages,
    seo,
    shopping,
)
from shop.web.tzotzil_catalog import LiveTzotzil, TzotzilCatalog
from shop.web.workspace import accounting as ws_accounting
from shop.web.workspace import audit_log as ws_audit_log
from shop.web.workspace import bank as ws_bank
from shop.web.workspace import bank_import as ws_bank_import
from shop.web.workspace import earnings as ws_earnings
from shop.web.workspace import fair_price_form as ws_fair_price_form
from shop.web.workspace import home as ws_home
from shop.web.workspace import inventory as ws_inventory
from shop.web.workspace import marketplace_import as ws_marketplace_import
from shop.web.workspace import offline_payments as ws_offline_payments
from shop.web.workspace import orders as ws_orders
from shop.web.workspace import payout_batch as ws_payout_batch
from shop.web.workspace import payout_receipts as ws_payout_receipts
from shop.web.workspace import payouts as ws_payouts
from shop.web.workspace import people as ws_people
from shop.web.workspace import product_form as ws_product_form
from shop.web.workspace import product_photos as ws_product_photos
from shop.web.workspace import product_status as ws_product_status
from shop.web.workspace import refunds as ws_refunds
from shop.web.workspace import sales as ws_sales
from shop.web.workspace import signin as ws_signin
from shop.web.workspace import spoken_help as ws_spoken_help
from shop.web.workspace import statements as ws_statements
from shop.web.workspace import stock_form as ws_stock_form
from shop.web.workspace import store_pages as ws_store_pages
from shop.web.workspace import to_resolve as ws_to_resolve
from shop.web.workspace import transfer_details as ws_transfer_details
from shop.web.workspace import translations as ws_translations
from shop.web.workspace.certification import audits as ws_audits
from shop.web.workspace.certification import certificates as ws_certificates
from shop.web.workspace.certification import files as ws_cert_files
from shop.web.workspace.certification import inspections as ws_inspections
from shop.web.workspace.certification import schemes as ws_schemes
from shop.web.workspace.cooperative import assemblies as ws_coop_assemblies
from shop.web.workspace.cooperative import bodies as ws_coop_bodies
from shop.web.workspace.cooperative import bylaws as ws_coop_bylaws
from shop.web.workspace.cooperative import certificates as ws_coop_certificates
from shop.web.workspace.cooperative import members as ws_coop_members
from shop.web.workspace.cooperative import mine as ws_coop_mine
from shop.web.workspace.cooperative import printables as ws_coop_printables
from shop.web.workspace.cooperative import records as ws_coop_records
from shop.web.workspace.cooperative import trainings as ws_coop_trainings

log = logging.getLogger(__name__)


async def run_jobs_every(engine, settings: Settings, seconds: float, gateway=None) -> None:
    """The background jobs inside the web process, for single-machine setups and the demo."""
    from shop.jobs import run_once

    while True:
        await asyncio.sleep(seconds)
        try:
            await asyncio.to_thread(run_once, engine, settings, gateway=gateway)
        except Exception:
            log.exception("background jobs failed; trying again in %s s", seconds)


def read_catalogue_revision(engine) -> int:
    with engine.connect() as connection:
        return revision.current(connection)


async def prepare_routes(app: FastAPI) -> None:
    """Walk every route once, as a request for no page does: FastAPI builds each route's validators the first
    time a request is matched against it, which would otherwise slow a worker's first requests (by about half a
    second for a workspace page late in the list)."""
    scope = {"type": "http", "method": "GET", "path": "/.prepare-routes", "raw_path": b"/.prepare-routes"}
    scope |= {"root_path": "", "query_string": b"", "headers": [], "http_version": "1.1", "scheme": "http"}

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: dict) -> None:
        return None

    await app.router(scope, receive, send)


# FastAPI looks for OpenTelemetry providers on every request unless told there is nothing to record.
TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.database_pool_size,
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        optimize(engine)
        merge_index(engine)
        await _app.state.tzotzil.refresh()  # the speakers' Tzotzil, compiled before the first page
        if settings.prepare_routes_on_start:
            await prepare_routes(_app)
        background = None
        if settings.jobs_interval_seconds > 0:
            background = asyncio.create_task(
                run_jobs_every(engine, settings, settings.jobs_interval_seconds, gateway=_app.state.gateway)
            )
        yield
        if background is not None:
            background.cancel()
        engine.dispose()

    app = Shop(
        title="J'pas Joloviletik shop API",
        version="1",
        docs_url=None,  # shop.web.api_docs serves it, from the shop itself
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(origin_guard), Depends(csrf_protected)],
        telemetry=None if settings.telemetry else TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.readers = readers(settings.database_pool_size)
    app.state.files = file_stores(settings)
    app.state.secret_key = settings.resolved_secret_key()
    app.state.signer = Signer(app.state.secret_key)
    app.state.throttle = Throttle(settings.redis_url)
    app.state.gateway = StripeGateway(settings) if settings.stripe_secret_key is not None else None

    errors.install(app)
    contract.install(app)
    # Innermost of ours, so its 413 page gets the browser's seed and the security headers like any page.
    app.add_middleware(BodyLimits, settings=settings)
    app.state.tzotzil = LiveTzotzil(engine, settings.tzotzil_check_seconds)
    app.state.revision_store = RevisionStore(settings.card_cache_bytes)
    app.add_middleware(TzotzilCatalog, live=app.state.tzotzil)
    app.add_middleware(SecurityHeaders, hsts=settings.https, form_targets=settings.checkout_origins)
    # Inside the page cache, so that a hit skips it; the pages the cache handles it compresses itself.
    app.add_middleware(Compression, skip_header=MARKER)
    app.state.page_cache = PageCache(
        SeedCookie(app.behind),
        read_revision=partial(read_catalogue_revision, engine),
        max_bytes=settings.page_cache_bytes,
        check_seconds=settings.page_cache_seconds,
        personalize=partial(personal_values, secret=app.state.secret_key, signer=app.state.signer),
        placeholders=PLACEHOLDERS,
        today=clock.local_today,
        variant=cache_variant,
        visitor_headers=seed_cookies,
    )
    # In front of FastAPI's own layers (shop.web.front_door), the trusted-host check outermost: a request for a
    # host that is not ours never reaches a page or the cache.
    seeded = BrowserSeed(app.state.page_cache, secure=settings.https)
    app.front = TrustedHosts(seeded, allowed_hosts=settings.trusted_hosts)

    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR, immutable=False), name="static")
    app.mount(api_docs.ASSETS_PATH, CachedStaticFiles(directory=api_docs.ASSETS_DIR, immutable=False), name="api-docs")
    app.mount("/media", Media(store=app.state.files.photos, engine=engine), name="media")

    # The buyer's pages first: a request tries every route in order until one matches, and these are the most asked
    # for (none of the routes below could answer their addresses).
    app.include_router(pages.router)
    app.include_router(api_catalogue.router, prefix="/api/v1")
    app.include_router(api_orders.router, prefix="/api/v1")
    app.include_router(api_payments.router, prefix="/api/v1")
    app.include_router(api_staff.router, prefix="/api/v1")
    app.include_router(api_docs.router)
    app.include_router(health.router)
    app.include_router(seo.router)
    app.include_router(language.router)
    app.include_router(fair_trade.router)
    app.include_router(info_pages.router)
    app.include_router(shopping.router)
    app.include_router(checkout.router)
    app.include_router(find_order.router)  # before the order's page, whose /orders/{token} would take /find
    app.include_router(notify.router)
    app.include_router(order_page.router)
    app.include_router(ws_signin.router)
    app.include_router(ws_home.router)
    app.include_router(ws_marketplace_import.router)
    app.include_router(ws_inventory.router)
    app.include_router(ws_product_form.router)
    app.include_router(ws_product_photos.router)
    app.include_router(ws_product_status.router)
    app.include_router(ws_stock_form.router)
    app.include_router(ws_store_pages.router)
    app.include_router(ws_fair_price_form.router)
    app.include_router(ws_people.router)
    app.include_router(ws_translations.router)
    app.include_router(ws_spoken_help.router)
    app.include_router(ws_orders.router)
    app.include_router(ws_to_resolve.router)  # before offline payments: /taller/pagos/{number} would match
    app.include_router(ws_offline_payments.router)
    app.include_router(ws_refunds.router)
    app.include_router(ws_transfer_details.router)
    app.include_router(ws_sales.router)
    app.include_router(ws_earnings.router)
    app.include_router(ws_audit_log.router)
    app.include_router(ws_payouts.router)
    app.include_router(ws_payout_batch.router)
    app.include_router(ws_payout_receipts.router)
    app.include_router(ws_statements.router)
    app.include_router(ws_accounting.router)
    app.include_router(ws_bank_import.router)
    app.include_router(ws_bank.router)
    app.include_router(ws_cert_files.router)
    app.include_router(ws_certificates.router)
    app.include_router(ws_schemes.router)
    app.include_router(ws_audits.router)
    app.include_router(ws_inspections.router)
    app.include_router(ws_coop_records.router)
    app.include_router(ws_coop_mine.router)
    app.include_router(ws_coop_members.router)
    app.include_router(ws_coop_bylaws.router)
    app.include_router(ws_coop_bodies.router)
    app.include_router(ws_coop_assemblies.router)
    app.include_router(ws_coop_printables.router)
    app.include_router(ws_coop_trainings.router)
    app.include_router(ws_coop_certificates.router)
    app.include_router(dash_indicators.router)
    app.include_router(dash_rates.router)
    app.include_router(dash_panel.router)
    app.include_router(dash_partnerships.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse(static_url("img/favicon.svg"), status_code=301)

    return app
