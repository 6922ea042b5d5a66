"""Inventory: the pieces, their photos, prices and stock. A member sees and changes only her own pieces.

Plain forms only. A form with a mistake comes back with status 422, every message next to its field, and
everything typed still there; nothing is written (the request's transaction is rolled back before the
form is shown again). Uploaded photo files that were already stored are harmless: files are named after
their content, and an unreferenced one is merely unused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import selectinload

from shop.accounts.models import Role
from shop.catalogue import service as catalogue
from shop.catalogue.images import ImageLimits, save_image
from shop.catalogue.models import (
    PUBLIC_STATUSES,
    Category,
    Image,
    Product,
    ProductImage,
    ProductKind,
    ProductStatus,
    ProductWeaver,
    StockMovement,
    StockReason,
    Weaver,
)
from shop.catalogue.schemas import ProductCreate, ProductUpdate
from shop.catalogue.stock import lock_products
from shop.catalogue.stock_changes import TAKES_AWAY, adjust_stock, change_status
from shop.clock import utcnow
from shop.errors import N_, DomainError, Forbidden, NotFound, ValidationFailed
from shop.i18n import translator
from shop.money import parse_amount
from shop.validation import describe
from shop.web.deps import SessionDep
from shop.web.store.shopping import _flash, check_csrf
from shop.web.workspace.auth import Signed, require
from shop.web.workspace.render import ws_render
from shop.web.workspace.scope import mine, sees_everything

router = APIRouter(prefix="/taller", include_in_schema=False)
# Members look after their own pieces; the treasurer, the council and admins after all of them.
Keeper = Annotated[Signed, Depends(require(Role.member, Role.treasurer, Role.council, Role.admin))]
Csrf = Annotated[str, Form(max_length=100)]
Short = Annotated[str, Form(max_length=1000)]
Long = Annotated[str, Form(max_length=20_000)]
Texts = Annotated[list[str], Form()]
Photos = Annotated[list[UploadFile], File()]

CURRENCY = "MXN"
PAGE_SIZE = 60
MAX_PHOTOS = 12
MAX_PRICE = 100_000_000  # centavos: the schema's limit, a million pesos
RESERVED_SLUGS = {"nuevo"}
STATUS_NAMES = {
    ProductStatus.draft: N_("Not published"),
    ProductStatus.active: N_("For sale"),
    ProductStatus.sold_out: N_("Sold out"),
    ProductStatus.archived: N_("Put away"),
}
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
}
STATUS_DONE = {
    ProductStatus.active: N_("Published: “%(title)s” is now for sale in the store."),
    ProductStatus.sold_out: N_("Published as sold out: “%(title)s” has none in stock."),
    ProductStatus.draft: N_("Taken down: buyers no longer see “%(title)s”."),
    ProductStatus.archived: N_("Put away: “%(title)s” is out of the store and of the daily list."),
}
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
# Where the schema's field names appear on the form.
FORM_FIELD = {
    "slug": "address",
    "price_amount": "price",
    "length_mm": "length_cm",
    "width_mm": "width_cm",
    "height_mm": "height_cm",
    "deposit_bp": "deposit_percent",
}


def may_choose_weavers(who: Signed) -> bool:
    return who.has(Role.council, Role.admin)


# ---------------------------------------------------------------------------------------------------------
# Reading what was typed


class Problems:
    """Messages by form field, in the person's language; the first one for a field wins."""

    def __init__(self, request: Request):
        self.t = translator(getattr(request.state, "lang", None) or "es")
        self.items: dict[str, str] = {}

    def add(self, name: str, message: str, **params) -> None:
        if name not in self.items:
            self.items[name] = self.t.gettext(message, **params)

    def add_error(self, exc: DomainError, name: str | None = None) -> None:
        nested = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
        for problem in nested:
            where = name or FORM_FIELD.get(problem.field or "", problem.field or "form")
            if where not in self.items:
                self.items[where] = problem.translated(self.t.gettext)

    def __contains__(self, name: str) -> bool:
        return name in self.items

    def __bool__(self) -> bool:
        return bool(self.items)


def _whole(text: str, name: str, problems: Problems) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,9}", text):
        problems.add(name, N_("Enter a whole number, such as 3."))
        return None
    return int(text)


