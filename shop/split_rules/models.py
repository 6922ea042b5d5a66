"""The split rule table: read by orders (to snapshot a line's share) and set from the workspace.

It lives apart from both orders and the ledger so that either may read it without importing the other.
"""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.models_base import created_at_field, str_enum


class SplitScope(StrEnum):
    default = "default"
    category = "category"
    product = "product"


class SplitRule(SQLModel, table=True):
    """How a sale is shared: the weavers' part in basis points, the rest to the cooperative fund.

    The most specific rule wins: a product's, else its category's, else the default (80% / 20%).
    """

    __tablename__ = "split_rules"
    __table_args__ = (
        sa.CheckConstraint("weavers_bp >= 0 AND weavers_bp <= 10000", name="weavers_range"),
        sa.CheckConstraint(
            "(scope = 'default' AND category_id IS NULL AND product_id IS NULL) OR "
            "(scope = 'category' AND category_id IS NOT NULL AND product_id IS NULL) OR "
            "(scope = 'product' AND product_id IS NOT NULL AND category_id IS NULL)",
            name="scope_target",
        ),
        sa.UniqueConstraint("scope", "category_id", "product_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scope: SplitScope = Field(sa_type=str_enum(SplitScope, "split_scope"), nullable=False)
    category_id: int | None = Field(default=None, foreign_key="categories.id", ondelete="CASCADE")
    product_id: int | None = Field(default=None, foreign_key="products.id", ondelete="CASCADE")
    weavers_bp: int
    # The assembly resolution that set this share (rules set before the cooperative's records have none).
    resolution_id: int | None = Field(default=None, foreign_key="resolutions.id", ondelete="RESTRICT")
    created_at: datetime = created_at_field()


track(SplitRule)
