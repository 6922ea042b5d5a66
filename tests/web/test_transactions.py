"""The request owns the transaction and commits it before answering (DESIGN.md, rule 2)."""

import pytest
from factories import csrf_of
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from shop.api.http.deps import SessionDep
from shop.catalogue.models import Category


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


@pytest.fixture
def form(client) -> dict:
    """A form's token, as every page form carries one (the app-wide CSRF check would refuse it otherwise)."""
    return {"csrf_token": csrf_of(client.get("/taller").text)}


@pytest.fixture
def error_page_route(app):
    """A handler that writes, then answers with an error page without rolling back by hand."""
    from shop.api.http.deps import keep_writes_of_refusal
    from shop.web.workspace.render import ws_render

    @app.post("/test-only/error-page/{status}")
    def create_then_refuse(request: Request, session: SessionDep, status: int, keep: bool = False):
        session.add(Category(slug="a-medias", name_es="A medias", name_en="Half-written"))
        session.flush()
        if keep:
            keep_writes_of_refusal(request)
        return ws_render(request, "workspace/login.html", {"errors": {}, "values": {}, "idle": 0}, status_code=status)

    return "/test-only/error-page"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 423, 429])
def test_an_error_page_never_commits_what_the_request_wrote(client, engine, error_page_route, form, status):
    response = client.post(f"{error_page_route}/{status}", data=form)
    assert response.status_code == status
    assert count_categories(engine) == 0


def test_a_page_that_is_not_an_error_commits(client, engine, error_page_route, form):
    assert client.post(f"{error_page_route}/200", data=form).status_code == 200
    assert count_categories(engine) == 1


def test_a_refusal_whose_writes_are_its_point_keeps_them(client, engine, error_page_route, form):
    # A wrong PIN is counted although the page says 401: the sign-in routes say so explicitly.
    assert client.post(f"{error_page_route}/401?keep=true", data=form).status_code == 401
    assert count_categories(engine) == 1


def test_an_error_page_raised_by_a_handler_undoes_the_writes_and_shows_what_is_stored(app, client, engine, form):
    from shop.api.http.deps import ErrorPage

    @app.post("/test-only/raise-error-page")
    def create_then_refuse(session: SessionDep):
        session.add(Category(slug="a-medias", name_es="A medias", name_en="Half-written"))
        session.flush()

        def draw(db):
            # Drawn after the rollback, from a fresh session: the half-written row is not there.
            count = db.scalar(select(func.count()).select_from(Category))
            return JSONResponse({"categories": count}, status_code=422)

        raise ErrorPage(draw)

    response = client.post("/test-only/raise-error-page", data=form)
    assert response.status_code == 422
    assert response.json() == {"categories": 0}
    assert count_categories(engine) == 0
