"""Writing an outbox e-mail: its subject, plain text and HTML, in the buyer's language.

Presentation, so it lives with the web layer and its templates; the sender (``shop.mail.sender``) is handed
this function by whoever runs it (``shop.jobs``), so the mail domain never imports Jinja.

The outbox keeps only plain JSON (amounts as integer centavos); everything a buyer reads is made here, when the
message is sent, from the templates in ``templates/email/``. Money is formatted for the language, each line's
title is taken in that language, and every value from the context is HTML-escaped (autoescape is on for .html).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jinja2

from shop.errors import N_
from shop.i18n import Translator, translator
from shop.mail.outbox import KINDS, NOT_ORDER_KINDS, TEXT_ONLY_KINDS, mail_language
from shop.mail.sender import RenderedEmail
from shop.paths import TEMPLATES_DIR
from shop.payments.methods import HOME

COOPERATIVE = "J'pas Joloviletik"
EMAIL_TEMPLATES_DIR = TEMPLATES_DIR / "email"
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_BLANK_LINES = re.compile(r"\n{3,}")

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(EMAIL_TEMPLATES_DIR),
    # .html is escaped; .txt is plain text and must not be; anything else is escaped to be safe.
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), disabled_extensions=("txt",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,
    undefined=jinja2.StrictUndefined,
)


def _web_url(value: Any) -> str:
    """A link only if it is a plain web address; anything else (javascript:, data:…) is left out."""
    url = str(value or "").strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _title(line: dict, lang: str) -> str:
    other = "en" if lang == "es" else "es"
    return line.get(f"title_{lang}") or line.get(f"title_{other}") or line.get("title") or ""


def _lines(t: Translator, lines: list[dict], currency: str, lang: str) -> list[dict]:
    result = []
    for line in lines:
        total = int(line["line_total"])
        due_now = int(line.get("amount_due_now", total))
        lead = line.get("lead_time_days")
        result.append(
            {
                "title": _title(line, lang),
                "quantity": int(line["quantity"]),
                "unit_price": t.money(int(line["unit_price"]), currency),
                "line_total": t.money(total, currency),
                "made_to_order": line.get("kind") == "made_to_order",
                "lead_time_days": int(lead) if lead else None,
                "due_now": t.money(due_now, currency),
                "due_later": t.money(total - due_now, currency) if total > due_now else None,
            }
        )
    return result


def _row(label: str, value: str, *, strong: bool = False, rule: bool = False) -> dict:
    return {"label": label, "value": value, "strong": strong, "rule": rule}


def _totals(t: Translator, order: dict, currency: str) -> list[dict]:
    total = int(order["total"])
    due_now = int(order.get("amount_due_now", total))
    shipping = int(order.get("shipping_amount", 0))
    rows = [
        _row(t.gettext("Subtotal"), t.money(int(order["subtotal"]), currency)),
        _row(t.gettext("Shipping"), t.money(shipping, currency) if shipping else t.gettext("Free")),
        _row(t.gettext("Total"), t.money(total, currency), strong=True, rule=True),
    ]
    if due_now != total:
        rows.append(_row(t.gettext("To pay now"), t.money(due_now, currency), strong=True))
        rows.append(_row(t.gettext("To pay when it is finished"), t.money(total - due_now, currency)))
    return rows


def _subject(kind: str, t: Translator, number: str, payment_method: str) -> str:
    if kind == "order_confirmation":
        if payment_method == "offline":
            return t.gettext("Your order %(number)s: how to pay", number=number)
        return t.gettext("Thank you for your order %(number)s", number=number)
    if kind == "confirm_order":
        return t.gettext("Confirm your e-mail address to keep order %(number)s", number=number)
    if kind == "payment_received":
        return t.gettext("We received your payment for order %(number)s", number=number)
    if kind == "payment_on_hold":
        return t.gettext("Your payment for order %(number)s arrived: we will contact you", number=number)
    return t.gettext("Your order %(number)s is on its way", number=number)


def render(kind: str, language: str, context: dict, *, store_url: str = "") -> RenderedEmail:
    """The subject, text and HTML of one e-mail. Raises KeyError/ValueError if the context lacks what it needs."""
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    lang = mail_language(language)
    t = translator(lang)
    if kind in NOT_ORDER_KINDS:
        return _render_notice(kind, lang, t, context, store_url)
    order = context["order"]
    currency = order.get("currency") or "MXN"
    lines = _lines(t, order.get("lines") or [], currency, lang)
    made = [line for line in lines if line["made_to_order"]]
    ready = [line for line in lines if not line["made_to_order"]]
    total = int(order["total"])
    payment_method = order.get("payment_method") or ""
    page = {
        "lang": lang,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "cooperative": COOPERATIVE,
        "store_url": _web_url(store_url),
        "number": order["number"],
        "name": order.get("name") or "",
        "status_url": _web_url(order.get("status_url")),
        "payment_method": payment_method,
        "lines": lines,
        "totals": _totals(t, order, currency),
        "address": [part for part in order.get("shipping_address") or [] if part],
        "total": t.money(total, currency),
        "due_now": t.money(int(order.get("amount_due_now", total)), currency),
        "made_count": sum(line["quantity"] for line in made),
        "ready_count": sum(line["quantity"] for line in ready),
        "max_lead_days": max((line["lead_time_days"] or 0 for line in made), default=0),
        "bank_transfer_details": (context.get("bank_transfer_details") or "").strip(),
        # A buyer abroad pays by international transfer: she cannot come to the cooperative.
        "abroad": (order.get("country") or HOME) != HOME,
        "carrier": context.get("carrier") or "",
        "tracking_number": context.get("tracking_number") or "",
        "tracking_url": _web_url(context.get("tracking_url")),
        "confirm_url": _web_url(context.get("confirm_url")),
        "confirm_minutes": int(context.get("confirm_minutes") or 0),
        "hold_hours": int(context.get("hold_hours") or 0),
    }
    subject = " ".join(_subject(kind, t, page["number"], payment_method).split())
    return _finish(kind, subject, page)


def _finish(kind: str, subject: str, page: dict) -> RenderedEmail:
    page["subject"] = subject
    text = _env.get_template(f"{kind}.txt").render(page)
    # Templates may leave stray spaces and runs of blank lines; a plain-text e-mail reads best with one at most.
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip() + "\n"
    html = "" if kind in TEXT_ONLY_KINDS else _env.get_template(f"{kind}.html").render(page)
    return RenderedEmail(subject=subject, text=text, html=html)


NOTICE_SUBJECTS = {
    "order_links": N_("The links to your orders"),
    "similar_piece": N_("A new piece by %(weaver)s"),
    "card_payment": N_("You can now pay by card"),
}


def _render_notice(kind: str, lang: str, t: Translator, context: dict, store_url: str) -> RenderedEmail:
    """An e-mail about no single order: the links to a buyer's orders, or a notice she asked for."""
    orders = [
        {
            "number": order["number"],
            "url": _web_url(order["status_url"]),
            "placed_on": t.date(datetime.fromisoformat(order["placed_on"])),
            "total": t.money(int(order["total"]), order.get("currency") or "MXN"),
        }
        for order in context.get("orders") or []
    ]
    page = {
        "lang": lang,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "cooperative": COOPERATIVE,
        "store_url": _web_url(store_url),
        "orders": orders,
        "weaver": context.get("weaver") or "",
        "piece_url": _web_url(context.get("piece_url")),
        "shop_url": _web_url(context.get("shop_url")),
        "forget_url": _web_url(context.get("forget_url")),
    }
    if kind == "similar_piece" and page["weaver"]:
        subject = t.gettext(NOTICE_SUBJECTS[kind], weaver=page["weaver"])
    elif kind == "similar_piece":
        subject = t.gettext("A new piece by the same weaver")
    else:
        subject = t.gettext(NOTICE_SUBJECTS[kind])
    return _finish(kind, subject, page)
