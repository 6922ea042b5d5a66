"""Signing in to the workspace: PIN tiles only on enrolled devices, passwords elsewhere, lockout,
sessions that end when idle, "switch person", and nothing readable after signing out."""

import html
import time

import pytest
from factories import fresh, make_user, make_weaver
from fastapi.testclient import TestClient
from sqlalchemy import select
from workspace_helpers import csrf_of, sign_in

from shop.accounts.models import PinAttempts, Role, User
from shop.audit.models import AuditEvent
from shop.i18n import translator
from shop.main import create_app

ES = translator("es")


@pytest.fixture
def people(session):
    weaver = make_weaver(session, name="María Pérez", slug="maria-perez")
    maria = make_user(
        session,
        roles=[Role.member],
        username="maria",
        name="María Pérez",
        weaver_id=weaver.id,
        pin="4826",
        password=None,
    )
    admin = make_user(session, roles=[Role.admin], username="ana", name="Ana")
    session.commit()
    return {"maria": maria, "admin": admin}


def enroll(client) -> None:
    assert sign_in(client).status_code == 303
    page = client.get("/taller/dispositivos")
    client.post("/taller/dispositivos", data={"name": "Computadora", "csrf_token": csrf_of(page.text)})
    client.post("/taller/salir", data={"csrf_token": csrf_of(client.get("/taller/inicio").text)})


def test_an_unknown_browser_gets_a_password_form_and_never_sees_the_members(client, people):
    page = client.get("/taller")
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "María" not in page.text
    assert client.get(f"/taller/pin/{people['maria'].id}").status_code == 404
    response = client.post(f"/taller/pin/{people['maria'].id}", data={"pin": "4826", "csrf_token": csrf_of(page.text)})
    assert response.status_code == 404  # a PIN alone never opens the workspace from the open internet


def test_staff_sign_in_with_a_password(client, people):
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["location"] == "/taller/inicio"
    cookie = response.headers["set-cookie"]
    assert "ws=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = client.get("/taller/inicio")
    assert home.status_code == 200 and "Ana" in home.text
    assert home.headers["cache-control"] == "no-store"
    wrong = sign_in(TestClient(client.app), password="not the password")
    assert wrong.status_code == 401
    assert ES.gettext("Wrong username or password.") in wrong.text


def test_on_an_enrolled_device_members_tap_their_photo_and_type_a_pin(client, people):
    enroll(client)
    tiles = client.get("/taller")
    assert "María Pérez" in tiles.text and f'href="/taller/pin/{people["maria"].id}"' in tiles.text
    url = f"/taller/pin/{people['maria'].id}"
    page = client.get(url)
    assert 'id="pin" name="pin"' in page.text and "autofocus" in page.text  # one box, focused from the start
    empty = client.post(url, data={"pin": "", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert empty.status_code == 422 and "Escriba su PIN" in empty.text  # not a wrong try
    done = client.post(url, data={"pin": "4826", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.headers["location"] == "/taller/inicio"
    assert "María" in client.get("/taller/inicio").text


def test_five_wrong_pins_make_the_device_wait_with_a_plain_message(client, people, session):
    enroll(client)
    url = f"/taller/pin/{people['maria'].id}"
    for _attempt in range(5):
        page = client.get(url)
        response = client.post(url, data={"pin": "1357", "csrf_token": csrf_of(page.text)})
    assert response.status_code == 423
    fresh(session)
    row = session.scalar(select(PinAttempts).where(PinAttempts.user_id == people["maria"].id))
    locked = ES.gettext(
        "Too many wrong tries. This account is locked until %(time)s. Ask the council for help if you forgot it.",
        time=ES.time(row.locked_until),
    )
    assert html.escape(locked, quote=False) in response.text
    page = client.get(url)
    right = client.post(url, data={"pin": "4826", "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert right.status_code == 423  # still waiting
    fresh(session)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "locked"))
    assert "Computadora" in event.summary and "testclient" in event.summary  # the device and the address


def test_switch_person_ends_the_session_and_back_shows_nothing(client, people):
    sign_in(client)
    home = client.get("/taller/inicio")
    response = client.post("/taller/salir", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert response.headers["location"] == "/taller"
    again = client.get("/taller/inicio", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/taller"


def test_the_session_ends_after_the_idle_time(settings, people):
    app = create_app(settings.model_copy(update={"workspace_idle_seconds": 1}))
    with TestClient(app) as client:
        sign_in(client)
        page = client.get("/taller/inicio")
        assert page.status_code == 200
        assert '<noscript><meta http-equiv="refresh" content="3;url=/taller?idle=1"></noscript>' in page.text
        assert 'data-idle="1"' in page.text
        time.sleep(1.5)
        assert client.get("/taller/inicio", follow_redirects=False).status_code == 303
    app.state.engine.dispose()


def test_the_heartbeat_keeps_a_working_session_alive(settings, people, session):
    # Idle after 4 seconds; a heartbeat every 1.5 (margins wide enough for a busy machine running the suite).
    app = create_app(settings.model_copy(update={"workspace_idle_seconds": 4}))
    with TestClient(app) as client:
        assert client.get("/taller/latido", follow_redirects=False).status_code == 303  # nobody signed in
        sign_in(client)
        for _ in range(4):  # 6 seconds of typing, with a heartbeat every 1.5: longer than the idle time
            time.sleep(1.5)
            beat = client.get("/taller/latido", follow_redirects=False)
            assert (beat.status_code, beat.headers.get("cache-control")) == (204, "no-store")
        assert client.get("/taller/inicio", follow_redirects=False).status_code == 200
        time.sleep(4.3)
        assert client.get("/taller/latido", follow_redirects=False).status_code == 303
    app.state.engine.dispose()


def test_forms_without_a_valid_token_are_refused(client, people):
    client.get("/taller")
    assert client.post("/taller/entrar", data={"login": "ana", "password": "a long password 1"}).status_code == 403
    sign_in(client)
    assert client.post("/taller/salir", data={"csrf_token": "forged"}).status_code == 403


def test_language_is_remembered_per_person_and_browser(client, people, session):
    sign_in(client)
    page = client.get("/taller/inicio")
    client.post("/taller/idioma", data={"lang": "tzo", "next": "/taller/inicio", "csrf_token": csrf_of(page.text)})
    fresh(session)
    assert session.get(User, people["admin"].id).language == "tzo"
    assert 'lang="tzo"' in client.get("/taller/inicio").text
    other = TestClient(client.app)
    assert '<html lang="es">' in other.get("/taller").text


def test_secure_cookies_on_https(settings, people):
    app = create_app(settings.model_copy(update={"base_url": "https://testserver"}))
    with TestClient(app, base_url="https://testserver") as client:
        response = sign_in(client)
        assert "Secure" in response.headers["set-cookie"]
    app.state.engine.dispose()
