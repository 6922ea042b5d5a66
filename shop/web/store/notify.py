"""Buying, notices: a visitor asks to be told by e-mail when a sold-out piece's weaver publishes a new one, or
when card payment works for her country, and takes the request back with the link in her e-mail or on the page
that took it. Plain forms only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request

from shop.api.http.client import client_address
from shop.api.http.deps import SessionDep
from shop.catalogue.browse import public_product
from shop.clock import utcnow
from shop.errors import N_, DomainError, NotFound, TooManyRequests
from shop.i18n import translator
from shop.notices import service as notices
from shop.notices.models import NoticeKind
from shop.orders.schemas import countries
from shop.throttle import Rule
from shop.web.errors import domain_error_items
from shop.web.store.language import Lang
from shop.web.templating import render

router = APIRouter(prefix="/{lang:store_lang}/notify", include_in_schema=False)
PER_CLIENT = Rule("notices-client", "5/10minutes; 20/day")
PER_EMAIL = Rule("notices-email", "3/10minutes; 10/day")
TOO_MANY = N_("You have sent this form several times in a short while. Please wait %(minutes)s minutes.")
Email = Annotated[str, Form(max_length=400)]
Consent = Annotated[str, Form(max_length=10)]
Country = Annotated[str | None, Query(max_length=2, pattern=r"^[A-Za-z]{2}$")]


def _throttle(request: Request, email: str) -> None:
    verdict = request.app.state.throttle.hit_all(
        [(PER_CLIENT, client_address(request) or "unknown"), (PER_EMAIL, email.strip().lower() or "none")]
    )
    if not verdict:
        wait = verdict.retry_after
        raise TooManyRequests(TOO_MANY, retry_after=wait, minutes=str(max(1, -(-wait // 60))))


def _ask(request: Request, session, lang: str, form: tuple[str, dict], back: str, email: str, consent: str, **what):
    """Take a request (``what``: its kind and what it is about), or show the form again (``form``: its template
    and context) with what was wrong, in the visitor's language."""
    now = utcnow()
    try:
        _throttle(request, email)
        notice = notices.ask(session, email=email, lang=lang, consent=consent == "yes", now=now, **what)
    except DomainError as exc:
        template, context = form
        errors = {item["field"] or "email": item["message"] for item in domain_error_items(exc, translator(lang))}
        page = render(request, template, {**context, "errors": errors, "noindex": True}, status_code=exc.status_code)
        if isinstance(exc, TooManyRequests):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    # The delete link only for a request this visit made: asking again with someone else's address must not
    # hand over the link that deletes her request (hers is in her e-mail).
    context = {"notice": notice, "fresh": notice.consented_at == now, "back": back, "noindex": True}
    return render(request, "store/notify_done.html", context)


@router.post("/similar-piece")
def ask_similar_piece(
    request: Request,
    lang: Lang,
    session: SessionDep,
    slug: Annotated[str, Form(max_length=120)],
    email: Email = "",
    consent: Consent = "",
):
    product = public_product(session, slug)
    weaver = product.attributions[0].weaver if product.attributions else None
    back = f"/{lang}/products/{product.slug}"
    form = ("store/notify_similar.html", {"product": product, "email": email.strip()[:254], "back": back})
    weaver_id = weaver.id if weaver else None
    return _ask(request, session, lang, form, back, email, consent, kind=NoticeKind.similar_piece, weaver_id=weaver_id)


def _card_context(lang: str, country: str | None, email: str = "") -> dict:
    code = (country or "").upper()
    names = dict(countries(lang))
    return {"country": code if code in names else "", "country_name": names.get(code, ""), "email": email}


@router.get("/card-payment")
def card_payment_form(request: Request, lang: Lang, country: Country = None):
    return render(request, "store/notify_card.html", {**_card_context(lang, country), "errors": {}, "noindex": True})


@router.post("/card-payment")
def ask_card_payment(
    request: Request,
    lang: Lang,
    session: SessionDep,
    email: Email = "",
    consent: Consent = "",
    country: Annotated[str, Form(max_length=2)] = "",
):
    context = _card_context(lang, country, email.strip()[:254])
    form, back = ("store/notify_card.html", context), f"/{lang}/products"
    country = context["country"] or None
    return _ask(request, session, lang, form, back, email, consent, kind=NoticeKind.card_payment, country=country)


@router.get("/forget/{token}")
def forget_form(request: Request, lang: Lang, session: SessionDep, token: str):
    notice = notices.by_token(session, token)
    if notice is None:
        raise NotFound(N_("This request is not on our list any more: there is nothing left to delete."))
    return render(request, "store/notify_forget.html", {"notice": notice, "deleted": False, "noindex": True})


@router.post("/forget/{token}")
def forget(request: Request, lang: Lang, session: SessionDep, token: str):
    notices.forget(session, token)  # a second press, or a link already used, ends the same way
    return render(request, "store/notify_forget.html", {"notice": None, "deleted": True, "noindex": True})