def _scaled(
    text: str, name: str, problems: Problems, *, places: int, message: str, maximum: int, zero: bool = False
) -> int | None:
    """A decimal the person typed ("72.5") as an integer count of 10**-places (mm, basis points)."""
    text = (text or "").strip()
    if not text:
        return None
    if "," in text:
        # "72,5" or "1,200"? A comma could be either, so ask rather than guess.
        problems.add(name, N_("Use a point for decimals, such as 72.5, and no commas."))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or (value == 0 and not zero):
        problems.add(name, message)
        return None
    scaled = value.scaleb(places)
    if scaled != scaled.to_integral_value():
        problems.add(name, N_("Use at most %(digits)d decimal places."), digits=places)
        return None
    if value > maximum:
        problems.add(name, N_("Must be at most %(le)s."), le=maximum)
        return None
    return int(scaled)


def _centimetres(text: str, name: str, problems: Problems) -> int | None:
    return _scaled(text, name, problems, places=1, message=N_("Enter centimetres, such as 72 or 72.5."), maximum=10_000)


def _percent(text: str, name: str, problems: Problems, *, zero: bool = False) -> int | None:
    message = N_("Enter a percentage, such as 50 or 33.33.")
    return _scaled(text, name, problems, places=2, message=message, maximum=100, zero=zero)


def _plain_amount(centavos: int) -> str:
    pesos, cents = divmod(centavos, 100)
    return f"{pesos}" if cents == 0 else f"{pesos}.{cents:02d}"


def _plain_scaled(value: int | None, places: int) -> str:
    if value is None:
        return ""
    return format(Decimal(value).scaleb(-places).normalize(), "f")


def slugify(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:100].strip("-")


