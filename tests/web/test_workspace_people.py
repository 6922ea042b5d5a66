"""Admins manage the people who use the workspace: add them, change their roles, PINs and passwords,
let a locked-out member try again, and switch off someone who left, which signs her out everywhere."""

import html
from datetime import timedelta

import pytest
from factories import fresh, make_user, make_weaver
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from workspace_helpers import csrf_of, sign_in

from shop.accounts.models import Role, User
from shop.accounts.sessions import enroll_device
from shop.accounts.signin import Outcome, pin_locks, sign_in_with_pin
from shop.clock import utcnow
from shop.i18n import translator

ES = translator("es")


@pytest.fixture
def team(session):
    maria_profile = make_weaver(session, name="María Pérez", slug="maria-perez")
    juana_profile = make_weaver(session, name="Juana Díaz", slug="juana-diaz")
    admin = make_user(session, roles=[Role.admin], username="ana", name="Ana")
    maria = make_user(
        session, roles=[Role.member], username="maria", name="María Pérez", weaver_id=maria_profile.id, pin="4826"
    )
    device, _ = enroll_device(session, "Computadora", admin, utcnow())
    session.commit()
    return {"admin": admin, "maria": maria, "juana_profile": juana_profile, "device": device.id}


@pytest.fixture
def admin(client, team):
    assert sign_in(client).status_code == 303
    return client


def post(client, path: str, data: dict, form_page: str):
    return client.post(path, data={**data, "csrf_token": csrf_of(client.get(form_page).text)}, follow_redirects=False)


def shown(text: str, page: str) -> bool:
    return html.escape(text, quote=False) in page


def people_count(session) -> int:
    fresh(session)
    return session.scalar(select(func.count()).select_from(User))


def test_an_admin_adds_a_member_who_can_then_use_her_pin(admin, team, session):
    response = post(
        admin,
        "/taller/personas/nueva",
        {
            "name": "Juana Díaz",
            "username": "juana",
            "roles": ["member"],
            "weaver_id": str(team["juana_profile"].id),
            "pin": "7391",
            "language": "tzo",
        },
        "/taller/personas/nueva",
    )
    assert (response.status_code, response.headers["location"]) == (303, "/taller/personas")
    listing = admin.get("/taller/personas").text
    assert shown(ES.gettext("%(name)s can now sign in.", name="Juana Díaz"), listing)
    fresh(session)
    juana = session.scalar(select(User).where(User.username == "juana"))
    assert [r.role for r in juana.roles] == [Role.member]
    assert (juana.weaver_id, juana.language, juana.password_hash) == (team["juana_profile"].id, "tzo", None)
    assert sign_in_with_pin(session, juana.id, "7391", utcnow(), device_id=team["device"]).outcome is Outcome.ok


def test_a_weaver_public_slug_is_refused_as_a_username_and_the_list_shows_usernames(admin, team, session):
    before = people_count(session)
    data = {"name": "Juana Díaz", "username": "juana-diaz", "roles": ["member"], "pin": "7391"}
    data["weaver_id"] = str(team["juana_profile"].id)
    response = post(admin, "/taller/personas/nueva", data, "/taller/personas/nueva")
    assert response.status_code == 422
    message = ES.gettext("%(username)s is the address of a weaver's public page: choose another username.")
    assert shown(message % {"username": "juana-diaz"}, response.text)
    assert people_count(session) == before
    assert '<span class="hint">maria' in admin.get("/taller/personas").text


def test_mistakes_when_adding_are_shown_by_their_fields_and_nothing_is_saved(admin, team, session):
    before = people_count(session)
    response = post(
        admin,
        "/taller/personas/nueva",
        {"name": "Petrona", "username": "maria", "roles": ["member"], "pin": "1111", "email": "petrona@example.org"},
        "/taller/personas/nueva",
    )
    assert response.status_code == 422
    page = response.text
    for message, params in [
        ("Someone already has the username %(username)s.", {"username": "maria"}),
        ("A member is a weaver: choose her weaver profile.", {}),
        ("Choose a PIN that is harder to guess than %(pin)s.", {"pin": "1111"}),
    ]:
        assert shown(ES.gettext(message, **params), page), message
    assert 'value="petrona@example.org"' in page and 'value="Petrona"' in page  # nothing typed is lost
    assert 'name="pin" type="password"' in page and 'value="1111"' not in page  # except the secret
    assert people_count(session) == before


def test_roles_and_details_change_but_an_admin_keeps_her_own_admin_role(admin, team, session):
    maria = team["maria"]
    page = f"/taller/personas/{maria.id}"
    changed = post(
        admin,
        page,
        {"name": "María Pérez Hernández", "roles": ["member", "council"], "weaver_id": str(maria.weaver_id)},
        page,
    )
    assert changed.status_code == 303
    fresh(session)
    again = session.get(User, maria.id)
    assert again.name == "María Pérez Hernández"
    assert sorted(r.role for r in again.roles) == [Role.council, Role.member]

    own = f"/taller/personas/{team['admin'].id}"
    refused = post(admin, own, {"name": "Ana", "roles": ["treasurer"]}, own)
    assert refused.status_code == 422
    assert shown(ES.gettext("You cannot take away your own admin role."), refused.text)
    fresh(session)
    assert [r.role for r in session.get(User, team["admin"].id).roles] == [Role.admin]

    no_roles = post(admin, page, {"name": "María", "weaver_id": str(maria.weaver_id)}, page)
    assert no_roles.status_code == 422
    assert shown(ES.gettext("Give the person at least one role."), no_roles.text)


