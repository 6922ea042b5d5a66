"""Changes to the catalogue. Every rule about what a valid product is lives here, for every entry point."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shop.catalogue.models import (
    Category,
    Image,
    Product,
    ProductImage,
    ProductKind,
    ProductWeaver,
    Weaver,
)
from shop.catalogue.schemas import CategoryCreate, ProductCreate, ProductFields, ProductUpdate, WeaverCreate
from shop.clock import utcnow
from shop.errors import N_, Conflict, DomainError, NotFound, ValidationFailed
from shop.money import BASIS_POINTS


def create_category(session: Session, data: CategoryCreate) -> Category:
    if session.scalar(select(Category.id).where(Category.slug == data.slug)) is not None:
        raise Conflict(N_("A category with the address “%(slug)s” already exists."), field="slug", slug=data.slug)
    category = Category(**data.model_dump())
    session.add(category)
    session.flush()
    return category


def create_weaver(session: Session, data: WeaverCreate, photo: Image | None = None) -> Weaver:
    if session.scalar(select(Weaver.id).where(Weaver.slug == data.slug)) is not None:
        raise Conflict(N_("A weaver with the address “%(slug)s” already exists."), field="slug", slug=data.slug)
    if data.consent_to_publish and data.consent_date is None:
        raise ValidationFailed(N_("Record the date she gave her consent."), field="consent_date")
    values = data.model_dump(exclude={"languages"})
    weaver = Weaver(**values, languages=",".join(data.languages), photo_id=photo.id if photo else None)
    session.add(weaver)
    session.flush()
    return weaver


def product_problems(session: Session, data: ProductFields) -> list[DomainError]:
    """Every business rule the product breaks, so a person can fix them all in one go."""
    problems: list[DomainError] = []
    if session.get(Category, data.category_id) is None:
        problems.append(ValidationFailed(N_("Choose a category that exists."), field="category_id"))

    weaver_ids = [a.weaver_id for a in data.weavers]
    if len(set(weaver_ids)) != len(weaver_ids):
        problems.append(ValidationFailed(N_("Each weaver can be listed only once per piece."), field="weavers"))
    found = set(session.scalars(select(Weaver.id).where(Weaver.id.in_(weaver_ids))).all())
    missing = sorted(set(weaver_ids) - found)
    if missing:
        problems.append(
            ValidationFailed(N_("Unknown weaver: %(ids)s."), field="weavers", ids=", ".join(str(i) for i in missing))
        )
    total = sum(a.share_bp for a in data.weavers)
    if total != BASIS_POINTS:
        problems.append(
            ValidationFailed(
                N_("The weavers' shares must add up to 100%%; they add up to %(percent)s%%."),
                field="weavers",
                percent=_percent(total),
            )
        )

    if data.kind is ProductKind.unique and data.stock_on_hand > 1:
        problems.append(
            ValidationFailed(N_("A one-of-a-kind piece can have a stock of 0 or 1."), field="stock_on_hand")
        )
    if data.kind is ProductKind.made_to_order:
        if data.lead_time_days is None:
            problems.append(
                ValidationFailed(N_("Say how many days it takes to make this piece."), field="lead_time_days")
            )
        if data.deposit_bp is None:
            problems.append(ValidationFailed(N_("Say what deposit is due when it is ordered."), field="deposit_bp"))
    else:
        if data.lead_time_days is not None:
            problems.append(ValidationFailed(N_("Only made-to-order pieces have a lead time."), field="lead_time_days"))
        if data.deposit_bp is not None:
            problems.append(ValidationFailed(N_("Only made-to-order pieces take a deposit."), field="deposit_bp"))
    return problems


def _percent(basis_points: int) -> str:
    whole, rest = divmod(basis_points, 100)
    return f"{whole}" if rest == 0 else f"{whole}.{rest:02d}".rstrip("0")


def _raise_problems(problems: list[DomainError]) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise problems[0]
    raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)


def create_product(session: Session, data: ProductCreate) -> Product:
    problems = product_problems(session, data)
    if session.scalar(select(Product.id).where(Product.slug == data.slug)) is not None:
        problems.insert(
            0,
            Conflict(N_("A product with the address “%(slug)s” already exists."), field="slug", slug=data.slug),
        )
    _raise_problems(problems)
    product = Product(**data.model_dump(exclude={"weavers"}))
    product.attributions = [ProductWeaver(weaver_id=a.weaver_id, share_bp=a.share_bp) for a in data.weavers]
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, product: Product, data: ProductUpdate) -> Product:
    _raise_problems(product_problems(session, data))
    for name, value in data.model_dump(exclude={"weavers"}).items():
        setattr(product, name, value)
    _replace_attributions(session, product, data)
    product.updated_at = utcnow()
    session.flush()
    return product


def _replace_attributions(session: Session, product: Product, data: ProductFields) -> None:
    current = {
        a.weaver_id: a
        for a in session.scalars(select(ProductWeaver).where(ProductWeaver.product_id == product.id)).all()
    }
    wanted = {a.weaver_id: a.share_bp for a in data.weavers}
    for weaver_id, row in current.items():
        if weaver_id not in wanted:
            session.delete(row)
    for weaver_id, share in wanted.items():
        if weaver_id in current:
            current[weaver_id].share_bp = share
        else:
            session.add(ProductWeaver(product_id=product.id, weaver_id=weaver_id, share_bp=share))


def get_product_for_edit(session: Session, slug: str) -> Product:
    product = session.scalar(
        select(Product)
        .where(Product.slug == slug)
        .options(selectinload(Product.attributions), selectinload(Product.images).selectinload(ProductImage.image))
    )
    if product is None:
        raise NotFound(N_("There is no product at “%(slug)s”."), slug=slug)
    return product


def add_product_image(
    session: Session, product: Product, image: Image, *, alt_es: str = "", alt_en: str = ""
) -> ProductImage:
    position = session.scalar(
        select(func.coalesce(func.max(ProductImage.position) + 1, 0)).where(ProductImage.product_id == product.id)
    )
    link = ProductImage(
        product_id=product.id,
        image_id=image.id,
        position=position,
        alt_es=alt_es.strip()[:300],
        alt_en=alt_en.strip()[:300],
    )
    session.add(link)
    product.updated_at = utcnow()
    session.flush()
    return link


def category_by_slug(session: Session, slug: str) -> Category | None:
    return session.scalar(select(Category).where(Category.slug == slug))


def weaver_by_slug(session: Session, slug: str) -> Weaver | None:
    return session.scalar(select(Weaver).where(Weaver.slug == slug))
