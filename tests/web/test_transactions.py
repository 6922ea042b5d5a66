"""The request owns the transaction and commits it before answering (DESIGN.md, rule 2)."""

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from shop.catalogue.models import Category
from shop.web.deps import SessionDep


@pytest.fixture
def write_route(app):
    @app.post("/api/test-only/categories")
    def create(session: SessionDep):
        session.add(Category(slug="nueva", name_es="Nueva", name_en="New"))
        session.flush()
        return {"ok": True}

    return "/api/test-only/categories"


def count_categories(engine) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(Category))


def test_a_successful_request_has_committed_before_it_answers(client, engine, write_route):
    response = client.post(write_route)
    assert response.status_code == 200
    assert count_categories(engine) == 1


def test_a_failed_commit_answers_5xx_and_keeps_nothing(client, engine, write_route):
    def refuse(session):
        raise OperationalError("COMMIT", {}, Exception("disk full"))

    event.listen(Session, "before_commit", refuse)
    try:
        response = client.post(write_route)
    finally:
        event.remove(Session, "before_commit", refuse)
    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    assert count_categories(engine) == 0
