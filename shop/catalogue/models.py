"""Catalogue tables: weavers, categories, products, their images and who wove them."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from shop.audit import track
from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum


class ProductKind(StrEnum):
    unique = "unique"
    series = "series"
    made_to_order = "made_to_order"


class ProductStatus(StrEnum):
    draft = "draft"
    active = "active"
    sold_out = "sold_out"
    archived = "archived"


# Statuses a buyer may see; drafts and archived pieces stay in the back office.
PUBLIC_STATUSES = (ProductStatus.active, ProductStatus.sold_out)


class Image(SQLModel, table=True):
    """An uploaded original; thumbnails are derived from it and named after its key."""

    __tablename__ = "images"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    original_ext: str = Field(max_length=8)
    width: int
    height: int
    size_bytes: int
    # Which set of thumbnails (widths and formats, shop.catalogue.images.VARIANTS) exists for it: set once they
    # are written, so a page never links a file that is not there. 1 is the first set (WebP at 320, 640, 1280).
    variants: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = created_at_field()


class HeldUpload(SQLModel, table=True):
    """A photo chosen on the new-piece form, held privately until the piece is saved (or a day has passed).

    The form names it by ``token`` (unguessable) in a hidden field, so a mistake in the form never loses it.
    Its files live under the media folder's private ``held`` folder, never served to the public.
    """

    __tablename__ = "held_uploads"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    original_ext: str = Field(max_length=8)
    file_name: str = Field(max_length=200)
    size_bytes: int
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


class Category(SQLModel, table=True):
    __tablename__ = "categories"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name_es: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    description_es: str = Field(default="", max_length=500)
    description_en: str = Field(default="", max_length=500)
    position: int = Field(default=0)

    products: list["Product"] = Relationship(back_populates="category", sa_relationship_kwargs={"lazy": "raise"})


class Weaver(SQLModel, table=True):
    __tablename__ = "weavers"
    __table_args__ = (
        sa.CheckConstraint("NOT consent_to_publish OR consent_date IS NOT NULL", name="consent_has_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=120)
    community: str = Field(max_length=120)
    municipio: str = Field(max_length=120)
    # ISO 639 codes, comma separated, e.g. "tzo,es".
    languages: str = Field(default="tzo,es", max_length=60)
    bio_es: str = Field(default="", max_length=4000)
    bio_en: str = Field(default="", max_length=4000)
    photo_id: int | None = Field(default=None, foreign_key="images.id", ondelete="SET NULL")
    consent_to_publish: bool = Field(default=False)
    consent_date: date | None = None
    created_at: datetime = created_at_field()

    photo: Image | None = Relationship(sa_relationship_kwargs={"lazy": "raise"})
    attributions: list["ProductWeaver"] = Relationship(
        back_populates="weaver", sa_relationship_kwargs={"lazy": "raise"}
    )


class ProductWeaver(SQLModel, table=True):
    """Who wove a piece and her share of it, in basis points; shares of a product sum to 10000."""

    __tablename__ = "product_weavers"
    __table_args__ = (sa.CheckConstraint("share_bp > 0 AND share_bp <= 10000", name="share_range"),)

    product_id: int = Field(foreign_key="products.id", primary_key=True, ondelete="CASCADE")
    weaver_id: int = Field(foreign_key="weavers.id", primary_key=True, ondelete="RESTRICT", index=True)
    share_bp: int

    product: "Product" = Relationship(back_populates="attributions", sa_relationship_kwargs={"lazy": "raise"})
    weaver: Weaver = Relationship(back_populates="attributions", sa_relationship_kwargs={"lazy": "raise"})


class ProductImage(SQLModel, table=True):
    __tablename__ = "product_images"

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", ondelete="CASCADE", index=True)
    image_id: int = Field(foreign_key="images.id", ondelete="RESTRICT", index=True)
    position: int = Field(default=0)
    alt_es: str = Field(default="", max_length=300)
    alt_en: str = Field(default="", max_length=300)

    image: Image = Relationship(sa_relationship_kwargs={"lazy": "raise"})
    product: "Product" = Relationship(back_populates="images", sa_relationship_kwargs={"lazy": "raise"})


class Product(SQLModel, table=True):
    __tablename__ = "products"
    __table_args__ = (
        sa.CheckConstraint("price_amount >= 0", name="price_not_negative"),
        sa.CheckConstraint("stock_on_hand >= 0", name="stock_not_negative"),
        sa.CheckConstraint("kind <> 'unique' OR stock_on_hand <= 1", name="unique_stock_at_most_one"),
        sa.CheckConstraint(
            "kind <> 'made_to_order' OR (lead_time_days IS NOT NULL AND deposit_bp IS NOT NULL)",
            name="made_to_order_terms",
        ),
        sa.CheckConstraint("deposit_bp IS NULL OR (deposit_bp >= 0 AND deposit_bp <= 10000)", name="deposit_range"),
        sa.CheckConstraint("lead_time_days IS NULL OR lead_time_days > 0", name="lead_time_positive"),
        # One index per listing order (see browse.list_public_products), so pages never sort the catalogue.
        sa.Index("ix_products_listing_newest", "status", sa.desc("created_at"), sa.desc("id")),
        sa.Index("ix_products_listing_price", "status", "price_amount", "id"),
        sa.Index("ix_products_listing_price_desc", "status", sa.desc("price_amount"), sa.desc("id")),
        sa.Index("ix_products_listing_category", "category_id", "status", sa.desc("created_at"), sa.desc("id")),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    category_id: int = Field(foreign_key="categories.id", ondelete="RESTRICT")
    title_es: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    description_es: str = Field(default="", max_length=5000)
    description_en: str = Field(default="", max_length=5000)
    technique_es: str = Field(default="", max_length=200)
    technique_en: str = Field(default="", max_length=200)
    materials_es: str = Field(default="", max_length=300)
    materials_en: str = Field(default="", max_length=300)
    dyes_es: str = Field(default="", max_length=300)
    dyes_en: str = Field(default="", max_length=300)
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    weight_g: int | None = None
    hours_of_work: int | None = None
    price_amount: int
    currency: str = Field(default="MXN", max_length=3)
    kind: ProductKind = Field(sa_type=str_enum(ProductKind, "product_kind"), nullable=False)
    lead_time_days: int | None = None
    deposit_bp: int | None = None
    stock_on_hand: int = Field(default=0)
    status: ProductStatus = Field(
        default=ProductStatus.draft, sa_type=str_enum(ProductStatus, "product_status"), nullable=False
    )
    created_at: datetime = created_at_field()
    updated_at: datetime = created_at_field()

    category: Category = Relationship(back_populates="products", sa_relationship_kwargs={"lazy": "raise"})
    images: list[ProductImage] = Relationship(
        back_populates="product",
        sa_relationship_kwargs={
            "lazy": "raise",
            "order_by": "ProductImage.position, ProductImage.id",
            "cascade": "all, delete-orphan",
        },
    )
    attributions: list[ProductWeaver] = Relationship(
        back_populates="product",
        sa_relationship_kwargs={"lazy": "raise", "cascade": "all, delete-orphan"},
    )


class CatalogueRevision(SQLModel, table=True):
    """One row counting catalogue changes, so every worker's page cache knows when it is out of date."""

    __tablename__ = "catalogue_revision"

    id: int = Field(default=1, primary_key=True)
    revision: int = Field(default=0)
    changed_at: datetime = created_at_field()


