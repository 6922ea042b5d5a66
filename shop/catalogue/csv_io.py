"""Products to and from CSV, for bulk edits in a spreadsheet.

Import is all or nothing: every row is checked first and each bad row is reported with its line number
and reason; only a file with no problems is written, in one transaction owned by the caller.
Rows are matched by slug. For an existing product, a column the file leaves out keeps its current value,
so a file of just "slug,price_mxn" changes prices and nothing else. New products need the full set.
Prices are in pesos ("1850.00"), deposits and shares in percent, because people edit this file.
Text that a spreadsheet would run as a formula is written with a leading apostrophe (``shop.spreadsheet``), and
read back without it, so an exported file imported as it is changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from shop.catalogue.models import Category, Product, ProductWeaver, Weaver
from shop.catalogue.schemas import ProductCreate, ProductUpdate
from shop.catalogue.service import create_product, product_problems, update_product
from shop.errors import N_, DomainError, ValidationFailed
from shop.i18n import Translator
from shop.money import BASIS_POINTS, minor_digits, parse_amount
from shop.spreadsheet import original_cell, safe_cell
from shop.validation import describe

COLUMNS = [
    "slug",
    "category",
    "status",
    "kind",
    "price_mxn",
    "stock_on_hand",
    "lead_time_days",
    "deposit_percent",
    "weavers",
    "title_es",
    "title_en",
    "description_es",
    "description_en",
    "technique_es",
    "technique_en",
    "materials_es",
    "materials_en",
    "dyes_es",
    "dyes_en",
    "length_mm",
    "width_mm",
    "height_mm",
    "weight_g",
    "hours_of_work",
]
REQUIRED_FOR_NEW = ["category", "kind", "price_mxn", "weavers", "title_es", "title_en"]
OPTIONAL_INTS = [
    "stock_on_hand",
    "lead_time_days",
    "length_mm",
    "width_mm",
    "height_mm",
    "weight_g",
    "hours_of_work",
]
TEXTS = [c for c in COLUMNS if c.endswith(("_es", "_en"))]
# Where a product field comes from in the file, so errors name the column a person sees.
COLUMN_OF = {"category_id": "category", "price_amount": "price_mxn", "deposit_bp": "deposit_percent"}


def _column(field_name: str | None) -> str | None:
    if field_name is None:
        return None
    head = field_name.split(".")[0]
    return COLUMN_OF.get(head, head)


@dataclass
class RowError:
    line: int
    field: str | None
    message: str


@dataclass
class CheckedFile:
    rows: list[tuple[int, ProductCreate]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _percent_to_bp(text: str, column: str) -> int:
    try:
        value = Decimal(text.strip().rstrip("%"))
        if not value.is_finite() or abs(value) > 100_000:
            raise InvalidOperation
        bp = value * 100
    except ArithmeticError:
        raise ValidationFailed(N_("Write a percentage such as 30 or 12.5."), field=column) from None
    if bp != bp.to_integral_value():
        raise ValidationFailed(N_("Use at most two decimals in a percentage."), field=column)
    return int(bp)


def _bp_to_percent(bp: int) -> str:
    return str((Decimal(bp) / 100).normalize()) if bp % 100 else str(bp // 100)


def _weavers(text: str, weaver_ids: dict[str, int]) -> list[dict]:
    """'maria-perez:60; petrona-lopez:40' (or a single slug, meaning 100%)."""
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise ValidationFailed(N_("Name at least one weaver."), field="weavers")
    result = []
    for part in parts:
        slug, _, share = part.partition(":")
        slug = slug.strip()
        if slug not in weaver_ids:
            raise ValidationFailed(N_("Unknown weaver “%(slug)s”."), field="weavers", slug=slug)
        bp = _percent_to_bp(share, "weavers") if share.strip() else (BASIS_POINTS if len(parts) == 1 else 0)
        result.append({"weaver_id": weaver_ids[slug], "share_bp": bp})
    return result


def _row_to_product(
    raw: dict[str, str], categories: dict[str, int], weaver_ids: dict[str, int]
) -> tuple[dict, list[DomainError]]:
    """The row as ProductCreate input, plus every problem found turning its text into values."""
    problems: list[DomainError] = []
    values: dict = {name: (raw.get(name) or "").strip() for name in TEXTS}
    values["slug"] = (raw.get("slug") or "").strip()
    values["kind"] = (raw.get("kind") or "").strip()
    values["status"] = (raw.get("status") or "").strip() or "draft"
    for name in OPTIONAL_INTS:
        text = (raw.get(name) or "").strip()
        if text:
            values[name] = text

    def attempt(step: Callable[[], None]) -> None:
        try:
            step()
        except DomainError as exc:
            problems.append(exc)

    def category() -> None:
        slug = (raw.get("category") or "").strip()
        if slug not in categories:
            raise ValidationFailed(N_("Unknown category “%(slug)s”."), field="category", slug=slug)
        values["category_id"] = categories[slug]

    def price() -> None:
        values["price_amount"] = parse_amount(raw.get("price_mxn") or "", "MXN", field="price_mxn")

    def deposit() -> None:
        text = (raw.get("deposit_percent") or "").strip()
        if text:
            values["deposit_bp"] = _percent_to_bp(text, "deposit_percent")

    def weavers() -> None:
        values["weavers"] = _weavers(raw.get("weavers") or "", weaver_ids)

    for step in (category, price, deposit, weavers):
        attempt(step)
    return values, problems


def check_file(session: Session, handle: IO[str], t: Translator, progress: Callable[[int], None] | None = None):
    """Read and check every row, collecting every problem; nothing is written."""
    checked = CheckedFile()
    reader = csv.DictReader(handle)
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "slug" not in header:
        checked.errors.append(
            RowError(1, None, t.gettext("The file lacks these columns: %(columns)s.", columns="slug"))
        )
        return checked
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        message = t.gettext("Unknown columns: %(columns)s.", columns=", ".join(unknown))
        checked.errors.append(RowError(1, None, message))
        return checked

    rows = []
    line = reader.line_num
    for raw in reader:
        start, line = line + 1, reader.line_num
        raw = {(k or "").strip(): original_cell((v or "").strip()) for k, v in raw.items() if k is not None}
        if any(v.strip() for v in raw.values()):
            rows.append((start, raw))
    current = _current_rows(session, {raw["slug"].strip() for _, raw in rows})
    missing_for_new = [c for c in REQUIRED_FOR_NEW if c not in header]

    categories = dict(session.execute(select(Category.slug, Category.id)).all())
    weaver_ids = dict(session.execute(select(Weaver.slug, Weaver.id)).all())
    seen: dict[str, int] = {}
    for start, raw in rows:
        try:
            slug = raw["slug"].strip()
            if slug in seen:
                message = t.gettext("The same slug is on line %(line)d.", line=seen[slug])
                checked.errors.append(RowError(start, "slug", message))
            seen.setdefault(slug, start)
            base = current.get(slug)
            if base is None and missing_for_new:
                message = t.gettext(
                    "“%(slug)s” is a new product, so the file needs these columns: %(columns)s.",
                    slug=slug,
                    columns=", ".join(missing_for_new),
                )
                checked.errors.append(RowError(start, None, message))
                continue
            if base is not None:
                given = {k: v for k, v in raw.items() if not (k == "status" and not v.strip())}
                raw = {**base, **given}
            data = _check_row(session, start, raw, categories, weaver_ids, t, checked.errors)
            if data is not None:
                checked.rows.append((start, data))
        finally:
            if progress:
                progress(1)
    return checked


def _check_row(session, start, raw, categories, weaver_ids, t, errors) -> ProductCreate | None:
    values, problems = _row_to_product(raw, categories, weaver_ids)
    errors.extend(RowError(start, p.field, p.translated(t.gettext)) for p in problems)
    try:
        data = ProductCreate.model_validate(values)
    except ValidationError as exc:
        reported = {_column(p.field) for p in problems}
        for error in exc.errors():
            described = describe(error, t)
            if _column(described["field"]) not in reported:
                errors.append(RowError(start, _column(described["field"]), described["message"]))
        return None
    if problems:
        return None
    rules = product_problems(session, data)
    errors.extend(RowError(start, _column(p.field), p.translated(t.gettext)) for p in rules)
    return None if rules else data


def _current_rows(session: Session, slugs: set[str]) -> dict[str, dict[str, str]]:
    """Existing products among ``slugs``, as the rows export would write for them."""
    found: dict[str, dict[str, str]] = {}
    ordered = sorted(slugs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        for product in session.scalars(_with_rows(select(Product).where(Product.slug.in_(chunk)))).all():
            found[product.slug] = _row_of(product)
    return found


def import_rows(
    session: Session, rows: Iterable[tuple[int, ProductCreate]], progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Create new products and update existing ones by slug. Returns (created, updated)."""
    created = updated = 0
    for _line, data in rows:
        existing = session.scalar(select(Product).where(Product.slug == data.slug))
        if existing is None:
            create_product(session, data)
            created += 1
        else:
            update_product(session, existing, ProductUpdate.model_validate(data.model_dump(exclude={"slug"})))
            updated += 1
        if progress:
            progress(1)
    return created, updated


