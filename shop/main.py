"""The application: routers, static files, error handling and security headers."""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

from shop.api.v1 import catalogue as api_catalogue
from shop.catalogue import revision
from shop.catalogue.images import thumbnails_dir
from shop.config import Settings, get_settings
from shop.db import make_engine, optimize
from shop.web import errors, health
from shop.web.files import CachedStaticFiles
from shop.web.page_cache import PageCache
from shop.web.security import SecurityHeaders
from shop.web.store import language, pages, seo
from shop.web.urls import STATIC_DIR, static_url


def read_catalogue_revision(engine) -> int:
    with engine.connect() as connection:
        return revision.current(connection)


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
        yield
        engine.dispose()

    app = FastAPI(
        title="J'pas Joloviletik shop API",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.secret_key = settings.resolved_secret_key()

    errors.install(app)
    app.add_middleware(SecurityHeaders, hsts=settings.https)
    app.add_middleware(
        PageCache,
        read_revision=partial(read_catalogue_revision, engine),
        max_bytes=settings.page_cache_bytes,
        check_seconds=settings.page_cache_seconds,
    )
    # Outermost: a request for a host that is not ours never reaches a page or the cache.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)

    public_media = thumbnails_dir(settings.media_dir)
    public_media.mkdir(parents=True, exist_ok=True)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR, immutable=False), name="static")
    app.mount("/media", CachedStaticFiles(directory=public_media, immutable=True), name="media")

    app.include_router(api_catalogue.router, prefix="/api/v1")
    app.include_router(health.router)
    app.include_router(seo.router)
    app.include_router(language.router)
    app.include_router(pages.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse(static_url("img/favicon.svg"), status_code=301)

    return app
