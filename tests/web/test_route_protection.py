"""Every workspace page and management API route refuses anonymous people and people without its role.

The routes are read from the application's own route table, so a route added later without a role check
makes this test fail.
"""

import pytest
from factories import make_user
from fastapi.testclient import TestClient
from route_table import concrete, routes
from workspace_helpers import sign_in

from shop.accounts.models import Role

# Signing in itself must be reachable by anyone.
OPEN = {
    ("GET", "/taller"),
    ("GET", "/taller/pin/{user_id}"),
    ("POST", "/taller/pin/{user_id}"),
    ("POST", "/taller/entrar"),
    ("POST", "/taller/salir"),
    ("POST", "/taller/idioma"),
}
PROTECTED_PREFIXES = ("/taller", "/api/v1/staff")


def role_checks(route) -> list[tuple]:
    found = []

    def walk(dependant):
        for sub in dependant.dependencies:
            if hasattr(sub.call, "roles"):
                found.append(sub.call.roles)
            walk(sub)

    walk(route.dependant)
    return found


def managed(app):
    return sorted(
        (method, path, route)
        for method, path, route in routes(app)
        if path.startswith(PROTECTED_PREFIXES) and (method, path) not in OPEN and method != "HEAD"
    )


def test_the_route_table_has_workspace_and_staff_routes(app):
    found = {(m, p) for m, p, _ in managed(app)}
    assert ("GET", "/taller/inicio") in found
    assert ("POST", "/api/v1/staff/orders/{number}/refunds") in found
    assert len(found) >= 10


def test_every_managed_route_declares_the_roles_it_needs(app):
    missing = [f"{m} {p}" for m, p, route in managed(app) if not role_checks(route)]
    assert missing == []


def test_anonymous_people_are_refused_everywhere(app, client):
    for method, path, _route in managed(app):
        response = client.request(method, concrete(path), follow_redirects=False, data={"csrf_token": "x"})
        if path.startswith("/api/"):
            assert response.status_code == 401, f"{method} {path}"
        else:
            assert (response.status_code, response.headers.get("location")) == (303, "/taller"), f"{method} {path}"


@pytest.mark.parametrize("role", [Role.partner_staff, Role.member, Role.treasurer, Role.council])
def test_people_without_the_role_are_refused(app, session, role):
    from factories import make_weaver

    extra = {"weaver_id": make_weaver(session).id} if role is Role.member else {}
    make_user(session, roles=[role], username="someone", **extra)
    session.commit()
    client = TestClient(app)
    assert sign_in(client, "someone").status_code == 303
    checked = 0
    for method, path, route in managed(app):
        needed = {r for roles in role_checks(route) for r in roles}
        if not needed or role in needed:
            continue
        response = client.request(method, concrete(path), follow_redirects=False, data={"csrf_token": "x"})
        assert response.status_code == 403, f"{role.value}: {method} {path} → {response.status_code}"
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("roles", [[r] for r in Role] + [[Role.treasurer, Role.council]])
def test_every_tile_on_the_home_page_opens_a_page_her_roles_allow(app, session, roles):
    import re

    from factories import make_weaver

    make_user(session, roles=roles, username="someone", weaver_id=make_weaver(session).id)
    session.commit()
    client = TestClient(app)
    assert sign_in(client, "someone").status_code == 303
    home = client.get("/taller/inicio").text
    tiles = re.findall(r'<li><a class="big" href="([^"]+)"', home)
    assert tiles, home
    for href in tiles:
        assert client.get(href).status_code == 200, f"{[r.value for r in roles]}: {href}"
