"""Two treasurers confirming at the same moment, on PostgreSQL: one match wins, the other person is told so
(a Conflict with a clear message, never a database error), and the money moves to the bank once.

Each thread works in its own session and commits, as two browsers would. SQLite serializes writers at BEGIN
IMMEDIATE, so nothing can interleave there; the same refusals are tested one after the other in
test_reconciliation.py.
"""

from __future__ import annotations

import os

import pytest
from banking import bank_lines, transfer
from concurrency import at_once
from factories import make_user
from sqlalchemy import func, select

from shop.accounts.models import Role, User
from shop.clock import utcnow
from shop.db import make_engine, session_scope
from shop.errors import Conflict
from shop.ledger import bank_matches
from shop.ledger.balances import balance
from shop.ledger.models import BankLine, BankMatch
from shop.payments.bank_transfers import received_transfer

POSTGRES_URL = os.environ.get("SHOP_TEST_DATABASE_URL")
pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL's row locks (set SHOP_TEST_DATABASE_URL)"),
]
TRIES = 5


@pytest.fixture
def pool(database_url):
    engine = make_engine(database_url, pool_size=6)
    yield engine
    engine.dispose()


@pytest.fixture
def world(session):
    """Two treasurers; two deposits of 1,850 pesos in the bank and two confirmed transfers of that amount."""
    teresa = make_user(session, roles=[Role.treasurer], username="tesorera", name="Teresa")
    make_user(session, roles=[Role.treasurer, Role.council], username="rosa", name="Rosa")
    payments = [transfer(session, 185_000).id, transfer(session, 185_000).id]
    lines = [
        line.id for line in bank_lines(session, teresa, (0, "DEPOSITO A", "", 185_000), (0, "DEPOSITO B", "", 185_000))
    ]
    session.commit()
    return {"lines": lines, "payments": payments}


def both_at_once(engine, first: dict, second: dict) -> list[object]:
    """Teresa confirms ``first`` and Rosa ``second`` ({line, payment}) released together; each result is the match's
    id (after its commit) or the exception raised."""

    def confirming(username: str, choice: dict):
        def job(db):
            user = db.scalar(select(User).where(User.username == username))
            transfer = received_transfer(db, choice["payment"])
            return bank_matches.confirm_match(db, choice["line"], transfer=transfer, by=user, now=utcnow()).id

        return job

    return at_once(engine, confirming("tesorera", first), confirming("rosa", second))


def undo_all(engine, lines: list[int]) -> None:
    with session_scope(engine) as db:
        user = db.scalar(select(User).where(User.username == "rosa"))
        for line_id in lines:
            if bank_matches.active_match(db, line_id) is not None:
                bank_matches.undo_match(db, line_id, by=user, reason="otra prueba", now=utcnow())


def one_won(results: list[object]) -> Conflict:
    wins = [r for r in results if isinstance(r, int)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    return losses[0]


@pytest.mark.parametrize(
    ("first", "second"),
    [((0, 0), (0, 0)), ((0, 0), (1, 0)), ((0, 0), (0, 1))],
    ids=["same-match", "two-lines-one-payment", "one-line-two-payments"],
)
def test_two_people_confirming_at_once_one_wins_and_the_other_is_told(pool, session, world, first, second):
    def choice(pair):
        return {"line": world["lines"][pair[0]], "payment": world["payments"][pair[1]]}

    for _ in range(TRIES):
        loss = one_won(both_at_once(pool, choice(first), choice(second)))
        assert loss.status_code == 409 and loss.message.startswith(("%(name)s already matched", "The payment of"))
        with session_scope(pool) as db:
            assert db.scalar(select(func.count()).select_from(BankMatch).where(BankMatch.undone_at.is_(None))) == 1
            assert balance(db, "bank") == 185_000 and balance(db, "pending_offline") == 185_000
            matched = db.scalars(select(BankLine.payment_id).where(BankLine.payment_id.is_not(None))).all()
            assert len(matched) == 1
        undo_all(pool, world["lines"])
    with session_scope(pool) as db:
        assert balance(db, "bank") == 0 and balance(db, "pending_offline") == 370_000
