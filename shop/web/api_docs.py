"""The interactive API documentation (Swagger UI), served from the shop itself under the site's CSP.

Swagger UI's files come from the ``fastapi-offline`` package (only its files: the page is ours), so the page
loads nothing from another origin, and its start-up script is a file of ours, not an inline script.
"""

from __future__ import annotations

import hashlib
from functools import cache
from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from shop.api.http.urls import static_url

ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/api/docs/assets"
DOCS_PATH = "/api/docs"

router = APIRouter(include_in_schema=False)


@cache
def asset_url(name: str) -> str:
    """An asset's URL with a content hash, so browsers may cache it for a year (as ``static_url`` does)."""
    digest = hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()[:10]
    return f"{ASSETS_PATH}/{name}?v={digest}"


@router.get(DOCS_PATH)
def api_docs(request: Request) -> HTMLResponse:
    title = escape(f"{request.app.title} · Swagger UI")
    openapi = escape(request.app.openapi_url or "")
    return HTMLResponse(
        f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="stylesheet" href="{asset_url("swagger-ui.css")}">
<link rel="icon" href="{asset_url("favicon.png")}">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{asset_url("swagger-ui-bundle.js")}"></script>
<script src="{static_url("js/api-docs.js")}"></script>
</body>
</html>
"""
    )
