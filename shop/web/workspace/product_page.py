"""A piece's page in the workspace, or the form for a new one, as first shown and as shown again after a mistake."""

from __future__ import annotations

from decimal import Decimal
from typing import NoReturn

import sqlalchemy as sa

from shop.accounts.models import Role
from shop.api.http.auth import Signed
from shop.api.http.deps import ErrorPage
from shop.catalogue.models import (
    PUBLIC_STATUSES,
    Category,
    Product,
    ProductKind,
    ProductWeaver,
    StockMovement,
    StockReason,
    Weaver,
)
from shop.catalogue.stock import holds_on
from shop.certification.fair_price import hourly_centavos
from shop.certification.worksheets import benchmarks, price_of, worksheet_of
from shop.clock import utcnow
from shop.errors import N_
from shop.orders.models import Order
from shop.web.workspace.inventory import STATUS_NAMES, find_editable
from shop.web.workspace.render import ws_render

KIND_NAMES = {
    ProductKind.unique: (N_("One of a kind"), N_("There is only one.")),
    ProductKind.series: (N_("Several the same"), N_("Made in series: there can be several.")),
    ProductKind.made_to_order: (N_("Made to order"), N_("Woven when someone orders it.")),
}
REASON_NAMES = {
    StockReason.sold_in_person: N_("Sold in person"),
    StockReason.new_stock: N_("Newly woven pieces"),
    StockReason.returned: N_("A piece came back (returned)"),
    StockReason.damaged: N_("Damaged or lost"),
    StockReason.count_correction: N_("I counted again (correction)"),
    StockReason.sold_unrecorded: N_("Sold in person, without recording the sale (before sales were recorded)"),
}
# What a person may choose on the stock form ("sold in person" records a sale in cash).
REASON_CHOICES = tuple(reason for reason in REASON_NAMES if reason is not StockReason.sold_unrecorded)
# Text fields of the product form, kept exactly as typed when the form comes back with a mistake.
TEXT_FIELDS = (
    "address",
    "title_es",
    "title_en",
    "description_es",
    "description_en",
    "category_id",
    "technique_es",
    "technique_en",
    "materials_es",
    "materials_en",
    "dyes_es",
    "dyes_en",
    "length_cm",
    "width_cm",
    "height_cm",
    "weight_g",
    "hours_of_work",
    "price",
    "kind",
    "lead_time_days",
    "deposit_percent",
    "stock_on_hand",
    "alt_es",
    "alt_en",
)


def may_choose_weavers(who: Signed) -> bool:
    return who.has(Role.council, Role.admin)


def _plain_amount(centavos: int) -> str:
    pesos, cents = divmod(centavos, 100)
    return f"{pesos}" if cents == 0 else f"{pesos}.{cents:02d}"


def _plain_scaled(value: int | None, places: int) -> str:
    if value is None:
        return ""
    return format(Decimal(value).scaleb(-places).normalize(), "f")


def _values_of(product: Product) -> dict[str, str]:
    values = {name: str(getattr(product, name) or "") for name in TEXT_FIELDS if hasattr(product, name)}
    values.update(
        category_id=str(product.category_id),
        price=_plain_amount(product.price_amount),
        kind=product.kind.value,
        length_cm=_plain_scaled(product.length_mm, 1),
        width_cm=_plain_scaled(product.width_mm, 1),
        height_cm=_plain_scaled(product.height_mm, 1),
        weight_g=str(product.weight_g or ""),
        hours_of_work=str(product.hours_of_work or ""),
        lead_time_days=str(product.lead_time_days or ""),
        deposit_percent=_plain_scaled(product.deposit_bp, 2),
        stock_on_hand=str(product.stock_on_hand),
        alt_es="",
        alt_en="",
    )
    return values


def _shares_of(product: Product) -> dict[str, str]:
    return {str(a.weaver_id): _plain_scaled(a.share_bp, 2) for a in product.attributions}


# Fields the product form shows; a problem with any other goes in the box at the top of the form.
SHOWN_FIELDS = {*TEXT_FIELDS, "weavers", "photos"} - {"alt_es", "alt_en"}


