"""Every state-changing route is protected against forged forms by one app-wide dependency, or is on a short,
named list of exceptions. The routes are read from the application's own route table, so a route added later
is covered without anyone remembering to."""

from __future__ import annotations

import pytest
from factories import make_user, sign_in
from fastapi import APIRouter, Form
from fastapi.params import Depends as DependsParam
from fastapi.testclient import TestClient
from route_table import CHANGES_STATE, concrete, routes

from shop.accounts.models import Role
from shop.main import create_app
from shop.web.csrf import answers_own_token, csrf_protected, origin_guard

# The JSON API is not a form: the staff routes take a bearer key, the buyers' checkout carries no cookie that
# gives it authority, and Stripe signs its webhook. None of them is ever posted by a browser's form.
JSON_API = "/api/"
# Routes that read their own body, and so check the token themselves once they have it.
OWN_TOKEN = {
    ("POST", "/taller/banco/importar"): "a bank statement is streamed to disk, so only the route reads the form",
}
EXPIRED = "This form has expired"
EXPIRED_ES = "Este formulario ya caducó"  # the workspace speaks Spanish until she picks a language


def changing(app):
    return sorted((m, p, r) for m, p, r in routes(app) if m in CHANGES_STATE)


def app_dependencies(app) -> list:
    return [d.dependency for d in app.router.dependencies if isinstance(d, DependsParam)]


def test_every_state_changing_page_is_guarded_by_the_one_dependency_or_named(app):
    assert app_dependencies(app)[:2] == [origin_guard, csrf_protected]
    found = changing(app)
    assert len(found) >= 50
    own = {(m, p) for m, p, route in found if answers_own_token(route)}
    assert own == set(OWN_TOKEN)
    api = {(m, p) for m, p, _ in found if p.startswith(JSON_API)}
    assert ("POST", "/api/v1/payments/stripe/webhook") in api
    assert all(p.startswith(("/api/v1/staff/", "/api/v1/checkout", "/api/v1/payments/stripe/")) for _, p in api)


def test_a_new_route_is_covered_without_being_declared(settings):
    """The guard is the application's, not each router's: a route added later is refused without a token."""
    app = create_app(settings)
    extra = APIRouter()

    @extra.post("/taller/nueva-cosa")
    def new_thing(note: str = Form("")):
        return {"ok": note}

    app.include_router(extra)
    with TestClient(app) as client:
        client.get("/en/")  # a page, for the browser's seed
        refused = client.post("/taller/nueva-cosa", data={"note": "x"})
    assert refused.status_code == 403
    assert EXPIRED_ES in refused.text
    app.state.engine.dispose()


@pytest.fixture
def admin(app, session):
    make_user(session, roles=[Role.admin, Role.treasurer, Role.council], username="admin")
    session.commit()
    client = TestClient(app)
    assert sign_in(client, "admin").status_code == 303
    return client


@pytest.mark.parametrize("token", [None, "wrong", "ñ" * 40], ids=["none", "wrong", "beyond-ascii"])  # not a 500
def test_every_page_that_changes_something_refuses_a_form_without_its_token(app, admin, token):
    """Signed in with every role, so that only the token stands between the form and the change."""
    data = {} if token is None else {"csrf_token": token}
    checked = []
    for method, path, _route in changing(app):
        if path.startswith(JSON_API):
            continue
        response = admin.request(method, concrete(path), data=data, follow_redirects=False)
        assert response.status_code == 403, f"{method} {path} → {response.status_code}"
        expected = EXPIRED if path.startswith("/{lang") else EXPIRED_ES
        assert expected in response.text, f"{method} {path}"
        checked.append(path)
    assert "/taller/banco/importar" in checked
    assert "/{lang:store_lang}/checkout" in checked


def test_anonymous_people_posting_a_bad_token_to_the_workspace_are_sent_to_sign_in(client):
    response = client.post("/taller/venta", data={"csrf_token": "x"}, follow_redirects=False)
    assert (response.status_code, response.headers.get("location")) == (303, "/taller")


def test_a_form_with_its_token_goes_through(admin):
    from factories import csrf_of

    page = admin.get("/taller/personas/nueva")
    response = admin.post(
        "/taller/personas/nueva", data={"csrf_token": csrf_of(page.text), "name": ""}, follow_redirects=False
    )
    assert response.status_code == 422
    assert EXPIRED_ES not in response.text


def test_a_multipart_form_carries_its_token_to_a_route_without_fields(admin):
    """The dependency reads the form itself when the route has no field of its own, multipart or not."""
    from factories import csrf_of

    token = csrf_of(admin.get("/taller/pagos").text)
    path = "/taller/pagos/sin-confirmar/soltar"
    refused = admin.post(path, data={"csrf_token": "wrong"}, files={"x": ("x.txt", b"x")}, follow_redirects=False)
    assert refused.status_code == 403
    sent = admin.post(path, data={"csrf_token": token}, files={"x": ("x.txt", b"x")}, follow_redirects=False)
    assert sent.status_code == 303


def test_a_form_read_by_the_dependency_keeps_its_size_limit(client):
    from shop.web.body_limits import DEFAULT_BYTES

    form = {"Content-Type": "application/x-www-form-urlencoded"}
    too_large = client.post("/taller/salir", content=b"csrf_token=" + b"x" * DEFAULT_BYTES, headers=form)
    assert too_large.status_code == 413
    assert "Lo que enviaste es demasiado grande. Aquí el límite es de 64 KB." in too_large.text


def test_the_refusal_is_in_the_language_she_chose(admin):
    from factories import csrf_of

    admin.post("/taller/idioma", data={"lang": "tzo", "csrf_token": csrf_of(admin.get("/taller/inicio").text)})
    refused = admin.post("/taller/pagos/sin-confirmar/soltar", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403 and '<html lang="tzo">' in refused.text
