"""Every failure becomes a clear message in the person's language: JSON under /api, a page elsewhere."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from shop.api.http.deps import ErrorPage, draw_error_page
from shop.errors import N_, DomainError, ValidationFailed
from shop.i18n import STORE_LANGUAGES, Translator, negotiate, translator
from shop.storage import StorageUnavailable
from shop.validation import describe
from shop.web.store.language import LANG_COOKIE
from shop.web.templating import render

log = logging.getLogger(__name__)

STATUS_MESSAGES = {
    404: N_("We could not find that page."),
    405: N_("That action is not possible here."),
    400: N_("Something in the request was not valid."),
    413: N_("What you sent is too large."),
}
FILES_UNREACHABLE = N_("The stored files cannot be reached just now. Please try again in a few minutes.")
FILES_NOT_SAVED = N_(
    "The stored files cannot be reached just now, so nothing was saved. Please try again in a few minutes."
)
STORAGE_RETRY_SECONDS = 60


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def is_workspace(request: Request) -> bool:
    return request.url.path == "/taller" or request.url.path.startswith("/taller/")


def request_language(request: Request) -> str:
    """The language of the page being shown, else the person's preference."""
    lang = getattr(request.state, "lang", None)
    if lang:
        return lang
    if is_workspace(request):
        chosen = request.cookies.get("ws_lang")
        return chosen if chosen in ("es", "tzo") else "es"
    path = request.url.path
    for code in STORE_LANGUAGES:
        if path == f"/{code}" or path.startswith(f"/{code}/"):
            return code
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in STORE_LANGUAGES:
        return chosen
    return negotiate(
        request.headers.get("accept-language"), STORE_LANGUAGES, request.app.state.settings.default_language
    )


def domain_error_items(exc: DomainError, t: Translator) -> list[dict]:
    nested = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
    return [{"field": e.field, "message": e.translated(t.gettext)} for e in nested]


def _error_page(request: Request, status: int, message: str, details: list[dict] | None = None):
    lang = request_language(request)
    if is_workspace(request):
        from shop.web.workspace.render import ws_render

        request.state.lang = lang
        return ws_render(
            request,
            "workspace/error.html",
            {"status": status, "message": message, "details": details or []},
            status_code=status,
        )
    return render(
        request,
        "errors/error.html",
        {
            "status": status,
            "message": message,
            "details": details or [],
            "noindex": True,
            # An order's link that leads nowhere: offer to send her order links again.
            "order_lost": status == 404 and "/orders/" in request.url.path,
        },
        lang=lang,
        status_code=status,
    )


def too_large(request: Request, limit: int | None = None) -> Response:
    """The answer to a body over its route's limit (``shop.web.body_limits``): the body is never read, so the
    connection is closed after it."""
    t = translator(request_language(request))
    message = t.gettext(STATUS_MESSAGES[413])
    if limit is not None:
        message += " " + t.gettext("The limit here is %(size)s.", size=_size(limit))
    if is_api(request):
        response = JSONResponse({"error": "payload_too_large", "detail": message}, status_code=413)
    else:
        response = _error_page(request, 413, message)
    response.headers["Connection"] = "close"
    return response


def _size(limit: int) -> str:
    return f"{limit // 1024} KB" if limit < 1024 * 1024 else f"{limit / (1024 * 1024):.1f} MB"


def install(app: FastAPI) -> None:
    app.add_exception_handler(ErrorPage, draw_error_page)

    @app.exception_handler(DomainError)
    def on_domain_error(request: Request, exc: DomainError):
        if is_workspace(request) and exc.code == "unauthorized":
            return RedirectResponse("/taller", status_code=303)
        t = translator(request_language(request))
        message = exc.translated(t.gettext)
        if is_api(request):
            body = {"error": exc.code, "detail": message}
            if (isinstance(exc, ValidationFailed) and exc.errors) or exc.field:
                body["errors"] = domain_error_items(exc, t)
            return JSONResponse(body, status_code=exc.status_code, headers=_retry_after(exc))
        page = _error_page(request, exc.status_code, message, domain_error_items(exc, t) if exc.field else None)
        page.headers.update(_retry_after(exc) or {})
        return page

    @app.exception_handler(StorageUnavailable)
    def on_storage_unavailable(request: Request, exc: StorageUnavailable):
        """The object store is down or refuses us: say so plainly with a 503; the request's session has
        already rolled back, so no row names a file that was not stored."""
        log.warning("storage unavailable on %s %s: %s", request.method, request.url.path, exc)
        t = translator(request_language(request))
        message = t.gettext(FILES_UNREACHABLE if request.method in ("GET", "HEAD") else FILES_NOT_SAVED)
        headers = {"Retry-After": str(STORAGE_RETRY_SECONDS), "Cache-Control": "no-store"}
        if is_api(request):
            return JSONResponse({"error": "storage_unavailable", "detail": message}, status_code=503, headers=headers)
        page = _error_page(request, 503, message)
        page.headers.update(headers)
        return page

    @app.exception_handler(RequestValidationError)
    def on_validation_error(request: Request, exc: RequestValidationError):
        t = translator(request_language(request))
        items = [describe(error, t) for error in exc.errors()]
        if is_api(request):
            return JSONResponse(
                {
                    "error": "validation_failed",
                    "detail": t.gettext("Please correct the marked fields."),
                    "errors": items,
                },
                status_code=422,
            )
        return _error_page(request, 400, t.gettext(STATUS_MESSAGES[400]), items)

    @app.exception_handler(StarletteHTTPException)
    def on_http_error(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 413:
            return too_large(request, getattr(exc, "limit", None))
        t = translator(request_language(request))
        message = t.gettext(STATUS_MESSAGES.get(exc.status_code, STATUS_MESSAGES[400]))
        if is_api(request):
            return JSONResponse(
                {"error": _code(exc.status_code), "detail": message},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(Exception)
    def on_unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        t = translator(request_language(request))
        message = t.gettext("Something went wrong on our side. Please try again in a moment.")
        if is_api(request):
            return JSONResponse({"error": "server_error", "detail": message}, status_code=500)
        return _error_page(request, 500, message)


def _retry_after(exc: DomainError) -> dict[str, str] | None:
    """A refusal for trying too often says when to try again (``TooManyRequests``)."""
    seconds = getattr(exc, "retry_after", None)
    return {"Retry-After": str(seconds)} if seconds else None


def _code(status: int) -> str:
    return {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}.get(status, "error")
