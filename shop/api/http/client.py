"""Who is asking, as far as the network says: the one reading of a client's address for limits and the log."""

from __future__ import annotations

from starlette.requests import Request

UNKNOWN = "unknown"


def client_address(request: Request) -> str:
    """The client's address. Behind a proxy, uvicorn puts the X-Forwarded-For address here when it trusts the
    proxy (FORWARDED_ALLOW_IPS, as ``shop serve`` sets it); a stranger cannot choose it otherwise."""
    return request.client.host if request.client else UNKNOWN
