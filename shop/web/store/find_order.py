"""Buying, a lost order link: a buyer types her e-mail address and is sent the links to her recent orders.

Whether the address has orders or not, the answer is the same page with the same status (see
``shop.orders.lookup``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from shop.api.http.client import client_address
from shop.api.http.deps import SessionDep
from shop.errors import DomainError, TooManyRequests
from shop.i18n import translator
from shop.orders.lookup import send_order_links
from shop.web.store.language import Lang
from shop.web.templating import render

router = APIRouter(prefix="/{lang:store_lang}", include_in_schema=False)
Email = Annotated[str, Form(max_length=400)]


def _page(request: Request, *, email: str = "", error: str | None = None, sent: bool = False, status: int = 200):
    return render(
        request,
        "store/find_order.html",
        {"email": email, "error": error, "sent": sent, "noindex": True},
        status_code=status,
    )


@router.get("/orders/find")
def find_order_form(request: Request, lang: Lang):
    return _page(request)


@router.post("/orders/find")
def find_order(request: Request, lang: Lang, session: SessionDep, email: Email = ""):
    try:
        send_order_links(
            session,
            request.app.state.throttle,
            email=email,
            lang=lang,
            base_url=request.app.state.settings.base_url,
            client=client_address(request),
        )
    except DomainError as exc:
        page = _page(
            request, email=email.strip()[:254], error=exc.translated(translator(lang).gettext), status=exc.status_code
        )
        if isinstance(exc, TooManyRequests):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    return _page(request, email=email.strip()[:254], sent=True)
