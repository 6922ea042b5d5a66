"""A worker prepares every route as it starts (FastAPI would otherwise build a route's validators on the first
request that walks past it), and the preparation leaves nothing behind: no page, no row, no cached answer."""

from __future__ import annotations

import fastapi.routing
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shop.audit.models import AuditEvent
from shop.main import create_app


def test_routes_are_prepared_as_the_app_starts_and_the_first_request_prepares_none(settings, monkeypatch, session):
    prepared: list[str] = []
    original = fastapi.routing._populate_api_route_state

    def counted(*args, **kwargs):
        prepared.append("route")
        return original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "_populate_api_route_state", counted)
    app = create_app(settings.model_copy(update={"prepare_routes_on_start": True}))
    try:
        with TestClient(app) as client:
            at_start = len(prepared)
            assert at_start > 100  # every route of the shop, the workspace and the API
            assert client.get("/taller/panel", follow_redirects=False).status_code == 303  # to sign in
            assert client.get("/api/v1/products").status_code == 200
            assert len(prepared) == at_start
    finally:
        app.state.engine.dispose()
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
