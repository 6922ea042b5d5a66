"""A marketplace's fee schedule from a date, with its source, and the day's exchange rate of a currency."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.catalogue.revision import shown_in_store
from shop.models_base import created_at_field, str_enum


class Marketplace(StrEnum):
    ebay = "ebay"
    etsy = "etsy"


class FeeSchedule(SQLModel, table=True):
    """Fees charged on the order's total including shipping: a rate, a fixed fee per order (a lower one at or
    below a threshold), and a fee per listing; fixed amounts in ``currency``'s minor units."""

    __tablename__ = "fee_schedules"
    __table_args__ = (
        sa.UniqueConstraint("marketplace", "valid_from"),
        sa.CheckConstraint("rate_bp BETWEEN 0 AND 10000", name="rate"),
        sa.CheckConstraint("order_fee >= 0 AND listing_fee >= 0", name="fees"),
    )

    id: int | None = Field(default=None, primary_key=True)
    marketplace: Marketplace = Field(sa_type=str_enum(Marketplace, "marketplace"), nullable=False)
    valid_from: date
    rate_bp: int  # of the total including shipping
    order_fee: int = 0  # per order, above the threshold
    order_fee_at_or_below: int | None = None  # per order, at or below the threshold
    threshold: int | None = None  # the order total that decides the fee per order
    listing_fee: int = 0  # per line sold
    currency: str = Field(default="USD", max_length=3)
    source: str = Field(max_length=300)
    created_at: datetime = created_at_field()


class ExchangeRate(SQLModel, table=True):
    """Pesos for one unit of a currency on a day (the Banco de México FIX, for instance), in millionths."""

    __tablename__ = "exchange_rates"
    __table_args__ = (sa.UniqueConstraint("day", "currency"), sa.CheckConstraint("mxn_micro > 0", name="positive"))

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    currency: str = Field(max_length=3)
    mxn_micro: int = Field(sa_type=sa.BigInteger)  # 17.2345 pesos a dollar: 17_234_500
    source: str = Field(default="", max_length=200)
    created_at: datetime = created_at_field()


track(FeeSchedule, ExchangeRate)
# The store's approximate prices come from the newest rates.
shown_in_store(ExchangeRate)