def _with_rows(statement):
    return statement.options(
        selectinload(Product.category),
        selectinload(Product.attributions).selectinload(ProductWeaver.weaver),
    )


def _row_of(p: Product) -> dict[str, str]:
    digits = minor_digits("MXN")
    row = {name: getattr(p, name) or "" for name in TEXTS}
    row.update(
        slug=p.slug,
        category=p.category.slug,
        status=p.status.value,
        kind=p.kind.value,
        price_mxn=f"{Decimal(p.price_amount).scaleb(-digits):.{digits}f}",
        stock_on_hand=str(p.stock_on_hand),
        deposit_percent=_bp_to_percent(p.deposit_bp) if p.deposit_bp is not None else "",
        weavers="; ".join(
            f"{a.weaver.slug}:{_bp_to_percent(a.share_bp)}"
            for a in sorted(p.attributions, key=lambda a: (-a.share_bp, a.weaver.slug))
        ),
    )
    for name in OPTIONAL_INTS:
        if name != "stock_on_hand":
            value = getattr(p, name)
            row[name] = "" if value is None else str(value)
    return row


def export_products(session: Session, handle: IO[str]) -> int:
    writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    products = session.scalars(_with_rows(select(Product).order_by(Product.id))).all()
    for product in products:
        writer.writerow({name: safe_cell(value) for name, value in _row_of(product).items()})
    return len(products)