def _free_slug(session, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… whichever no other piece uses yet."""
    base = base or "pieza"
    taken = set(session.scalars(sa.select(Product.slug).where(Product.slug.like(f"{base}%"))).all())
    taken |= RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@dataclass
class ProductForm:
    values: dict[str, str]
    share_weaver: list[str]
    share_percent: list[str]

    def shares(self) -> dict[str, str]:
        """The percentage typed for each weaver id, as typed."""
        pairs = zip(self.share_weaver, self.share_percent, strict=False)
        return {w.strip(): p.strip() for w, p in pairs if w.strip()}


def product_form(
    address: Short = "",  # the piece's slug: its web address
    title_es: Short = "",
    title_en: Short = "",
    description_es: Long = "",
    description_en: Long = "",
    category_id: Short = "",
    technique_es: Short = "",
    technique_en: Short = "",
    materials_es: Short = "",
    materials_en: Short = "",
    dyes_es: Short = "",
    dyes_en: Short = "",
    length_cm: Short = "",
    width_cm: Short = "",
    height_cm: Short = "",
    weight_g: Short = "",
    hours_of_work: Short = "",
    price: Short = "",
    kind: Short = "",
    lead_time_days: Short = "",
    deposit_percent: Short = "",
    stock_on_hand: Short = "",
    alt_es: Short = "",
    alt_en: Short = "",
    share_weaver: Texts = (),
    share_percent: Texts = (),
) -> ProductForm:
    typed = locals()
    return ProductForm({name: typed[name] for name in TEXT_FIELDS}, list(share_weaver), list(share_percent))


TypedProduct = Annotated[ProductForm, Depends(product_form)]


def _price(text: str, problems: Problems) -> int | None:
    if not text.strip():
        problems.add("price", N_("Write the price in pesos."))
        return None
    if re.search(r",\d{1,2}$", text.strip()):
        # "1850,50" would otherwise read as 185,050 pesos: in Mexico the comma separates thousands.
        problems.add("price", N_("Use a point for the cents, such as 1850.50."))
        return None
    try:
        price = parse_amount(text, CURRENCY, field="price")
    except ValidationFailed as exc:
        problems.add_error(exc, "price")
        return None
    if price > MAX_PRICE:
        problems.add("price", N_("The price is too high: at most %(limit)s."), limit=problems.t.money(MAX_PRICE, "MXN"))
        return None
    return price


def _fields(form: ProductForm, problems: Problems, *, weavers: list[dict], stock: int | None) -> dict:
    """What the product schema takes, from what was typed; mistakes in the typing go to ``problems``.

    ``stock`` is the stock to keep when editing; when creating (None) it is read from the form.
    """
    v = form.values
    kind = v["kind"].strip()
    if kind not in ProductKind.__members__:
        problems.add("kind", N_("Choose what kind of piece it is."))
        kind = None
    if not v["title_es"].strip():
        problems.add("title_es", N_("Write the name of the piece."))
    data = {
        "category_id": _whole(v["category_id"], "category_id", problems),
        "title_es": v["title_es"],
        # A weaver who writes no English may leave it empty: the Spanish name stands in until it is translated.
        "title_en": v["title_en"].strip() or v["title_es"],
        "description_es": v["description_es"],
        "description_en": v["description_en"],
        "technique_es": v["technique_es"],
        "technique_en": v["technique_en"],
        "materials_es": v["materials_es"],
        "materials_en": v["materials_en"],
        "dyes_es": v["dyes_es"],
        "dyes_en": v["dyes_en"],
        "length_mm": _centimetres(v["length_cm"], "length_cm", problems),
        "width_mm": _centimetres(v["width_cm"], "width_cm", problems),
        "height_mm": _centimetres(v["height_cm"], "height_cm", problems),
        "weight_g": _whole(v["weight_g"], "weight_g", problems),
        "hours_of_work": _whole(v["hours_of_work"], "hours_of_work", problems),
        "price_amount": _price(v["price"], problems),
        "kind": kind,
        "weavers": weavers,
    }
    if data["category_id"] is None:
        problems.add("category_id", N_("Choose a category."))
    if kind == ProductKind.made_to_order:
        # Lead time and deposit belong to made-to-order pieces only; for other kinds they are ignored.
        data["lead_time_days"] = _whole(v["lead_time_days"], "lead_time_days", problems)
        data["deposit_bp"] = _percent(v["deposit_percent"], "deposit_percent", problems, zero=True)
    if stock is not None:
        data["stock_on_hand"] = stock
    elif kind == ProductKind.made_to_order:
        data["stock_on_hand"] = 0  # woven when ordered: nothing on the shelf
    else:
        counted = _whole(v["stock_on_hand"], "stock_on_hand", problems)
        if counted is None:
            problems.add("stock_on_hand", N_("Write how many you have (0 if none yet)."))
        data["stock_on_hand"] = counted
    return data


def _weavers_typed(form: ProductForm, problems: Problems) -> list[dict]:
    chosen = []
    for weaver_id, percent in form.shares().items():
        if not weaver_id.isdigit():
            continue
        share = _percent(percent, "weavers", problems, zero=True)
        if share:
            chosen.append({"weaver_id": int(weaver_id), "share_bp": share})
    if not chosen:
        problems.add("weavers", N_("Write the share of each weaver who made this piece."))
    return chosen


# Valid stand-ins for fields that failed, so the business rules can still be checked for everything else.
STAND_INS = {
    "category_id": 0,
    "title_es": "-",
    "title_en": "-",
    "price_amount": 0,
    "kind": ProductKind.series,
    "stock_on_hand": 0,
    "weavers": [{"weaver_id": 0, "share_bp": 10_000}],
}


def _validated(session, schema, data: dict, problems: Problems, *, stock_field: str = "stock_on_hand"):
    """The schema for ``data`` if every rule holds; otherwise None, with each problem next to its field.

    Every rule is checked in one go, so a person can fix all her mistakes at once: when a field is not
    valid, a stand-in takes its place while the rules about the other fields are checked.
    """
    where = {**FORM_FIELD, "stock_on_hand": stock_field}
    clean = {k: v for k, v in data.items() if v is not None}
    try:
        validated = schema.model_validate(clean)
    except ValidationError as exc:
        failed = set()
        for error in exc.errors():
            location = [str(part) for part in error.get("loc", ())]
            failed.add(location[0] if location else "")
            name = where.get(location[0], location[0]) if location else "form"
            if name not in problems:
                problems.items[name] = describe(error, problems.t)["message"]
        stand_in = {k: v for k, v in clean.items() if k not in failed}
        stand_in.update({k: STAND_INS[k] for k in failed if k in STAND_INS})
        try:
            validated = schema.model_validate(stand_in)
        except ValidationError:
            return None
    for problem in catalogue.product_problems(session, validated):
        problems.add_error(problem, where.get(problem.field or "", problem.field or "form"))
    return None if problems else validated


# ---------------------------------------------------------------------------------------------------------
# Photos


def _upload_size(upload: UploadFile) -> int:
    handle = upload.file
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def _save_photos(request: Request, session, uploads: list[UploadFile], problems: Problems) -> list[Image]:
    """Store every uploaded photo; a file that is not a usable photo is reported under ``photos``."""
    settings = request.app.state.settings
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    uploads = [u for u in uploads if u.filename or _upload_size(u)]
    if len(uploads) > MAX_PHOTOS:
        problems.add("photos", N_("Add at most %(count)d photos at a time."), count=MAX_PHOTOS)
        return []
    saved: list[Image] = []
    for upload in uploads:
        size = _upload_size(upload)
        try:
            if size > limits.max_bytes:
                # Refused from its size alone: a huge file is never read into memory.
                raise ValidationFailed(
                    N_("This photo is too large (%(size)s). The limit is %(limit)s."),
                    field="photos",
                    size=_megabytes(size),
                    limit=_megabytes(limits.max_bytes),
                )
            data = upload.file.read(limits.max_bytes + 1)
            saved.append(save_image(session, data, settings.media_dir, limits, field="photos"))
        except ValidationFailed as exc:
            problems.add(
                "photos",
                N_("“%(file)s”: %(problem)s"),
                file=(upload.filename or "?")[:80],
                problem=exc.translated(problems.t.gettext),
            )
            break
    return saved


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _link_photos(session, product: Product, images: list[Image], alt_es: str, alt_en: str) -> int:
    linked = set(session.scalars(sa.select(ProductImage.image_id).where(ProductImage.product_id == product.id)))
    added = 0
    for image in images:
        if image.id in linked:
            continue
        linked.add(image.id)
        catalogue.add_product_image(
            session, product, image, alt_es=alt_es or product.title_es, alt_en=alt_en or product.title_en
        )
        added += 1
    return added


# ---------------------------------------------------------------------------------------------------------
# Pages


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


def _form_page(
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
        movements, woven_by = [], []
    else:
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
            "may_choose_weavers": may_choose_weavers(who),
            "may_archive": who.has(Role.council, Role.admin),
            "public": product is not None and product.status in PUBLIC_STATUSES,
        },
        status_code=status,
    )


def _find(session, who: Signed, slug: str, *, lock: bool = False) -> Product:
    """The piece at ``slug`` if this person may look after it; anyone else's is simply not found."""
    product_id = session.scalar(mine(sa.select(Product.id).where(Product.slug == slug), who))
    if product_id is None:
        raise NotFound(N_("We could not find that piece."))
    if lock:
        lock_products(session, [product_id])
    return catalogue.get_product_for_edit(session, slug)


def _redirect(request: Request, url: str, message: str, kind: str = "ok", **params) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    _flash(request, response, message, kind, **params)
    return response


@router.get("/inventario")
def inventory(
    request: Request, session: SessionDep, who: Keeper, sin_foto: str = "", estado: str = "", pagina: str = ""
):
    no_photo = sin_foto == "1"
    status = ProductStatus(estado) if estado in ProductStatus.__members__ else None
    page = int(pagina) if pagina.isdigit() and 0 < int(pagina) < 100_000 else 1
    without_photo = ~sa.exists().where(ProductImage.product_id == Product.id)

    counts = dict(session.execute(mine(sa.select(Product.status, sa.func.count()).group_by(Product.status), who)).all())
    photoless = session.scalar(
        mine(
            sa.select(sa.func.count())
            .select_from(Product)
            .where(Product.status != ProductStatus.archived, without_photo),
            who,
        )
    )
    statement = mine(sa.select(Product), who)
    # Put-away pieces would only clutter the everyday list; they have their own filter.
    statement = statement.where(Product.status == status if status else Product.status != ProductStatus.archived)
    if no_photo:
        statement = statement.where(without_photo)
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.subquery())) or 0
    products = session.scalars(
        statement.options(selectinload(Product.images).selectinload(ProductImage.image))
        .order_by(Product.updated_at.desc(), Product.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return ws_render(
        request,
        "workspace/inventory.html",
        {
            "products": products,
            "counts": counts,
            "photoless": photoless or 0,
            "all_count": sum(n for s, n in counts.items() if s != ProductStatus.archived),
            "no_photo": no_photo,
            "status": status,
            "status_names": STATUS_NAMES,
            "status_order": (ProductStatus.active, ProductStatus.draft, ProductStatus.sold_out, ProductStatus.archived),
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
            "sees_all": sees_everything(who),
        },
    )


@router.get("/inventario/nuevo")
def new_piece(request: Request, session: SessionDep, who: Keeper):
    return _form_page(request, session, who, None)


@router.post("/inventario/nuevo")
def create_piece(
    request: Request, session: SessionDep, who: Keeper, form: TypedProduct, photos: Photos = (), csrf_token: Csrf = ""
):
    check_csrf(request, csrf_token)
    problems = Problems(request)
    v = form.values
    if may_choose_weavers(who):
        weavers = _weavers_typed(form, problems)
    elif who.user.weaver_id is not None:
        weavers = [{"weaver_id": who.user.weaver_id, "share_bp": 10_000}]
    else:
        problems.add("weavers", N_("Your account has no weaver profile. Ask the council to add this piece."))
        weavers = []
    data = _fields(form, problems, weavers=weavers, stock=None)
    typed_slug = slugify(v["address"])
    data["slug"] = typed_slug or _free_slug(session, slugify(v["title_es"]) or slugify(v["title_en"]))
    if typed_slug in RESERVED_SLUGS:
        problems.add("address", N_("A product with the address “%(slug)s” already exists."), slug=typed_slug)
    data["status"] = ProductStatus.draft
    validated = _validated(session, ProductCreate, data, problems)
    images = _save_photos(request, session, list(photos), problems)
    product = None
    if validated is not None and not problems:
        try:
            product = catalogue.create_product(session, validated)
            _link_photos(session, product, images, v["alt_es"].strip(), v["alt_en"].strip())
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        session.rollback()
        return _form_page(
            request,
            session,
            who,
            None,
            values=v,
            shares=form.shares(),
            errors=problems.items,
            photos_lost=bool(photos),
            status=422,
        )
    return _redirect(
        request,
        f"/taller/inventario/{product.slug}",
        N_("Saved. “%(title)s” is not published yet: check it, then press Publish."),
        title=product.title_es,
    )


@router.get("/inventario/{slug}")
def edit_piece(request: Request, session: SessionDep, who: Keeper, slug: str):
    return _form_page(request, session, who, _find(session, who, slug))


@router.post("/inventario/{slug}")
def save_piece(
    request: Request, session: SessionDep, who: Keeper, slug: str, form: TypedProduct, csrf_token: Csrf = ""
):
    check_csrf(request, csrf_token)
    product = _find(session, who, slug, lock=True)
    problems = Problems(request)
    if may_choose_weavers(who):
        weavers = _weavers_typed(form, problems)
    else:
        weavers = [{"weaver_id": a.weaver_id, "share_bp": a.share_bp} for a in product.attributions]
    # Stock changes only through the stock form, with a reason; here it stays as it is.
    data = _fields(form, problems, weavers=weavers, stock=product.stock_on_hand)
    data["status"] = product.status
    validated = _validated(session, ProductUpdate, data, problems, stock_field="kind")
    if validated is not None and not problems:
        try:
            catalogue.update_product(session, product, validated)
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        session.rollback()
        product = _find(session, who, slug)
        return _form_page(
            request,
            session,
            who,
            product,
            values=form.values,
            shares=form.shares(),
            errors=problems.items,
            status=422,
        )
    return _redirect(request, f"/taller/inventario/{slug}", N_("Changes saved."))


@router.post("/inventario/{slug}/fotos")
def add_photos(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    photos: Photos = (),
    alt_es: Short = "",
    alt_en: Short = "",
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    product = _find(session, who, slug, lock=True)
    problems = Problems(request)
    images = _save_photos(request, session, list(photos), problems)
    if not images and not problems:
        problems.add("photos", N_("Choose a photo first, or take one with the camera."))
    if problems:
        session.rollback()
        product = _find(session, who, slug)
        return _form_page(
            request,
            session,
            who,
            product,
            photo_errors=problems.items,
            photos_lost=bool(photos),
            status=422,
        )
    added = _link_photos(session, product, images, alt_es.strip(), alt_en.strip())
    return _redirect(
        request,
        f"/taller/inventario/{slug}",
        N_("Photos added: %(count)d. Look at them below."),
        count=added,
    )


def _photo(session, product: Product, link_id: int) -> ProductImage:
    link = session.get(ProductImage, link_id)
    if link is None or link.product_id != product.id:
        raise NotFound(N_("We could not find that photo."))
    return link


@router.post("/inventario/{slug}/fotos/{link_id}")
def describe_photo(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    link_id: int,
    alt_es: Short = "",
    alt_en: Short = "",
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    product = _find(session, who, slug)
    link = _photo(session, product, link_id)
    link.alt_es = alt_es.strip()[:300] or product.title_es
    link.alt_en = alt_en.strip()[:300] or product.title_en
    product.updated_at = utcnow()
    return _redirect(request, f"/taller/inventario/{slug}", N_("Photo description saved."))


@router.post("/inventario/{slug}/fotos/{link_id}/quitar")
def remove_photo(request: Request, session: SessionDep, who: Keeper, slug: str, link_id: int, csrf_token: Csrf = ""):
    check_csrf(request, csrf_token)
    product = _find(session, who, slug)
    session.delete(_photo(session, product, link_id))
    product.updated_at = utcnow()
    return _redirect(request, f"/taller/inventario/{slug}", N_("Photo removed."))


@router.post("/inventario/{slug}/estado")
def set_status(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    status: Annotated[str, Form(max_length=20)] = "",
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    product = _find(session, who, slug)
    if status not in (ProductStatus.active, ProductStatus.draft, ProductStatus.archived):
        raise ValidationFailed(N_("Choose Publish or Take down."), field="status")
    wanted = ProductStatus(status)
    if (wanted is ProductStatus.archived or product.status is ProductStatus.archived) and not who.has(
        Role.council, Role.admin
    ):
        raise Forbidden(N_("Only the council or an admin can put pieces away or bring them back."))
    got = change_status(session, product, wanted, now=utcnow())
    return _redirect(request, f"/taller/inventario/{slug}", STATUS_DONE[got], title=product.title_es)


@router.post("/inventario/{slug}/existencias")
def change_stock(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    reason: Annotated[str, Form(max_length=40)] = "",
    quantity: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    csrf_token: Csrf = "",
):
    check_csrf(request, csrf_token)
    product = _find(session, who, slug, lock=True)
    problems = Problems(request)
    chosen = StockReason(reason) if reason in StockReason.__members__ else None
    if chosen is None:
        problems.add("reason", N_("Choose why the stock changes."))
    count = _whole(quantity, "quantity", problems)
    if count is None and "quantity" not in problems:
        problems.add("quantity", N_("Write how many."))
    if not problems:
        if chosen is StockReason.count_correction:
            change = {"new_count": count}
        elif chosen in TAKES_AWAY:
            change = {"delta": -count}
        else:  # PUTS_BACK
            change = {"delta": count}
        try:
            movement = adjust_stock(
                session, product, **change, reason=chosen, note=note, actor=who.user.name, now=utcnow()
            )
        except ValidationFailed as exc:
            problems.add_error(exc)
    if problems:
        session.rollback()
        product = _find(session, who, slug)
        return _form_page(
            request,
            session,
            who,
            product,
            stock_values={"reason": reason, "quantity": quantity, "note": note},
            stock_errors=problems.items,
            status=422,
        )
    if product.status is ProductStatus.sold_out:
        message = N_("Stock saved: there are now %(count)d. The store shows the piece as sold out.")
    else:
        message = N_("Stock saved: there are now %(count)d.")
    return _redirect(request, f"/taller/inventario/{slug}", message, count=movement.stock_after)