def form_page(
    request,
    session,
    who: Signed,
    product: Product | None,
    *,
    values: dict | None = None,
    shares: dict | None = None,
    errors: dict | None = None,
    stock_values: dict | None = None,
    stock_errors: dict | None = None,
    photo_errors: dict | None = None,
    photos_lost: bool = False,
    held: list | None = None,
    fair_values: dict | None = None,
    fair_errors: dict | None = None,
    status: int = 200,
):
    """The form for a new piece (``product`` None), or a piece's page: photos, stock, publishing, details."""
    errors = errors or {}
    if product is None:
        if values is None:
            values = dict.fromkeys(TEXT_FIELDS, "")
            values.update(kind=ProductKind.unique.value, stock_on_hand="1")
        if shares is None:
            shares = {str(who.user.weaver_id): "100"} if who.user.weaver_id else {}
        movements, woven_by, holds = [], [], []
    else:
        holds = holds_on(session, [product.id], utcnow()).get(product.id, [])
        values = values if values is not None else _values_of(product)
        shares = shares if shares is not None else _shares_of(product)
        movements = session.scalars(
            sa.select(StockMovement)
            .where(StockMovement.product_id == product.id)
            .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
            .limit(10)
        ).all()
        woven_by = [
            (name, _plain_scaled(share, 2))
            for name, share in session.execute(
                sa.select(Weaver.name, ProductWeaver.share_bp)
                .join(ProductWeaver, ProductWeaver.weaver_id == Weaver.id)
                .where(ProductWeaver.product_id == product.id)
                .order_by(ProductWeaver.share_bp.desc(), Weaver.name)
            ).all()
        ]
    if product is None and not woven_by and who.user.weaver_id is not None and not may_choose_weavers(who):
        woven_by = [(session.get(Weaver, who.user.weaver_id).name, "100")]
    return ws_render(
        request,
        "workspace/product_form.html",
        {
            "product": product,
            "values": values,
            "shares": shares,
            "errors": errors,
            "other_errors": [message for name, message in errors.items() if name not in SHOWN_FIELDS],
            "photos_lost": photos_lost,
            "held": held or [],
            "woven_by": woven_by,
            "movements": movements,
            "stock_values": stock_values or {"reason": "", "quantity": "1", "note": ""},
            "stock_errors": stock_errors or {},
            "photo_errors": photo_errors or {},
            "categories": session.scalars(sa.select(Category).order_by(Category.position, Category.name_es)).all(),
            "weavers": session.scalars(sa.select(Weaver).order_by(Weaver.name)).all()
            if may_choose_weavers(who)
            else [],
            "kind_names": KIND_NAMES,
            "status_names": STATUS_NAMES,
            "reason_names": REASON_NAMES,
            "reason_choices": REASON_CHOICES,
            "holds": holds,
            "sale_numbers": _sale_numbers(session, movements),
            "may_choose_weavers": may_choose_weavers(who),
            "may_archive": who.has(Role.council, Role.admin),
            "public": product is not None and product.status in PUBLIC_STATUSES,
            "fair": fair_price_context(request, session, product, fair_values, fair_errors) if product else None,
        },
        status_code=status,
    )


def _worksheet_values(product: Product, sheet) -> dict[str, str]:
    if sheet is None:  # a first worksheet starts from the hours the piece is said to have taken
        return {"work_hours": str(product.hours_of_work or ""), "overhead_percent": "0", "margin_percent": "0"}
    hours, minutes = divmod(sheet.minutes, 60)
    return {
        "benchmark_id": str(sheet.benchmark_id),
        "materials": _plain_amount(sheet.materials),
        "work_hours": str(hours),
        "work_minutes": str(minutes) if minutes else "",
        "overhead_percent": _plain_scaled(sheet.overhead_bp, 2),
        "margin_percent": _plain_scaled(sheet.margin_bp, 2),
    }


def fair_price_context(request, session, product: Product, values: dict | None, errors: dict | None) -> dict:
    """The worksheet's form and, once there is one, the fair minimum with how it was reached."""
    week_hours = request.app.state.settings.work_week_hours
    found = worksheet_of(session, product.id)
    sheet, benchmark = found if found else (None, None)
    price = price_of(sheet, benchmark, week_hours) if found else None
    return {
        "typed": values if values is not None else _worksheet_values(product, sheet),
        "problems": errors or {},
        "benchmarks": benchmarks(session),
        "benchmark": benchmark,
        "hourly": hourly_centavos(benchmark.amount, benchmark.unit, week_hours) if benchmark else None,
        "price": price,
        "gap": price.minimum - product.price_amount if price else 0,
    }


def _sale_numbers(session, movements) -> dict[int, str]:
    """The order number of each in-person sale among the movements, to link its receipt."""
    ids = {m.order_id for m in movements if m.order_id is not None}
    if not ids:
        return {}
    return dict(session.execute(sa.select(Order.id, Order.number).where(Order.id.in_(ids))).all())


def form_again(request, session, who: Signed, slug: str, **page) -> NoReturn:
    """A piece's page again after a mistake (422): nothing is saved, so it starts from what is stored."""
    raise ErrorPage(lambda db: form_page(request, db, who, find_editable(db, who, slug), status=422, **page))
