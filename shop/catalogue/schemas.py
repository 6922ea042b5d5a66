"""Request shapes for the catalogue, kept apart from the tables so clients cannot set what they must not."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shop.catalogue.models import ProductKind, ProductStatus

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=SLUG_PATTERN)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Medium = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Millimetres = Annotated[int, Field(gt=0, le=100_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryCreate(_Strict):
    slug: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=SLUG_PATTERN)]
    name_es: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    name_en: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    description_es: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    description_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    position: int = 0


class WeaverCreate(_Strict):
    slug: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80, pattern=SLUG_PATTERN)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    community: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    municipio: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=lambda: ["tzo", "es"], min_length=1, max_length=10
    )
    bio_es: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    bio_en: Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)] = ""
    consent_to_publish: bool = False
    consent_date: date | None = None


class AttributionIn(_Strict):
    weaver_id: int
    share_bp: Annotated[int, Field(gt=0, le=10_000)]


class ProductFields(_Strict):
    """Everything about a product except its identity; shared by create and update."""

    category_id: int
    title_es: Title
    title_en: Title
    description_es: Long = ""
    description_en: Long = ""
    technique_es: Short = ""
    technique_en: Short = ""
    materials_es: Medium = ""
    materials_en: Medium = ""
    dyes_es: Medium = ""
    dyes_en: Medium = ""
    length_mm: Millimetres | None = None
    width_mm: Millimetres | None = None
    height_mm: Millimetres | None = None
    weight_g: Annotated[int, Field(gt=0, le=100_000)] | None = None
    hours_of_work: Annotated[int, Field(gt=0, le=100_000)] | None = None
    price_amount: Annotated[int, Field(ge=0, le=100_000_000)]
    kind: ProductKind
    lead_time_days: Annotated[int, Field(gt=0, le=730)] | None = None
    deposit_bp: Annotated[int, Field(ge=0, le=10_000)] | None = None
    stock_on_hand: Annotated[int, Field(ge=0, le=100_000)] = 0
    status: ProductStatus = ProductStatus.draft
    weavers: list[AttributionIn] = Field(min_length=1, max_length=20)


class ProductCreate(ProductFields):
    slug: Slug


class ProductUpdate(ProductFields):
    """A full replacement of the editable fields; the slug stays, so shared links keep working."""


# Read models: what the JSON API returns. Each product item carries everything its page shows.


class Localized(BaseModel):
    es: str
    en: str


class PriceRead(BaseModel):
    amount: int = Field(description="Minor units (centavos for MXN)")
    currency: str
    formatted: Localized


class ApproximatePriceRead(BaseModel):
    amount: int = Field(description="Minor units of the display currency; an approximation, never charged")
    currency: str
    rate: str = Field(description="Units of the product's currency per one unit of this currency")
    rate_date: date
    formatted: Localized


class AvailabilityRead(BaseModel):
    state: str = Field(description="one_of_a_kind, in_stock, made_to_order or sold_out")
    quantity: int
    lead_time_days: int | None = None
    deposit_bp: int | None = None
    buyable: bool
    label: Localized
    schema_org: str


class ThumbnailRead(BaseModel):
    width: int
    url: str


class ImageRead(BaseModel):
    url: str
    width: int
    height: int
    alt: Localized
    thumbnails: list[ThumbnailRead]
    srcset: str


class CategoryRead(BaseModel):
    slug: str
    name: Localized
    description: Localized
    product_count: int
    url: Localized


class CategoryRef(BaseModel):
    slug: str
    name: Localized


class WeaverRead(BaseModel):
    slug: str
    name: str
    community: str
    municipio: str
    languages: list[str]
    bio: Localized
    photo: ImageRead | None
    url: Localized


class DimensionsRead(BaseModel):
    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    text: Localized | None


class FairTradeClaimRead(BaseModel):
    scheme: str
    kind: str = Field(description="product: the piece is certified; organisation: the cooperative is verified")
    certificate: str = Field(description="The certificate or membership number the claim rests on")
    wording: Localized = Field(description="The scheme's own words for the claim")


class ProductRead(BaseModel):
    slug: str
    url: Localized
    title: Localized
    description: Localized
    technique: Localized
    materials: Localized
    natural_dyes: Localized
    dimensions: DimensionsRead
    weight_g: int | None
    hours_of_work: int | None
    kind: ProductKind
    status: ProductStatus
    price: PriceRead
    approximate_prices: list[ApproximatePriceRead]
    availability: AvailabilityRead
    deposit: PriceRead | None
    category: CategoryRef
    images: list[ImageRead]
    weavers: list[WeaverRead] = Field(description="Only weavers who consented to be shown")
    woven_by: Localized
    fair_trade: list[FairTradeClaimRead] = Field(
        default_factory=list, description="Only while the certification records make the claim true today"
    )
    updated_at: datetime


class ProductPageRead(BaseModel):
    items: list[ProductRead]
    total: int
    more: bool = Field(
        default=False, description="A search found more pieces than it counts: `total` (1000) is then a lower bound."
    )
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None
