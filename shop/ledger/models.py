"""Double-entry ledger: accounts, transactions whose entries sum to zero, and split rules."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from shop.catalogue.models import created_at_field, str_enum
from shop.clock import UTCDateTime


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


# --- payouts --------------------------------------------------------------------------------------------------


class PayoutMethod(StrEnum):
    cash = "cash"
    spei = "spei"
    stripe_connect = "stripe_connect"


class PayoutAccount(SQLModel, table=True):
    """How a weaver is paid: most in cash at the cooperative, some by SPEI to their CLABE, optionally Stripe."""

    __tablename__ = "payout_accounts"

    weaver_id: int = Field(foreign_key="weavers.id", ondelete="CASCADE", primary_key=True)
    method: PayoutMethod = Field(
        default=PayoutMethod.cash, sa_type=str_enum(PayoutMethod, "payout_method"), nullable=False
    )
    clabe: str | None = Field(default=None, max_length=18)
    account_holder: str = Field(default="", max_length=120)
    stripe_account_id: str | None = Field(default=None, max_length=60)
    updated_by: str = Field(default="", max_length=120)
    updated_at: datetime = created_at_field()


class BatchStatus(StrEnum):
    prepared = "prepared"  # waiting for a second person (council) to approve it
    approved = "approved"  # may be paid, payout by payout
    closed = "closed"  # every payout paid, failed or cancelled
    cancelled = "cancelled"  # nothing was paid


class PayoutStatus(StrEnum):
    pending = "pending"
    sending = "sending"  # a Stripe transfer is being asked for; the answer decides paid or pending again
    paid = "paid"
    failed = "failed"  # was paid, then reversed (a SPEI transfer came back, cash was not handed over)
    cancelled = "cancelled"  # never paid


class PayoutBatch(SQLModel, table=True):
    """A set of payouts prepared by one person (the treasurer) and approved by another (a council member)."""

    __tablename__ = "payout_batches"

    id: int | None = Field(default=None, primary_key=True)
    status: BatchStatus = Field(
        default=BatchStatus.prepared, sa_type=str_enum(BatchStatus, "batch_status"), nullable=False, index=True
    )
    prepared_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    prepared_by: str = Field(max_length=120)
    approved_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    approved_by: str = Field(default="", max_length=120)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=500)
    created_at: datetime = created_at_field()
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    payouts: list["Payout"] = Relationship(
        back_populates="batch", sa_relationship_kwargs={"lazy": "raise", "order_by": "Payout.id"}
    )


class Payout(SQLModel, table=True):
    """One weaver's money in a batch. Paying it posts a ledger transaction; undoing it posts the reversal."""

    __tablename__ = "payouts"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.UniqueConstraint("batch_id", "weaver_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="payout_batches.id", ondelete="RESTRICT", index=True)
    weaver_id: int = Field(foreign_key="weavers.id", ondelete="RESTRICT", index=True)
    amount: int
    currency: str = Field(default="MXN", max_length=3)
    method: PayoutMethod = Field(sa_type=str_enum(PayoutMethod, "payout_method"), nullable=False)
    status: PayoutStatus = Field(
        default=PayoutStatus.pending, sa_type=str_enum(PayoutStatus, "payout_status"), nullable=False, index=True
    )
    # Where the money goes, as it was when the batch was prepared (approval is of these details).
    clabe: str | None = Field(default=None, max_length=18)
    account_holder: str = Field(default="", max_length=120)
    stripe_account_id: str | None = Field(default=None, max_length=60)
    tracking_key: str | None = Field(default=None, max_length=30)  # SPEI "clave de rastreo"
    stripe_transfer_id: str | None = Field(default=None, max_length=60)
    # Stripe keeps a refused transfer under its idempotency key; each refusal moves the payout to a new key.
    transfer_refusals: int = 0
    paid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    paid_by: str = Field(default="", max_length=120)
    transaction_id: int | None = Field(default=None, foreign_key="ledger_transactions.id", ondelete="RESTRICT")
    reversal_id: int | None = Field(default=None, foreign_key="ledger_transactions.id", ondelete="RESTRICT")
    ended_reason: str = Field(default="", max_length=300)
    # The photo of the signed (or thumbprinted) cash receipt, stored privately: a path under the proofs folder.
    proof_path: str | None = Field(default=None, max_length=200)
    proof_uploaded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()

    batch: PayoutBatch = Relationship(back_populates="payouts", sa_relationship_kwargs={"lazy": "raise"})