class ReservationStatus(StrEnum):
    active = "active"
    converted = "converted"  # became a sale: the stock was taken
    released = "released"  # expired or cancelled: the stock is free again


class StockReservation(SQLModel, table=True):
    """Stock held for an order until it is paid or the hold expires.

    Availability is stock on hand less active, unexpired holds, so an expired hold stops counting at once,
    before any job has released it.
    """

    __tablename__ = "stock_reservations"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.Index("ix_stock_reservations_product_active", "product_id", "status", "expires_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", ondelete="RESTRICT")
    order_id: int = Field(foreign_key="orders.id", ondelete="RESTRICT", index=True)
    # Whom the hold is for, as members are told when they try to take the piece: copied from the order when the
    # hold is made, so the catalogue reads its own table and never the orders'.
    order_number: str = Field(default="", max_length=20)
    buyer: str = Field(default="", max_length=200)
    quantity: int
    status: ReservationStatus = Field(
        default=ReservationStatus.active, sa_type=str_enum(ReservationStatus, "reservation_status"), nullable=False
    )
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = created_at_field()
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StockReason(StrEnum):
    count_correction = "count_correction"
    sold_in_person = "sold_in_person"  # only with the in-person sale (order) that took the units
    damaged = "damaged"
    returned = "returned"
    new_stock = "new_stock"
    # Taken off the shelf as "sold in person" before such sales were recorded as sales (no order, no ledger).
    sold_unrecorded = "sold_unrecorded"


class StockMovement(SQLModel, table=True):
    """Every change of stock made by hand or by a sale in person, with its reason and who made it."""

    __tablename__ = "stock_movements"
    __table_args__ = (sa.CheckConstraint("reason <> 'sold_in_person' OR order_id IS NOT NULL", name="sale_has_order"),)

    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id", ondelete="CASCADE", index=True)
    delta: int
    stock_after: int
    reason: StockReason = Field(sa_type=str_enum(StockReason, "stock_reason"), nullable=False)
    # The in-person sale that took the units (reason sold_in_person).
    order_id: int | None = Field(default=None, foreign_key="orders.id", ondelete="RESTRICT", index=True)
    note: str = Field(default="", max_length=300)
    actor: str = Field(max_length=120)
    created_at: datetime = created_at_field()


# The audit log keeps every change a person makes to these tables.
track(Category, Weaver, Product, ProductWeaver, ProductImage, StockMovement)