def test_a_new_pin_signs_her_out_elsewhere_and_a_weak_one_is_refused(app, admin, team, session):
    maria = team["maria"]
    her_phone = TestClient(app)
    make_user(session, roles=[Role.treasurer], username="maria2", name="María 2", password="x" * 12)
    session.commit()
    # María is signed in somewhere else (with a password account of her own, for this test).
    assert sign_in(her_phone, "maria2", "x" * 12).status_code == 303
    page = f"/taller/personas/{maria.id}"

    weak = post(admin, f"{page}/pin", {"pin": "1234"}, page)
    assert weak.status_code == 422
    assert shown(ES.gettext("Choose a PIN that is harder to guess than %(pin)s.", pin="1234"), weak.text)
    assert (
        sign_in_with_pin(session, maria.id, "4826", utcnow(), device_id=team["device"]).outcome is Outcome.ok
    )  # the old PIN still works
    session.commit()

    assert post(admin, f"{page}/pin", {"pin": "5062"}, page).status_code == 303
    fresh(session)
    assert sign_in_with_pin(session, maria.id, "4826", utcnow(), device_id=team["device"]).outcome is Outcome.wrong
    assert sign_in_with_pin(session, maria.id, "5062", utcnow(), device_id=team["device"]).outcome is Outcome.ok
    session.commit()

    second = session.scalar(select(User).where(User.username == "maria2"))
    other = f"/taller/personas/{second.id}"
    assert post(admin, f"{other}/clave", {"password": "a brand new password"}, other).status_code == 303
    assert her_phone.get("/taller/inicio", follow_redirects=False).status_code == 303  # signed out there


def test_a_locked_member_can_be_let_in_again(admin, team, session):
    maria = team["maria"]
    for _ in range(5):
        sign_in_with_pin(session, maria.id, "0000", utcnow(), device_id=team["device"])
    session.commit()
    assert ES.gettext("Let her try again now") in admin.get(f"/taller/personas/{maria.id}").text
    assert "s-locked" in admin.get("/taller/personas").text
    assert (
        post(admin, f"/taller/personas/{maria.id}/desbloquear", {}, f"/taller/personas/{maria.id}").status_code == 303
    )
    fresh(session)
    assert pin_locks(session, utcnow()) == {}
    assert sign_in_with_pin(session, maria.id, "4826", utcnow(), device_id=team["device"]).outcome is Outcome.ok


def test_switching_someone_off_signs_her_out_and_keeps_her_history(app, admin, team, session):
    treasurer = make_user(session, roles=[Role.treasurer], username="rosa", name="Rosa")
    session.commit()
    her = TestClient(app)
    assert sign_in(her, "rosa").status_code == 303
    page = f"/taller/personas/{treasurer.id}"
    assert post(admin, f"{page}/activa", {"active": "0"}, page).status_code == 303
    assert her.get("/taller/inicio", follow_redirects=False).status_code == 303
    assert sign_in(TestClient(app), "rosa").status_code == 401
    fresh(session)
    assert session.get(User, treasurer.id) is not None  # switched off, not deleted
    assert shown(ES.gettext("switched off"), admin.get("/taller/personas").text)

    assert post(admin, f"{page}/activa", {"active": "1"}, page).status_code == 303
    assert sign_in(TestClient(app), "rosa").status_code == 303

    own = f"/taller/personas/{team['admin'].id}"
    refused = post(admin, f"{own}/activa", {"active": "0"}, own)
    assert refused.status_code == 422
    assert shown(ES.gettext("You cannot switch off your own account."), refused.text)


def test_only_admins_manage_people(app, team, session):
    make_user(session, roles=[Role.treasurer, Role.council], username="rosa", name="Rosa")
    session.commit()
    council = TestClient(app)
    assert sign_in(council, "rosa").status_code == 303
    assert council.get("/taller/personas").status_code == 403
    assert council.get(f"/taller/personas/{team['maria'].id}").status_code == 403
    token = csrf_of(council.get("/taller/inicio").text)
    forged = council.post(
        f"/taller/personas/{team['maria'].id}/pin", data={"pin": "9999", "csrf_token": token}, follow_redirects=False
    )
    assert forged.status_code == 403
    fresh(session)
    assert (
        sign_in_with_pin(
            session, team["maria"].id, "4826", utcnow() + timedelta(seconds=1), device_id=team["device"]
        ).outcome
        is Outcome.ok
    )
