"""The audit log for the council and admins: who changed what and when, newest first, with the values
before and after, filtered by person and by dates (days in Mexico City time)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.accounts.models import User
from shop.api.http.auth import Council
from shop.api.http.deps import SessionDep
from shop.audit.models import AuditEvent
from shop.clock import LOCAL_ZONE
from shop.errors import N_
from shop.i18n import Translator, translator
from shop.money import basis_points_percent
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)

PER_PAGE = 50
SHOWN_CHANGES = 6  # more than this many fields fold away under "Show all"
ACTIONS = {
    "create": N_("added"),
    "update": N_("changed"),
    "delete": N_("removed"),
    "sign_in": N_("signed in"),
    "locked": N_("locked out"),
    "throttled": N_("slowed down (too many tries)"),
    "rename": N_("renamed"),
}
ENTITIES = {
    "products": N_("Piece"),
    "product_images": N_("Piece photo"),
    "product_weavers": N_("Weaver of a piece"),
    "stock_movements": N_("Stock change"),
    "categories": N_("Category"),
    "weavers": N_("Weaver"),
    "orders": N_("Order"),
    "payments": N_("Payment"),
    "refunds": N_("Refund"),
    "split_rules": N_("Split rule"),
    "payout_accounts": N_("How a weaver is paid"),
    "payout_batches": N_("Payout batch"),
    "payouts": N_("Payout"),
    "shipping_zones": N_("Shipping zone"),
    "shipping_rates": N_("Shipping rate"),
    "users": N_("Person"),
    "user": N_("Person"),
    "user_roles": N_("Role"),
    "devices": N_("Device"),
    "api_keys": N_("API key"),
    "address": N_("Internet address"),
}
FIELDS = {
    "name": N_("Name"),
    "status": N_("State"),
    "price_amount": N_("Price"),
    "stock_on_hand": N_("Stock"),
    "title_es": N_("Title (Spanish)"),
    "title_en": N_("Title (English)"),
    "active": N_("Active"),
    "role": N_("Role"),
    "email": N_("Email"),
    "username": N_("Username"),
    "pin_hash": N_("PIN"),
    "password_hash": N_("Password"),
    "language": N_("Language"),
    "amount": N_("Amount"),
    "weavers_bp": N_("Weavers' share"),
    "share_bp": N_("Her share"),
    "reason": N_("Reason"),
    "clabe": N_("CLABE"),
    "method": N_("Method"),
}
MONEY_FIELDS = {
    "price_amount",
    "amount",
    "subtotal",
    "shipping_amount",
    "total",
    "amount_due_now",
    "amount_paid",
    "amount_refunded",
    "fee",
    "unit_price",
    "line_total",
}
BASIS_POINT_FIELDS = {"share_bp", "weavers_bp", "deposit_bp"}


@dataclass
class Change:
    label: str
    before: str | None  # None: this side does not exist (a new or a removed record)
    after: str | None


@dataclass
class Row:
    event: AuditEvent
    action: str
    entity: str
    changes: list[Change] = field(default_factory=list)


class BadFilter(ValueError):
    """A filter that cannot be read; ``field`` is the form field to mark."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def _day(value: str, t: Translator, name: str, which: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(
            t.gettext(
                "“%(value)s” is not a date (%(which)s). Write it as YYYY-MM-DD, for example 2026-11-27.",
                value=value[:20],
                which=which,
            ),
            name,
        ) from None


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_ZONE).astimezone(UTC)


def show(t: Translator, key: str, value, currency: str) -> str:
    """One stored value, readable: money in pesos, shares in percent, times in Mexico City, yes or no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t.gettext("Yes") if value else t.gettext("No")
    if key in MONEY_FIELDS and isinstance(value, int):
        return t.money(value, currency)
    if key in BASIS_POINT_FIELDS and isinstance(value, int):
        return f"{basis_points_percent(value)} %"
    if key.endswith("_at") and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return t.datetime(moment if moment.tzinfo else moment.replace(tzinfo=UTC), "short")
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text if len(text) <= 120 else text[:119] + "…"


def changes(t: Translator, event: AuditEvent, currency: str) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    money = str(after.get("currency") or before.get("currency") or currency)

    def label(key: str) -> str:
        return t.gettext(FIELDS[key]) if key in FIELDS else key.replace("_", " ")

    if event.action == "create" or (after and not before):
        # The id is already in the "What" column.
        return [
            Change(label(k), None, show(t, k, v, money)) for k, v in after.items() if v not in (None, "") and k != "id"
        ]
    if event.action == "delete" or (before and not after):
        return [Change(label(k), show(t, k, v, money), None) for k, v in before.items() if v not in (None, "")]
    keys = list(after) + [k for k in before if k not in after]
    return [Change(label(k), show(t, k, before.get(k), money), show(t, k, after.get(k), money)) for k in keys]


@router.get("/registro")
def audit_log(
    request: Request,
    session: SessionDep,
    who: Council,
    persona: str = "",
    desde: str = "",
    hasta: str = "",
    pagina: str = "1",
):
    t = translator(request.state.lang)
    values = {"persona": persona.strip(), "desde": desde.strip()[:20], "hasta": hasta.strip()[:20]}
    people = session.scalars(sa.select(User).order_by(User.name, User.id)).all()
    error = error_field = None
    try:
        if values["persona"] and not values["persona"].isdigit():
            raise BadFilter(t.gettext("Choose a person from the list."), "persona")
        person_id = int(values["persona"]) if values["persona"] else None
        start = _day(values["desde"], t, "desde", t.gettext("From"))
        end = _day(values["hasta"], t, "hasta", t.gettext("To"))
        if start and end and start > end:
            raise BadFilter(t.gettext("The first date is after the last one. Swap them and try again."), "hasta")
    except BadFilter as exc:
        error, error_field = str(exc), exc.field
    context = {
        "people": people,
        "values": values,
        "chosen": None,
        "error": error,
        "error_field": error_field,
        "rows": [],
        "total": 0,
        "page": 1,
        "pages": 1,
        "previous": None,
        "next": None,
        "shown_changes": SHOWN_CHANGES,
    }
    if error is not None:
        return ws_render(request, "workspace/audit_log.html", context, status_code=422)

    conditions = []
    if person_id is not None:
        conditions.append(AuditEvent.actor_id == person_id)
    if start is not None:
        conditions.append(AuditEvent.at >= _local_midnight(start))
    if end is not None:
        conditions.append(AuditEvent.at < _local_midnight(end + timedelta(days=1)))
    total = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(*conditions)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(max(int(pagina), 1), pages) if pagina.strip().isdigit() else 1
    events = session.scalars(
        sa.select(AuditEvent)
        .where(*conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    currency = request.app.state.settings.default_currency
    rows = [
        Row(
            event=e,
            action=t.gettext(ACTIONS[e.action]) if e.action in ACTIONS else e.action,
            entity=t.gettext(ENTITIES[e.entity]) if e.entity in ENTITIES else e.entity.replace("_", " "),
            changes=changes(t, e, currency),
        )
        for e in events
    ]
    kept = {k: v for k, v in values.items() if v}

    def page_link(number: int) -> str:
        query = {**kept, **({"pagina": number} if number > 1 else {})}
        return "/taller/registro" + (f"?{urlencode(query)}" if query else "")

    context.update(
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        chosen=person_id,
        previous=page_link(page - 1) if page > 1 else None,
        next=page_link(page + 1) if page < pages else None,
    )
    return ws_render(request, "workspace/audit_log.html", context)
