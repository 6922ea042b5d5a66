"""The application's own route table, for tests that must cover every route, including ones added later."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

EXAMPLE = {"number": "JJ-000001", "slug": "x", "token": "x" * 43, "lang": "en"}
CHANGES_STATE = {"POST", "PUT", "PATCH", "DELETE"}


def routes(app):
    """(method, full path, route) for every route, including those of included routers."""
    for item in app.router.routes:
        if hasattr(item, "original_router"):
            prefix = item.include_context.prefix
            for route in item.original_router.routes:
                if isinstance(route, APIRoute):
                    for method in route.methods:
                        yield method, prefix + route.path, route
        elif isinstance(item, APIRoute):
            for method in item.methods:
                yield method, item.path, item


def concrete(path: str) -> str:
    """A path one can request: each parameter (``{lang:store_lang}`` too) filled with an example."""
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: EXAMPLE.get(m.group(1), "1"), path)
