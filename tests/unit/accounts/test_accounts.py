from datetime import timedelta

import pytest
from factories import make_weaver
from sqlalchemy import select

from shop.accounts import credentials, sessions, signin
from shop.accounts import service as accounts
from shop.accounts.models import PinAttempts, Role, SignInMethod, User
from shop.audit import act_as
from shop.audit.models import AuditEvent
from shop.clock import utcnow
from shop.errors import Conflict, ValidationFailed


def member(session, **overrides):
    weaver = make_weaver(session, name="María Pérez")
    data = {"name": "María Pérez", "username": "maria", "roles": [Role.member], "weaver_id": weaver.id, "pin": "4826"}
    return accounts.create_user(session, **{**data, **overrides})


def test_secrets_are_stored_as_argon2_hashes(session):
    user = member(session, password="a long password 1")
    assert user.pin_hash.startswith("$argon2id$") and "4826" not in user.pin_hash
    assert user.password_hash.startswith("$argon2id$")
    assert credentials.verify_secret(user.pin_hash, "4826")
    assert not credentials.verify_secret(user.pin_hash, "4827")


def test_production_hashes_with_the_owasp_parameters(production_hasher, session):
    """The suite hashes cheaply (tests/conftest.py); what the module defines, and production uses, is OWASP's."""
    assert (production_hasher.time_cost, production_hasher.memory_cost, production_hasher.parallelism) == (2, 19_456, 1)
    user = member(session, password="a long password 1")
    for stored in (user.pin_hash, user.password_hash):
        assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert credentials.verify_secret(user.password_hash, "a long password 1")


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "1111", "1234", "9876", ""])
def test_weak_or_malformed_pins_are_refused(session, pin):
    user = member(session)
    with pytest.raises(ValidationFailed) as caught:
        accounts.set_pin(session, user, pin)
    assert caught.value.field == "pin"


def test_passwords_need_ten_characters_and_not_the_username(session):
    user = member(session)
    for bad in ("short", "maria-is-great-2026"):
        with pytest.raises(ValidationFailed):
            accounts.set_password(session, user, bad)
    accounts.set_password(session, user, "correct horse battery")


def test_usernames_and_weaver_profiles_are_unique(session):
    user = member(session)
    with pytest.raises(Conflict):
        accounts.create_user(session, name="Otra", username="maria", roles=[Role.council], password="a long password 1")
    with pytest.raises(Conflict):
        accounts.create_user(
            session, name="Otra", username="otra", roles=[Role.member], weaver_id=user.weaver_id, pin="4826"
        )
    with pytest.raises(ValidationFailed):
        accounts.create_user(session, name="Sin", username="sin", roles=[Role.member], pin="4826")  # no weaver


def device(session, name="Computadora"):
    admin = accounts.create_user(session, name="Ana", username="ana", roles=[Role.admin], password="a long password 1")
    return sessions.enroll_device(session, name, admin, utcnow())[0]


def test_wrong_pins_make_that_device_wait_longer_and_longer(session):
    user = member(session)
    computer = device(session)
    now = utcnow()

    def pin(value, at):
        return signin.sign_in_with_pin(session, user.id, value, at, device_id=computer.id, address="10.0.0.7")

    outcomes = [pin("0000", now) for _ in range(5)]
    assert [o.outcome for o in outcomes] == ["wrong"] * 4 + ["locked"]
    assert [o.attempts_left for o in outcomes[:4]] == [4, 3, 2, 1]
    assert outcomes[-1].locked_until == now + timedelta(minutes=1)
    # Even the right PIN is refused while the device waits, and trying does not extend the wait.
    assert pin("4826", now + timedelta(seconds=30)).outcome == "locked"
    # Each wrong PIN after that makes the device wait longer: 5 minutes, 15, an hour, 4 hours.
    at = now
    for wait in (5, 15, 60, 240, 240):
        at += timedelta(hours=5)
        result = pin("0000", at)
        assert (result.outcome, result.locked_until) == ("locked", at + timedelta(minutes=wait))
    assert pin("4826", at + timedelta(hours=5)).outcome == "ok"
    summaries = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "locked")).all()
    assert len(summaries) == 6  # once per lock, never per refused try
    assert "Computadora" in summaries[0] and "10.0.0.7" in summaries[0]


def test_a_right_pin_resets_the_count(session):
    user = member(session)
    computer = device(session)
    now = utcnow()
    for _ in range(3):
        signin.sign_in_with_pin(session, user.id, "0000", now, device_id=computer.id)
    assert signin.sign_in_with_pin(session, user.id, "4826", now, device_id=computer.id).outcome == "ok"
    assert session.get(PinAttempts, (user.id, computer.id)).failures == 0


def test_pin_waits_are_per_device_and_the_admin_can_end_them(session):
    user = member(session)
    computer = device(session)
    phone = sessions.enroll_device(session, "Teléfono", session.get(User, computer.enrolled_by), utcnow())[0]
    now = utcnow()
    for _ in range(5):
        signin.sign_in_with_pin(session, user.id, "0000", now, device_id=phone.id)
    assert signin.sign_in_with_pin(session, user.id, "4826", now, device_id=phone.id).outcome == "locked"
    assert signin.pin_locks(session, now) == {user.id: now + timedelta(minutes=1)}
    # The cooperative's own computer is not held back by tries on another device.
    assert signin.sign_in_with_pin(session, user.id, "4826", now, device_id=computer.id).outcome == "ok"
    accounts.unlock(session, user)
    assert signin.pin_locks(session, now) == {}
    assert signin.sign_in_with_pin(session, user.id, "4826", now, device_id=phone.id).outcome == "ok"


