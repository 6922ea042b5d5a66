"""Cookie names shared by the shop's pages and its API's sign-in."""

from __future__ import annotations


def host_cookie(name: str, secure: bool) -> str:
    """A cookie's name: under https with the ``__Host-`` prefix, which browsers accept only when Secure,
    Path=/ and without Domain, so no other site (a sibling subdomain, a plain-http page) can plant it."""
    return f"__Host-{name}" if secure else name
