"""What the OpenAPI document promises: one error body, the statuses each route really answers, the bearer scheme.

Every error under /api is rendered by ``shop.web.errors`` as ``ErrorBody``. Routes list their failures with
``errors(...)``, naming only the statuses they can answer, so a client (and the contract test that runs
schemathesis over the API) can rely on the document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPBearer
from pydantic import BaseModel, Field


class FieldError(BaseModel):
    field: str | None = Field(description="The input at fault, as a dotted path (`buyer.email`), or null")
    message: str = Field(description="What to correct, in the requester's language")


class ErrorBody(BaseModel):
    """Every error the API answers, whatever its status."""

    error: str = Field(description="A stable code to act on: `not_found`, `validation_failed`, `just_sold`, …")
    detail: str = Field(description="What went wrong, in the requester's language (Accept-Language)")
    errors: list[FieldError] | None = Field(
        default=None, description="Each input at fault, when the error names inputs (always on 422)"
    )


STATUSES = {
    202: "Accepted, not finished",
    400: "The body is not readable (not JSON, or not UTF-8)",
    401: "No valid credentials: send a personal API key as `Authorization: Bearer jj_…`",
    403: "Signed in, but without a role this action needs",
    404: "Not found",
    409: "The order or piece is not in a state that allows this (`invalid_state`, `conflict`, `just_sold`)",
    413: "The body is larger than this route accepts (`payload_too_large`); nothing was read",
    422: "Invalid input: `errors` names each field to correct (`validation_failed`)",
    429: "Too many tries from this address or for this e-mail (`too_many_requests`); wait Retry-After seconds",
    502: "Stripe refused the request; nothing was charged or given back",
    503: "Stripe did not answer; nothing was charged",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}}

# Routes that read a JSON body may refuse it as unreadable, too large or invalid.
BODY = (400, 413, 422)
# Routes for signed-in staff.
SIGNED_IN = (401, 403)


def errors(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` entry documenting these error statuses with ``ErrorBody``.

    ``described`` overrides a status's description for one route, keyed ``_404="There is no order …"``.
    """
    found: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": described.get(f"_{status}") or STATUSES[status]}
        if status == 429:
            entry["headers"] = RETRY_AFTER
        found[status] = entry
    return found


# Documents the personal API keys (``shop user api-key``); ``shop.api.http.auth.signed_in`` checks them.
api_key = HTTPBearer(
    auto_error=False,
    scheme_name="apiKey",
    bearerFormat="jj_…",
    description="A personal API key, made with `shop user api-key`, sent as `Authorization: Bearer jj_…`.",
)

# FastAPI adds this 422 to every route with parameters, even when no input can be invalid; the routes that
# can refuse input document it themselves with ``ErrorBody``.
_GENERATED_422 = "#/components/schemas/HTTPValidationError"


def _drop_generated_422(document: dict) -> None:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            answer = operation.get("responses", {}).get("422", {})
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") == _GENERATED_422:
                del operation["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)


def install(app: FastAPI) -> None:
    """Build the app's OpenAPI document once, without the 422 answers that cannot happen."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, openapi_version=app.openapi_version, routes=app.routes
            )
            _drop_generated_422(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi
