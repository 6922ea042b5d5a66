"""Reading and changing the store's pages, contact details and front pictures. Services flush; the request commits."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from shop.catalogue.models import PUBLIC_STATUSES, Category, Image, Product, ProductImage
from shop.clock import utcnow
from shop.errors import N_, NotFound, ValidationFailed
from shop.storefront.models import ContactDetails, FrontPicture, PageSlug, StorePage

LANGUAGES = ("es", "en")
TITLE_MAX = 120
BODY_MAX = 20_000
ALT_MAX = 200
HERO = "hero"
# What a WhatsApp number may look like as typed: "+52 967 123 4567", "(967) 123-4567".
WHATSAPP_TYPED = re.compile(r"^\+?[\d\s().-]+$")


def page(session: Session, slug: PageSlug, lang: str) -> StorePage:
    found = session.scalar(sa.select(StorePage).where(StorePage.slug == slug, StorePage.lang == lang))
    if found is None:
        raise NotFound(N_("This page does not exist."))
    return found


def pages(session: Session) -> dict[tuple[str, str], StorePage]:
    return {(p.slug, p.lang): p for p in session.scalars(sa.select(StorePage))}


def _text(value: str, field: str, limit: int, problems: list[ValidationFailed], *, required: bool = True) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not value:
        problems.append(ValidationFailed(N_("This is required."), field=field))
    elif len(value) > limit:
        problems.append(ValidationFailed(N_("Use at most %(max_length)s characters."), field=field, max_length=limit))
    return value


def _refuse(problems: list[ValidationFailed]) -> None:
    if problems:
        raise ValidationFailed(problems[0].message, field=problems[0].field, errors=problems, **problems[0].params)


def save_page(session: Session, slug: PageSlug, texts: dict[str, tuple[str, str]]) -> None:
    """Both languages at once, so the Spanish and English pages never say different things for long.
    ``texts`` maps a language to its (title, body)."""
    problems: list[ValidationFailed] = []
    clean = {}
    for lang in LANGUAGES:
        title, body = texts.get(lang, ("", ""))
        clean[lang] = (
            _text(title, f"title_{lang}", TITLE_MAX, problems),
            _text(body, f"body_{lang}", BODY_MAX, problems),
        )
    _refuse(problems)
    for lang, (title, body) in clean.items():
        row = session.scalar(sa.select(StorePage).where(StorePage.slug == slug, StorePage.lang == lang))
        if row is None:
            row = StorePage(slug=slug, lang=lang, title=title, body=body)
            session.add(row)
        elif (row.title, row.body) != (title, body):
            row.title, row.body, row.updated_at = title, body, utcnow()
    session.flush()


def contact(session: Session) -> ContactDetails:
    """The one row; an empty one when the migration's was somehow removed."""
    return session.scalar(sa.select(ContactDetails).order_by(ContactDetails.id).limit(1)) or ContactDetails()


def whatsapp_digits(number: str) -> str:
    return re.sub(r"\D", "", number or "")


def save_contact(session: Session, *, legal_name: str, email: str, whatsapp: str, address: str) -> ContactDetails:
    problems: list[ValidationFailed] = []
    legal_name = _text(legal_name, "legal_name", 200, problems)
    email = _text(email, "email", 254, problems)
    if email and not any(p.field == "email" for p in problems):
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append(ValidationFailed(N_("Enter a valid email address."), field="email"))
    whatsapp = _text(whatsapp, "whatsapp", 20, problems, required=False)
    if whatsapp and not (WHATSAPP_TYPED.match(whatsapp) and 8 <= len(whatsapp_digits(whatsapp)) <= 15):
        problems.append(
            ValidationFailed(
                N_("Write the WhatsApp number with its country code, such as +52 967 123 4567."), field="whatsapp"
            )
        )
    address = _text(address, "address", 400, problems)
    _refuse(problems)
    row = session.scalar(sa.select(ContactDetails).order_by(ContactDetails.id).limit(1))
    if row is None:
        row = ContactDetails()
        session.add(row)
    if (row.legal_name, row.email, row.whatsapp, row.address) != (legal_name, email, whatsapp, address):
        row.legal_name, row.email, row.whatsapp, row.address = legal_name, email, whatsapp, address
        row.updated_at = utcnow()
    session.flush()
    return row


@dataclass(frozen=True)
class Chosen:
    place: str
    image: Image
    alt_es: str
    alt_en: str


def category_place(category_id: int) -> str:
    return f"category:{category_id}"


def front_pictures(session: Session) -> dict[str, Chosen]:
    rows = session.execute(sa.select(FrontPicture, Image).join(Image, Image.id == FrontPicture.image_id)).all()
    return {pic.place: Chosen(pic.place, image, pic.alt_es, pic.alt_en) for pic, image in rows}


def _shown_photos(category_id: int | None):
    query = (
        sa.select(Image, Product.title_es)
        .join(ProductImage, ProductImage.image_id == Image.id)
        .join(Product, Product.id == ProductImage.product_id)
        .where(Product.status.in_(PUBLIC_STATUSES))
    )
    return query if category_id is None else query.where(Product.category_id == category_id)


def photo_choices(session: Session, category_id: int | None = None, limit: int = 60) -> list[tuple[Image, str]]:
    """Photos of pieces the store shows (of one category when given), newest first, each with its piece's
    Spanish title to tell them apart."""
    query = _shown_photos(category_id).order_by(Image.created_at.desc(), Image.id.desc()).limit(limit)
    seen: dict[int, tuple[Image, str]] = {}
    for image, title in session.execute(query):
        seen.setdefault(image.id, (image, title))
    return list(seen.values())


def choose_picture(session: Session, place: str, image_id: int, alt_es: str, alt_en: str) -> FrontPicture:
    """Only a photo of a piece the store shows may be chosen, so the front page never shows a private upload."""
    category_id = None
    if place != HERO:
        category_id = int(place.removeprefix("category:")) if re.fullmatch(r"category:\d{1,9}", place) else None
        if category_id is None or session.get(Category, category_id) is None:
            raise NotFound(N_("This page does not exist."))
    problems: list[ValidationFailed] = []
    alt_es = _text(alt_es, "alt_es", ALT_MAX, problems)
    alt_en = _text(alt_en, "alt_en", ALT_MAX, problems)
    if session.execute(_shown_photos(category_id).where(Image.id == image_id).limit(1)).first() is None:
        problems.insert(0, ValidationFailed(N_("Choose one of the photos shown."), field="image_id"))
    _refuse(problems)
    row = session.scalar(sa.select(FrontPicture).where(FrontPicture.place == place))
    if row is None:
        row = FrontPicture(place=place, category_id=category_id, image_id=image_id, alt_es=alt_es, alt_en=alt_en)
        session.add(row)
    else:
        row.image_id, row.alt_es, row.alt_en, row.chosen_at = image_id, alt_es, alt_en, utcnow()
    session.flush()
    return row


def clear_picture(session: Session, place: str) -> None:
    row = session.scalar(sa.select(FrontPicture).where(FrontPicture.place == place))
    if row is not None:
        session.delete(row)
        session.flush()