def test_the_password_form_locks_nobody(session):
    """However many wrong passwords, the right one still works, and a PIN-only member has nothing to lock."""
    user = member(session)
    computer = device(session)  # and Ana, the admin, with her password
    now = utcnow()
    for _ in range(30):
        assert signin.sign_in_with_password(session, "ana", "wrong password!!", now).outcome == "wrong"
        assert signin.sign_in_with_password(session, "maria", "wrong password!!", now).outcome == "unknown"
    assert signin.sign_in_with_password(session, "ana", "a long password 1", now).outcome == "ok"
    assert signin.sign_in_with_pin(session, user.id, "4826", now, device_id=computer.id).outcome == "ok"
    assert session.scalars(select(AuditEvent.action)).all() == []


def test_a_weaver_public_slug_is_never_a_username(session):
    make_weaver(session, name="Juana López", slug="juana-lopez")
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_user(
            session, name="Juana", username="Juana-Lopez", roles=[Role.council], password="a long password 1"
        )
    assert caught.value.field == "username"
    assert "public page" in caught.value.message
    accounts.create_user(
        session, name="Juana", username="juana-lopez-7f3a", roles=[Role.council], password="a long password 1"
    )


def test_password_sign_in_accepts_username_or_email(session):
    accounts.create_user(
        session,
        name="Rosa",
        username="rosa",
        email="Rosa@Example.org",
        roles=[Role.treasurer],
        password="a long password 1",
    )
    now = utcnow()
    assert signin.sign_in_with_password(session, "ROSA", "a long password 1", now).outcome == "ok"
    assert signin.sign_in_with_password(session, "rosa@example.org", "a long password 1", now).outcome == "ok"
    assert signin.sign_in_with_password(session, "rosa", "wrong password!!", now).outcome == "wrong"
    assert signin.sign_in_with_password(session, "nobody", "whatever it is", now).outcome == "unknown"


def test_sessions_end_when_idle_too_long_after_their_lifetime_or_when_ended(session):
    user = member(session)
    now = utcnow()
    raw = sessions.start_session(
        session, user, method=SignInMethod.pin, device=None, now=now, lifetime=timedelta(hours=12)
    )
    idle = timedelta(minutes=10)
    assert sessions.current_session(session, raw, now + timedelta(minutes=9), idle) is not None
    assert sessions.current_session(session, raw, now + timedelta(minutes=18), idle) is not None  # touched at 9
    assert sessions.current_session(session, raw, now + timedelta(minutes=29), idle) is None  # idle 11 minutes
    raw2 = sessions.start_session(
        session, user, method=SignInMethod.pin, device=None, now=now, lifetime=timedelta(hours=1)
    )
    for minutes in range(0, 60, 9):
        assert sessions.current_session(session, raw2, now + timedelta(minutes=minutes), idle) is not None
    assert sessions.current_session(session, raw2, now + timedelta(minutes=61), idle) is None  # lifetime over
    raw3 = sessions.start_session(
        session, user, method=SignInMethod.pin, device=None, now=now, lifetime=timedelta(hours=1)
    )
    sessions.end_session(session, raw3, now)
    assert sessions.current_session(session, raw3, now, idle) is None
    assert sessions.current_session(session, "forged", now, idle) is None


def test_revoking_a_device_signs_out_whoever_used_it(session):
    admin = accounts.create_user(session, name="Ana", username="ana", roles=[Role.admin], password="a long password 1")
    user = member(session)
    now = utcnow()
    device, raw_device = sessions.enroll_device(session, "Cooperative computer", admin, now)
    assert sessions.enrolled_device(session, raw_device, now).id == device.id
    raw = sessions.start_session(
        session, user, method=SignInMethod.pin, device=device, now=now, lifetime=timedelta(hours=1)
    )
    sessions.revoke_device(session, device.id, now)
    assert sessions.enrolled_device(session, raw_device, now) is None
    assert sessions.current_session(session, raw, now, timedelta(minutes=10)) is None


def test_api_keys_act_as_their_user_until_revoked(session):
    user = member(session)
    key, raw = sessions.create_api_key(session, user, "phone", utcnow())
    assert raw.startswith("jj_") and key.key_hash != raw
    assert sessions.user_for_api_key(session, raw, utcnow()).id == user.id
    key.revoked_at = utcnow()
    assert sessions.user_for_api_key(session, raw, utcnow()) is None


def test_changes_are_audited_with_before_and_after_and_no_secrets(session):
    admin = accounts.create_user(session, name="Ana", username="ana", roles=[Role.admin], password="a long password 1")
    session.commit()
    act_as(session, admin)
    user = member(session)
    session.commit()
    user.name = "María Pérez Hernández"
    accounts.set_pin(session, user, "5937")
    session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "users").order_by(AuditEvent.id)).all()
    assert [(e.action, e.actor_name) for e in events] == [("create", "Ana"), ("update", "Ana")]
    created, updated = events
    assert created.entity_id == str(user.id) and created.after["pin_hash"] == "(set)"
    assert updated.before["name"] == "María Pérez" and updated.after["name"] == "María Pérez Hernández"
    assert updated.after["pin_hash"] == "(changed)"
    assert "4826" not in str(created.after) and "5937" not in str(updated.after)
