"""The store's own pages, its contact details and the home page's chosen pictures."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit.log import track
from shop.catalogue.revision import shown_in_store
from shop.models_base import created_at_field


class PageSlug(StrEnum):
    contact = "contact"
    shipping = "shipping"
    returns = "returns"
    about = "about"
    terms = "terms"
    privacy = "privacy"


class StorePage(SQLModel, table=True):
    """One page in one store language; Markdown without HTML, so an admin cannot break the page or inject script."""

    __tablename__ = "store_pages"
    __table_args__ = (sa.UniqueConstraint("slug", "lang"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: PageSlug = Field(sa_type=sa.String(20))
    lang: str = Field(max_length=2)
    title: str = Field(max_length=120)
    body: str = Field(max_length=20_000)
    updated_at: datetime = created_at_field()


class ContactDetails(SQLModel, table=True):
    """The one row of how buyers reach the cooperative; the contact page and the aviso de privacidad (which must
    name who is responsible for the data and where) both read it."""

    __tablename__ = "contact_details"

    id: int | None = Field(default=None, primary_key=True)
    legal_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    whatsapp: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=400)
    updated_at: datetime = created_at_field()


class FrontPicture(SQLModel, table=True):
    """A picture the admin chose for a place on the home page: ``hero``, or ``category:<id>`` for a category's
    tile. Nothing reaches the front page by being the newest upload."""

    __tablename__ = "front_pictures"

    id: int | None = Field(default=None, primary_key=True)
    place: str = Field(max_length=40, unique=True)
    category_id: int | None = Field(default=None, foreign_key="categories.id", ondelete="CASCADE")
    image_id: int = Field(foreign_key="images.id", ondelete="CASCADE")
    alt_es: str = Field(max_length=200)
    alt_en: str = Field(max_length=200)
    chosen_at: datetime = created_at_field()


track(StorePage, ContactDetails, FrontPicture)
shown_in_store(StorePage, ContactDetails, FrontPicture)
