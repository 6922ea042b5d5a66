"""Dependencies shared by the HTML and JSON routers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from shop.audit import REQUEST_STATE
from shop.db import session_scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


class ErrorPage(Exception):
    """Raised by a handler to answer with a refusal (a form shown again with its mistakes, a redirect with an
    error message). As it passes through the session dependency, everything the request wrote is rolled back;
    then ``draw`` makes the answer from a fresh read-only session, so the page shows what is stored, never
    a half-written change."""

    def __init__(self, draw: Callable[[Session], Response]):
        super().__init__("error page")
        self.draw = draw


def draw_error_page(request: Request, exc: ErrorPage) -> Response:
    with session_scope(request.app.state.engine, writes=False) as session:
        session.info[REQUEST_STATE] = request.state
        return exc.draw(session)


def answer_is_an_error(request: Request) -> None:
    """The request answers with an error page: nothing it wrote may be kept. Called by ``render`` for every
    4xx and 5xx page, so no handler has to remember to roll back before showing one."""
    request.state.answer_is_an_error = True


def keep_writes_of_refusal(request: Request) -> None:
    """This refusal's writes are its point (a wrong PIN counted, a limit reached written to the audit log):
    keep them although the page is an error."""
    request.state.keep_writes_of_refusal = True


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's own transaction, committed before the response is sent (``scope="function"``), or
    rolled back if the request raised or answers with an error page: the one owner of both.

    Requests that may change data start as writers, so on SQLite they queue for the write lock up front.
    Opening the session touches no database (it connects on first use), so it is done here on the event loop;
    only its end (the commit or rollback) goes to a thread, which saves the request a thread hand-off.
    """
    state = request.state

    def keep() -> bool:
        return not getattr(state, "answer_is_an_error", False) or getattr(state, "keep_writes_of_refusal", False)

    unit = session_scope(request.app.state.engine, writes=request.method not in SAFE_METHODS, keep=keep)
    session = unit.__enter__()
    # Whoever signs in during this request is the author of its changes (see shop.audit).
    session.info[REQUEST_STATE] = state
    try:
        yield session
    except BaseException as exc:
        if not await _end(unit, type(exc), exc, exc.__traceback__):
            raise
    else:
        await _end(unit, None, None, None)


async def _end(unit, *raised) -> bool:
    """End the unit of work in a thread of its own (a full thread pool must not keep a connection from going
    back), shielded: a visitor who goes away mid-request still gets her transaction closed."""
    with anyio.CancelScope(shield=True):
        return bool(await anyio.to_thread.run_sync(unit.__exit__, *raised, limiter=anyio.CapacityLimiter(1)))


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def read_only(request: Request, work: Callable[[Session], T]) -> T:
    """A read-only page's whole unit of work, in one thread hand-off: the session is opened, used and ended in
    the same thread (with ``SessionDep`` and a plain route, its end takes a hand-off of its own). For the pages
    asked for most (the listing, a piece, the API's list), whose first visits after a change all pay it."""

    def run() -> T:
        # Nothing is written, so nothing is committed: the session's end rolls its reading transaction back (and a
        # page that found all it needs kept never opened one).
        with Session(request.app.state.engine, expire_on_commit=False) as session:
            session.info[REQUEST_STATE] = request.state
            return work(session)

    return await anyio.to_thread.run_sync(run, limiter=request.app.state.readers)


def readers(pool_size: int) -> anyio.CapacityLimiter:
    """How many read-only pages may use the database at once: as many as the pool keeps connections. The others
    wait on the event loop, where waiting costs nothing, rather than in threads that would open and close a
    connection each beyond the pool's and take turns at the interpreter lock (one worker runs one at a time)."""
    return anyio.CapacityLimiter(pool_size if pool_size > 0 else 40)  # no pool: as many as anyio runs threads
