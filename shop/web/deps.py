"""Dependencies shared by the HTML and JSON routers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from shop.accounts.audit import REQUEST_STATE
from shop.db import session_scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_session(request: Request) -> Iterator[Session]:
    """The request's own transaction, committed before the response is sent (``scope="function"``).

    Requests that may change data start as writers, so on SQLite they queue for the write lock up front.
    """
    with session_scope(request.app.state.engine, writes=request.method not in SAFE_METHODS) as session:
        # Whoever signs in during this request is the author of its changes (see shop.accounts.audit).
        session.info[REQUEST_STATE] = request.state
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
