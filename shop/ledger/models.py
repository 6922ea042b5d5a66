"""Double-entry ledger: accounts, transactions whose entries sum to zero, and split rules."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from shop.catalogue.models import created_at_field, str_enum


class AccountKind(StrEnum):
    """Which side an account's balance normally sits on: assets and expenses are debit (positive) balances;
    what is owed or earned (a weaver's payable, the fund, shipping income) are credit (negative) balances."""

    asset = "asset"
    liability = "liability"
    income = "income"
    expense = "expense"


class Account(SQLModel, table=True):
    __tablename__ = "ledger_accounts"

    id: int | None = Field(default=None, primary_key=True)
    # Stable names: "fund", "processor_fees", "shipping_income", "stripe_clearing", "cash", "pending_offline",
    # and "weaver:<id>" for each weaver's payable account.
    code: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    kind: AccountKind = Field(sa_type=str_enum(AccountKind, "account_kind"), nullable=False)
    weaver_id: int | None = Field(default=None, foreign_key="weavers.id", ondelete="RESTRICT", unique=True)
    created_at: datetime = created_at_field()


class LedgerTransaction(SQLModel, table=True):
    """A balanced posting. Never changed once written; a mistake is undone by a reversing transaction."""

    __tablename__ = "ledger_transactions"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    description: str = Field(default="", max_length=500)
    # Posting the same business event twice (a retried webhook, say) is refused by this key.
    idempotency_key: str = Field(max_length=200, unique=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", ondelete="RESTRICT", index=True)
    reverses_id: int | None = Field(default=None, foreign_key="ledger_transactions.id", ondelete="RESTRICT")
    created_at: datetime = created_at_field()

    entries: list["Entry"] = Relationship(
        back_populates="transaction", sa_relationship_kwargs={"lazy": "raise", "order_by": "Entry.id"}
    )


class Entry(SQLModel, table=True):
    """One line of a transaction: positive is a debit, negative a credit, in minor units."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.Index("ix_ledger_entries_account_id_transaction_id", "account_id", "transaction_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    transaction_id: int = Field(foreign_key="ledger_transactions.id", ondelete="RESTRICT", index=True)
    account_id: int = Field(foreign_key="ledger_accounts.id", ondelete="RESTRICT")
    amount: int
    currency: str = Field(default="MXN", max_length=3)
    # Which order line this entry comes from, so refunds can reverse exactly what a line earned.
    order_line_id: int | None = Field(default=None, foreign_key="order_lines.id", ondelete="RESTRICT", index=True)
    memo: str = Field(default="", max_length=200)

    transaction: LedgerTransaction = Relationship(back_populates="entries", sa_relationship_kwargs={"lazy": "raise"})


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
    created_at: datetime = created_at_field()
