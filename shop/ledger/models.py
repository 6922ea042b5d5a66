"""Double-entry ledger: accounts, transactions whose entries sum to zero, payouts."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, Relationship, SQLModel

from shop.audit import track
from shop.clock import UTCDateTime
from shop.ledger.clabe import mask_clabe
from shop.models_base import created_at_field, str_enum


class AccountKind(StrEnum):
    """Which side an account's balance normally sits on: assets and expenses are debit (positive) balances;
    what is owed or earned (a weaver's payable, the fund, shipping income) are credit (negative) balances."""

    asset = "asset"
    liability = "liability"
    income = "income"
    expense = "expense"


class TransactionKind(StrEnum):
    """What a ledger transaction records. Stored with a CHECK: an unknown kind is refused on write, and an error
    wherever it is read, never taken for a sale."""

    sale = "sale"
    refund = "refund"
    reversal = "reversal"  # undoes another transaction (``reverses_id``), entry by entry
    receipt = "receipt"  # money in that no order took (yet): held in the unallocated account
    return_ = "return"  # unallocated money given back
    fee = "fee"  # the processor's fee of a payment, booked once it is known
    payout = "payout"
    payout_return = "payout_return"  # a paid payout that came back
    write_off = "write_off"
    bank_match = "bank_match"  # a bank line matched to a payment or payout


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
    kind: TransactionKind = Field(sa_type=str_enum(TransactionKind, "transaction_kind"), nullable=False)
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


# --- bank statements and reconciliation -----------------------------------------------------------------------


class Delimiter(StrEnum):
    comma = "comma"
    semicolon = "semicolon"
    tab = "tab"
    pipe = "pipe"


class DateFormat(StrEnum):
    dmy = "dmy"  # 31/12/2026, 31-12-26, 31/DIC/2026: most Mexican banks
    ymd = "ymd"  # 2026-12-31
    mdy = "mdy"  # 12/31/2026


class DecimalMark(StrEnum):
    point = "point"  # 1,234.56
    comma = "comma"  # 1.234,56


class AmountStyle(StrEnum):
    signed = "signed"  # one column: deposits positive, withdrawals negative
    split = "split"  # a deposits column and a withdrawals column


class BankMapping(SQLModel, table=True):
    """How one bank's CSV export reads: chosen once by the treasurer, remembered for the next statement."""

    __tablename__ = "bank_mappings"
    __table_args__ = (sa.CheckConstraint("header_row >= 1", name="header_row_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    # The bank's name folded to plain lowercase words ("banco azteca" → "banco-azteca"): one mapping per bank.
    bank_key: str = Field(max_length=60, unique=True)
    bank_name: str = Field(max_length=60)
    header_row: int = 1  # the row (counting from 1) that holds the column names
    delimiter: Delimiter = Field(default=Delimiter.comma, sa_type=str_enum(Delimiter, "csv_delimiter"), nullable=False)
    date_column: str = Field(max_length=120)
    date_format: DateFormat = Field(default=DateFormat.dmy, sa_type=str_enum(DateFormat, "date_format"), nullable=False)
    description_column: str = Field(max_length=120)
    reference_column: str = Field(default="", max_length=120)
    amount_style: AmountStyle = Field(
        default=AmountStyle.signed, sa_type=str_enum(AmountStyle, "amount_style"), nullable=False
    )
    amount_column: str = Field(default="", max_length=120)
    deposit_column: str = Field(default="", max_length=120)
    withdrawal_column: str = Field(default="", max_length=120)
    decimal_mark: DecimalMark = Field(
        default=DecimalMark.point, sa_type=str_enum(DecimalMark, "decimal_mark"), nullable=False
    )
    updated_by: str = Field(default="", max_length=120)
    updated_at: datetime = created_at_field()


class StatementStatus(StrEnum):
    uploaded = "uploaded"  # read and kept, waiting for the treasurer to check the columns and import it
    imported = "imported"  # its lines are in bank_lines


class BankStatement(SQLModel, table=True):
    """One CSV file from the bank, kept as it came: first uploaded, then imported (all its lines, or none)."""

    __tablename__ = "bank_statements"

    id: int | None = Field(default=None, primary_key=True)
    bank_key: str = Field(max_length=60, index=True)
    bank_name: str = Field(max_length=60)
    filename: str = Field(default="", max_length=200)
    sha256: str = Field(max_length=64, index=True)
    content: bytes = Field(sa_type=sa.LargeBinary)
    status: StatementStatus = Field(
        default=StatementStatus.uploaded,
        sa_type=str_enum(StatementStatus, "statement_status"),
        nullable=False,
        index=True,
    )
    uploaded_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    uploaded_by: str = Field(default="", max_length=120)
    uploaded_at: datetime = created_at_field()
    imported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lines_total: int = 0  # movements in the file
    lines_new: int = 0  # of those, the ones not imported before (the rest were already in an earlier file)


class BankLine(SQLModel, table=True):
    """One movement on the bank statement: a deposit (positive) or a withdrawal (negative), in centavos.

    ``fingerprint`` (bank, date, amount, reference, description, and which twin it is within its file) is
    UNIQUE, so importing the same movements again adds nothing. ``payment_id`` and ``payout_id`` are the match
    she confirmed, each UNIQUE: a line matches one payment or payout, and each of those one line.
    """

    __tablename__ = "bank_lines"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.CheckConstraint("payment_id IS NULL OR amount > 0", name="payment_is_a_deposit"),
        sa.CheckConstraint("payout_id IS NULL OR amount < 0", name="payout_is_a_withdrawal"),
    )

    id: int | None = Field(default=None, primary_key=True)
    statement_id: int = Field(foreign_key="bank_statements.id", ondelete="RESTRICT", index=True)
    bank_key: str = Field(max_length=60)
    row_number: int  # its row in the file, as a spreadsheet numbers it
    booked_on: date = Field(index=True)
    description: str = Field(default="", max_length=500)
    reference: str = Field(default="", max_length=200)
    amount: int
    currency: str = Field(default="MXN", max_length=3)
    fingerprint: str = Field(max_length=64, unique=True)
    payment_id: int | None = Field(default=None, foreign_key="payments.id", ondelete="RESTRICT", unique=True)
    payout_id: int | None = Field(default=None, foreign_key="payouts.id", ondelete="RESTRICT", unique=True)
    # She looked at the suggestions and kept it unmatched for now: it is no longer offered as a suggestion.
    set_aside_by: str = Field(default="", max_length=120)
    set_aside_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = created_at_field()


class BankMatch(SQLModel, table=True):
    """A match she confirmed between a bank line and a payment (money in) or a SPEI payout (money out).

    Kept after it is undone, with who undid it and why: a deposit's match posted money from "to reconcile" to
    the bank, and undoing it posts the reversal.
    """

    __tablename__ = "bank_matches"
    __table_args__ = (sa.CheckConstraint("(payment_id IS NULL) <> (payout_id IS NULL)", name="payment_or_payout"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_line_id: int = Field(foreign_key="bank_lines.id", ondelete="RESTRICT", index=True)
    payment_id: int | None = Field(default=None, foreign_key="payments.id", ondelete="RESTRICT", index=True)
    payout_id: int | None = Field(default=None, foreign_key="payouts.id", ondelete="RESTRICT", index=True)
    amount: int
    # What it was matched to, as it read then: the order number and the buyer, or the payout and the weaver.
    label: str = Field(default="", max_length=40)
    counterparty: str = Field(default="", max_length=200)
    suggested: bool = False  # she confirmed the shop's suggestion (rather than picking another)
    transaction_id: int | None = Field(default=None, foreign_key="ledger_transactions.id", ondelete="RESTRICT")
    reversal_id: int | None = Field(default=None, foreign_key="ledger_transactions.id", ondelete="RESTRICT")
    confirmed_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    confirmed_by: str = Field(default="", max_length=120)
    confirmed_at: datetime = created_at_field()
    undone_by: str = Field(default="", max_length=120)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    undo_reason: str = Field(default="", max_length=300)


# The audit log keeps every change a person makes to these tables.
# How and what weavers are paid: a CLABE is kept in the log with only its last four digits.
track(PayoutAccount, PayoutBatch, Payout, masked={"clabe": mask_clabe})


# --- summaries kept with each posting -------------------------------------------------------------------------


class MonthTotal(SQLModel, table=True):
    """What the entries of one cooperative month sum to, by account, category and channel: the dashboard's
    rollups read these few rows instead of every entry. Written as the posting's transaction commits
    (``shop.ledger.summary``), so it never disagrees with the entries."""

    __tablename__ = "ledger_month_totals"

    month: str = Field(primary_key=True, max_length=7)  # "2026-07", in the cooperative's time zone
    account_id: int = Field(primary_key=True, foreign_key="ledger_accounts.id", ondelete="RESTRICT")
    category_id: int = Field(default=0, primary_key=True)  # the piece's category; 0 for none
    channel: str = Field(default="", primary_key=True, max_length=20)  # the order's; "" for none
    line: bool = Field(default=False, primary_key=True)  # entries of an order line (a piece sold)
    amount: int = Field(default=0, sa_type=sa.BigInteger)


class OrderTotal(SQLModel, table=True):
    """What one order's postings add up to: when it was sold, the processor's fee as booked, what reached the
    weavers. Kept like ``MonthTotal``, for the comparison of channels."""

    __tablename__ = "ledger_order_totals"
    __table_args__ = (sa.Index("ix_ledger_order_totals_sold_at", "sold_at"),)

    order_id: int = Field(primary_key=True, foreign_key="orders.id", ondelete="RESTRICT")
    sold_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # its first sale posting
    sold_on: date | None = None  # that day, in the cooperative's time zone
    pieces: int = 0
    charged: int = Field(default=0, sa_type=sa.BigInteger)  # what the buyer paid, shipping included
    fee: int = Field(default=0, sa_type=sa.BigInteger)  # on the processor fees account
    weavers: int = Field(default=0, sa_type=sa.BigInteger)  # credited to the weavers, net of refunds
