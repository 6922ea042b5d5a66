"""Signing in to the workspace and submitting its forms, as a browser does: shared by the web tests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from shop.accounts.models import Role
from shop.accounts.service import create_user

PASSWORD = "a long password 1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The form token in a page."""
    return CSRF.search(html).group(1)


def person(session, username: str, *roles: Role, weaver=None, name: str | None = None):
    """A workspace user with the shared password, committed so requests see her."""
    user = create_user(
        session,
        name=name or username.title(),
        username=username,
        roles=list(roles),
        password=PASSWORD,
        weaver_id=weaver if weaver is None or isinstance(weaver, int) else weaver.id,
    )
    session.commit()
    return user


def sign_in(client, username: str = "ana", password: str = PASSWORD):
    """Sign in to the workspace with a password, as a browser would; returns the response."""
    page = client.get("/taller")
    return client.post(
        "/taller/entrar",
        data={"login": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def signed_in(app, username: str, client: TestClient | None = None) -> TestClient:
    """A browser (a new one unless given) in which ``username`` has signed in with the shared password."""
    client = client or TestClient(app, raise_server_exceptions=False)
    response = sign_in(client, username)
    assert (response.status_code, response.headers.get("location")) == (303, "/taller/inicio"), response.text
    return client


def post(client: TestClient, path: str, data: dict | None = None, *, form_page: str = "/taller/inicio"):
    """Submit a form the way a browser does: with the page's CSRF token."""
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False)
