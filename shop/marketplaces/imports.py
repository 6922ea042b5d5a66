"""Sales made on eBay or Etsy, imported from a CSV of their orders so the weavers are paid through the same ledger.

All or nothing, like the product import: every row is checked first and each problem is told with its row; only a
file with none is written, in the caller's one transaction. Each row is one order of one piece: the marketplace,
its order number, the day sold, our product's slug, how many, what the buyer paid (shipping included), the
shipping, and the marketplace's actual fees for the order, in pesos. The sale is booked on the day it was made
(so it lands in its month), the fees on the processor fees account (what the channel really cost), the rest to
"Marketplace sales to be paid out" until the marketplace pays it; the weavers' shares by the piece's split rule,
as for any other sale. The same marketplace order is never imported twice.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Product, ProductKind
from shop.catalogue.stock_changes import record_sale
from shop.clock import LOCAL_ZONE, local_today
from shop.errors import N_, DomainError, Phrase
from shop.ledger.sales import post_sale
from shop.ledger.schemas import Sale, SaleLine
from shop.marketplaces.models import Marketplace
from shop.money import parse_amount
from shop.orders import service as orders
from shop.orders.models import Channel, Order, OrderLine, OrderLineWeaver, OrderStatus, PaymentMethod
from shop.orders.placing import place_order
from shop.orders.schemas import OrderItem

COLUMNS = ("marketplace", "order", "sold_on", "product", "quantity", "total_mxn", "shipping_mxn", "fees_mxn")
MAX_ROWS = 2_000
MAX_FILE_BYTES = 512 * 1024
MONEY_ACCOUNT = "marketplace_clearing"
EARLIEST = date(2010, 1, 1)


@dataclass(frozen=True)
class Row:
    number: int  # the file's line, the header being line 1
    marketplace: Marketplace
    order: str
    sold_on: date
    product_id: int
    title: str
    quantity: int
    total: int  # centavos the buyer paid, shipping included
    shipping: int
    fees: int


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    problems: list[tuple[int, str | Phrase, dict]] = field(default_factory=list)  # (line, message, params)

    def add(self, line: int, message: str, **params) -> None:
        self.problems.append((line, message, params))


def read(session: Session, data: bytes, today: date | None = None) -> Checked:
    """Every row checked against the file, the catalogue and what was imported before; nothing written."""
    checked, today = Checked(), today or local_today()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        checked.add(0, N_("The file is not UTF-8 text. Save it from the spreadsheet as “CSV UTF-8”."))
        return checked
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        checked.add(1, N_("The file needs the columns %(columns)s."), columns=", ".join(missing))
        return checked
    raw = list(reader)
    if not raw:
        checked.add(0, N_("The file has no sales."))
        return checked
    if len(raw) > MAX_ROWS:
        checked.add(0, N_("A file may have at most %(count)d sales; split it."), count=MAX_ROWS)
        return checked
    slugs = {(r.get("product") or "").strip() for r in raw}
    products = {p.slug: p for p in session.scalars(sa.select(Product).where(Product.slug.in_(slugs)))}
    by_id = {p.id: p for p in products.values()}
    wanted = {((r.get("marketplace") or "").strip().lower(), (r.get("order") or "").strip()) for r in raw}
    before = {
        (marketplace, ref)
        for marketplace, ref in session.execute(
            sa.select(Order.marketplace, Order.external_ref).where(
                Order.external_ref.in_({ref for _, ref in wanted}), Order.marketplace.in_({m for m, _ in wanted})
            )
        )
    }
    taken: dict[int, int] = {}
    seen: set[tuple[str, str]] = set()
    for number, cells in enumerate(raw, start=2):
        row = _row(number, {k: (v or "").strip() for k, v in cells.items() if k}, products, today, checked)
        if row is None:
            continue
        key = (row.marketplace.value, row.order)
        if key in seen:
            checked.add(number, N_("Order %(order)s is in the file twice."), order=row.order)
            continue
        if key in before:
            checked.add(number, N_("Order %(order)s was imported before."), order=row.order)
            continue
        seen.add(key)
        product = by_id[row.product_id]
        taken[product.id] = taken.get(product.id, 0) + row.quantity
        if product.kind is not ProductKind.made_to_order and taken[product.id] > product.stock_on_hand:
            checked.add(
                number,
                N_("“%(title)s” has %(count)d in stock, fewer than the file sells."),
                title=product.title_es,
                count=product.stock_on_hand,
            )
            continue
        checked.rows.append(row)
    checked.problems.sort(key=lambda p: p[0])
    return checked


def _row(number: int, cells: dict, products: dict, today: date, checked: Checked) -> Row | None:
    before = len(checked.problems)
    try:
        marketplace = Marketplace(cells["marketplace"].lower())
    except ValueError:
        checked.add(
            number, N_("The marketplace must be ebay or etsy, not “%(value)s”."), value=cells["marketplace"][:30]
        )
        marketplace = None
    ref = cells["order"]
    if not ref or len(ref) > 60:
        checked.add(number, N_("Write the marketplace's order number (at most 60 characters)."))
    try:
        sold_on = date.fromisoformat(cells["sold_on"])
    except ValueError:
        checked.add(number, N_("Write the day sold as 2026-07-31, not “%(value)s”."), value=cells["sold_on"][:30])
        sold_on = None
    if sold_on is not None and sold_on > today:
        checked.add(number, N_("The day sold, %(day)s, cannot be in the future."), day=sold_on.isoformat())
    if sold_on is not None and sold_on < EARLIEST:
        checked.add(number, N_("The day sold, %(day)s, is before the shop's records begin."), day=sold_on.isoformat())
    product = products.get(cells["product"])
    if product is None:
        checked.add(number, N_("There is no piece “%(slug)s” in the catalogue."), slug=cells["product"][:80])
    quantity = int(cells["quantity"]) if cells["quantity"].isdigit() else 0
    if not 1 <= quantity <= 50:
        checked.add(number, N_("How many must be a whole number from 1 to 50."))
    money = {}
    for name in ("total_mxn", "shipping_mxn", "fees_mxn"):
        try:
            money[name] = parse_amount(cells[name] or "0", "MXN", field=name)
        except DomainError as exc:
            checked.add(number, exc.message, **exc.params)
    if len(money) == 3:
        if money["total_mxn"] <= money["shipping_mxn"]:
            checked.add(number, N_("The total must be more than the shipping: it includes the pieces."))
        if money["fees_mxn"] > money["total_mxn"]:
            checked.add(number, N_("The fees cannot be more than the total."))
    if len(checked.problems) > before:
        return None
    return Row(
        number,
        marketplace,
        ref,
        sold_on,
        product.id,
        product.title_es,
        quantity,
        money["total_mxn"],
        money["shipping_mxn"],
        money["fees_mxn"],
    )


def write(session: Session, rows: list[Row], *, actor: str, now: datetime) -> list[Order]:
    """Record each checked row as a paid order of its channel and book its sale on its day; the caller commits
    all of it or nothing."""
    return [_write(session, row, actor=actor, now=now) for row in rows]


def _write(session: Session, row: Row, *, actor: str, now: datetime) -> Order:
    order = place_order(
        session,
        items=[OrderItem(product_id=row.product_id, quantity=row.quantity)],
        buyer=None,
        language="es",
        method=PaymentMethod.cash,  # paid to the marketplace, which pays the cooperative: no payment of ours
        channel=Channel.marketplace,
        now=now,
        hold_until=now + timedelta(minutes=5),
        actor=actor,
    )
    (line,) = session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id)).all()
    pieces = row.total - row.shipping
    line.unit_price, line.line_total, line.amount_due_now = pieces // row.quantity, pieces, pieces
    order.subtotal, order.shipping_amount = pieces, row.shipping
    order.total = order.amount_due_now = row.total
    order.marketplace, order.external_ref = row.marketplace.value, row.order
    sold_at = datetime.combine(row.sold_on, time(12), LOCAL_ZONE)
    note = f"{row.marketplace.value} {row.order}"
    orders.mark_paid(session, order, amount=row.total, actor=actor, now=now, note=note)
    order.paid_at = sold_at
    for status in (OrderStatus.packed, OrderStatus.shipped, OrderStatus.delivered):  # the marketplace's doing
        orders.transition(session, order, status, actor=actor, note=note, now=now)
    weavers = session.execute(
        sa.select(OrderLineWeaver.weaver_id, OrderLineWeaver.share_bp).where(OrderLineWeaver.order_line_id == line.id)
    ).all()
    post_sale(
        session,
        Sale(
            key=f"marketplace:{row.marketplace.value}:{row.order}",
            order_id=order.id,
            money_account=MONEY_ACCOUNT,
            lines=(SaleLine(line.id, pieces, line.weavers_bp, tuple((w, s) for w, s in weavers)),),
            shipping=row.shipping,
            fee=row.fees,
            description=f"Order {order.number} ({note})",
        ),
        booked_at=sold_at,
    )
    record_sale(
        session, product_id=row.product_id, quantity=row.quantity, order_id=order.id, note=note, actor=actor, now=now
    )
    return order
