"""Slowing strangers down on the password form, without letting them lock anyone out.

Tries are throttled per client address and per sign-in name with ladders of limits (the shared
``shop.throttle``): the more someone tries, the longer she waits. Nothing is locked: a person's own
browser, where she once signed in with her password (a signed "known browser" cookie), is not held back by
the tries of strangers on her name, only by a generous limit per address. Unknown and real names count
the same, so the answers tell nothing. Reaching a limit is written once to the audit log, with the address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request

from shop.accounts import service as accounts
from shop.accounts import signin
from shop.accounts.models import User
from shop.api.http.client import client_address
from shop.api.http.cookies import host_cookie
from shop.throttle import Rule, Verdict

PER_ADDRESS = Rule("signin-address", "20/minute; 200/hour; 1000/day")
PER_NAME = Rule("signin-name", "5/minute; 20/hour; 100/day")
# Browsers where the person signed in before: only this, per address, so a stranger hammering her name
# (or the shared address of a cooperative's network) never keeps her out.
KNOWN_BROWSER = Rule("signin-known", "30/minute; 300/hour; 2000/day")
# One audit line per name or address an hour, however long a stranger keeps trying.
LOGGED = Rule("signin-logged", "1/hour")
KNOWN_COOKIE = "known"
KNOWN_MAX_AGE = 400 * 24 * 3600  # the longest browsers keep a cookie
KNOWN_PEOPLE = 5  # a shared computer remembers a few staff members


def _known_cookie(request: Request) -> str:
    return host_cookie(KNOWN_COOKIE, request.app.state.settings.https)


def known_people(request: Request) -> list[int]:
    return request.app.state.signer.read_known(request.cookies.get(_known_cookie(request)), KNOWN_MAX_AGE)


def remember_browser(request: Request, response, user: User) -> None:
    """After a right password: this browser is hers from now on (the cookie names her, signed)."""
    ids = [user.id, *(i for i in known_people(request) if i != user.id)][:KNOWN_PEOPLE]
    settings = request.app.state.settings
    response.set_cookie(
        _known_cookie(request),
        request.app.state.signer.write_known(ids),
        max_age=KNOWN_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.https,
        path="/",
    )


@dataclass(frozen=True)
class Admission:
    verdict: Verdict
    until: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.verdict)


def admit(request: Request, session, login: str, now: datetime) -> Admission:
    """Count this try, or refuse it (with the time to wait) when its address or name has tried too much."""
    throttle = request.app.state.throttle
    address = client_address(request)
    name = login.strip().lower()[:254]
    known = known_people(request)
    if known:
        user = signin.find_login(session, name)
        if user is not None and user.id in known:
            return _admission(throttle.hit(KNOWN_BROWSER, address), now)
    verdict = throttle.hit(PER_ADDRESS, address)
    if not verdict:
        return _admission(verdict, now)
    if not throttle.peek(PER_ADDRESS, address):
        _log_limit(request, session, "address", address, None, now)
    verdict = throttle.hit(PER_NAME, name)
    if verdict and not throttle.peek(PER_NAME, name):
        _log_limit(request, session, "name", name, signin.find_login(session, name), now)
    return _admission(verdict, now)


def _admission(verdict: Verdict, now: datetime) -> Admission:
    return Admission(verdict, None if verdict else now + timedelta(seconds=verdict.retry_after))


def _log_limit(request: Request, session, kind: str, key: str, user: User | None, now: datetime) -> None:
    """The try that fills a limit is written down, once an hour per name or address; made-up names are not
    (their address is), so a stranger cannot flood the log."""
    if kind == "name" and user is None:
        return
    if not request.app.state.throttle.hit(LOGGED, kind, key):
        return
    address = client_address(request)
    if user is not None:
        summary = f"password form: too many tries for the name “{key}”, the last from {address}"
        # Whoever tried is not known: the log names the address, and the person only as what was tried.
        accounts.record(session, None, address, "throttled", "user", user.id, summary, now=now)
    else:
        summary = f"password form: too many tries from {address}"
        accounts.record(session, None, address, "throttled", "address", address, summary, now=now)
