"""Adding a piece and editing its details: reading the product form, checking it, and saving it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, Request
from pydantic import ValidationError

from shop.api.http.deps import SessionDep, keep_writes_of_refusal
from shop.catalogue import held_uploads
from shop.catalogue import service as catalogue
from shop.catalogue.models import Product, ProductKind, ProductStatus
from shop.catalogue.schemas import ProductCreate, ProductUpdate
from shop.clock import utcnow
from shop.errors import N_, DomainError, ValidationFailed
from shop.money import parse_amount
from shop.validation import describe
from shop.web.workspace.form_reading import FORM_FIELD, Problems, read_centimetres, read_percent, read_whole
from shop.web.workspace.inventory import Keeper, Short, find_editable, redirect_saved
from shop.web.workspace.product_page import TEXT_FIELDS, form_again, form_page, may_choose_weavers
from shop.web.workspace.product_photos import MAX_PHOTOS, Photos, hold_photos, link_photos, photo_limits
from shop.web.workspace.uploads import SignedInFirst

router = APIRouter(prefix="/taller", include_in_schema=False, route_class=SignedInFirst)
Long = Annotated[str, Form(max_length=20_000)]
Texts = Annotated[list[str], Form()]

CURRENCY = "MXN"
MAX_PRICE = 100_000_000  # centavos: the schema's limit, a million pesos
RESERVED_SLUGS = {"nuevo"}


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
        "category_id": read_whole(v["category_id"], "category_id", problems),
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
        "length_mm": read_centimetres(v["length_cm"], "length_cm", problems),
        "width_mm": read_centimetres(v["width_cm"], "width_cm", problems),
        "height_mm": read_centimetres(v["height_cm"], "height_cm", problems),
        "weight_g": read_whole(v["weight_g"], "weight_g", problems),
        "hours_of_work": read_whole(v["hours_of_work"], "hours_of_work", problems),
        "price_amount": _price(v["price"], problems),
        "kind": kind,
        "weavers": weavers,
    }
    if data["category_id"] is None:
        problems.add("category_id", N_("Choose a category."))
    if kind == ProductKind.made_to_order:
        # Lead time and deposit belong to made-to-order pieces only; for other kinds they are ignored.
        data["lead_time_days"] = read_whole(v["lead_time_days"], "lead_time_days", problems)
        data["deposit_bp"] = read_percent(v["deposit_percent"], "deposit_percent", problems, zero=True)
    if stock is not None:
        data["stock_on_hand"] = stock
    elif kind == ProductKind.made_to_order:
        data["stock_on_hand"] = 0  # woven when ordered: nothing on the shelf
    else:
        counted = read_whole(v["stock_on_hand"], "stock_on_hand", problems)
        if counted is None:
            problems.add("stock_on_hand", N_("Write how many you have (0 if none yet)."))
        data["stock_on_hand"] = counted
    return data


def _weavers_typed(form: ProductForm, problems: Problems) -> list[dict]:
    chosen = []
    for weaver_id, percent in form.shares().items():
        if not weaver_id.isdigit():
            continue
        share = read_percent(percent, "weavers", problems, zero=True)
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


@router.get("/inventario/nuevo")
def new_piece(request: Request, session: SessionDep, who: Keeper):
    return form_page(request, session, who, None)


@router.post("/inventario/nuevo")
def create_piece(
    request: Request,
    session: SessionDep,
    who: Keeper,
    form: TypedProduct,
    photos: Photos = (),
    held: Texts = (),
    drop_held: Texts = (),
):
    """The photos chosen are held first (``shop.catalogue.held_uploads``), so when the form comes back with a
    mistake they come back too, as small pictures, and the next try sends only their tokens."""
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
    now, user_id = utcnow(), who.user.id
    kept = held_uploads.held_by(session, held, user_id=user_id, now=now)
    for dropped in [h for h in kept if h.token in set(drop_held)]:
        kept.remove(dropped)
        held_uploads.drop(session, dropped)
    kept += hold_photos(request, session, list(photos), problems, user_id=user_id)
    if len(kept) > MAX_PHOTOS:
        problems.add("photos", N_("Add at most %(count)d photos at a time."), count=MAX_PHOTOS)
    product = None
    if validated is not None and not problems:
        try:
            with session.begin_nested():
                product = catalogue.create_product(session, validated)
                files = request.app.state.files
                images = [held_uploads.take(session, h, files=files, limits=photo_limits(request)) for h in kept]
                link_photos(session, product, images, v["alt_es"].strip(), v["alt_en"].strip())
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        # Only the held photos were written (the piece's own writes went with their savepoint): keep them.
        keep_writes_of_refusal(request)
        return form_page(
            request, session, who, None, values=v, shares=form.shares(), errors=problems.items, held=kept, status=422
        )
    return redirect_saved(
        request,
        f"/taller/inventario/{product.slug}",
        N_("Saved. “%(title)s” is not published yet: check it, then press Publish."),
        title=product.title_es,
    )


@router.get("/inventario/{slug}")
def edit_piece(request: Request, session: SessionDep, who: Keeper, slug: str):
    return form_page(request, session, who, find_editable(session, who, slug))


@router.post("/inventario/{slug}")
def save_piece(request: Request, session: SessionDep, who: Keeper, slug: str, form: TypedProduct):
    product = find_editable(session, who, slug, lock=True)
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
        return form_again(
            request,
            session,
            who,
            slug,
            values=form.values,
            shares=form.shares(),
            errors=problems.items,
        )
    return redirect_saved(request, f"/taller/inventario/{slug}", N_("Changes saved."))
