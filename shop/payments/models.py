"""Payments (Stripe Checkout, offline, cash), refunds, and the Stripe events already handled."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.clock import UTCDateTime
from shop.models_base import created_at_field, str_enum


class PaymentKind(StrEnum):
    stripe_checkout = "stripe_checkout"
    offline = "offline"
    cash = "cash"


class PaymentStatus(StrEnum):
    open = "open"  # waiting: a Checkout Session not finished, an OXXO voucher not paid, a transfer not confirmed
    succeeded = "succeeded"
    failed = "failed"
    expired = "expired"
    cancelled = "cancelled"
    # The money came in, but its order could not take it (cancelled meanwhile, or a piece gone): it waits in
    # the ledger's "unallocated" account until the treasurer reinstates the order or gives the money back.
    unallocated = "unallocated"
    returned = "returned"  # money that was unallocated, given back in full


class Payment(SQLModel, table=True):
    __tablename__ = "payments"
    __table_args__ = (
        sa.CheckConstraint("amount >= 0 AND fee >= 0", name="amounts_not_negative"),
        sa.CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount", name="refunds_within_amount"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="RESTRICT", index=True)
    kind: PaymentKind = Field(sa_type=str_enum(PaymentKind, "payment_kind"), nullable=False)
    status: PaymentStatus = Field(
        default=PaymentStatus.open, sa_type=str_enum(PaymentStatus, "payment_status"), nullable=False
    )
    amount: int
    currency: str = Field(default="MXN", max_length=3)
    # Stripe's fee with its tax, from the balance transaction; None until it is known and booked.
    fee: int | None = 0
    amount_refunded: int = 0
    # "card" or "oxxo" once Stripe says which the buyer used.
    method_detail: str = Field(default="", max_length=40)
    stripe_session_id: str | None = Field(default=None, max_length=255, unique=True)
    stripe_payment_intent_id: str | None = Field(default=None, max_length=255, index=True)
    checkout_url: str = Field(default="", max_length=2000)
    # OXXO: where the buyer finds her voucher, and until when she may pay it.
    voucher_url: str = Field(default="", max_length=2000)
    voucher_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    confirmed_by: str = Field(default="", max_length=120)
    reference: str = Field(default="", max_length=200)
    created_at: datetime = created_at_field()
    succeeded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RefundStatus(StrEnum):
    pending = "pending"
    succeeded = "succeeded"
    failed = "failed"


class Refund(SQLModel, table=True):
    __tablename__ = "refunds"
    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="RESTRICT", index=True)
    payment_id: int = Field(foreign_key="payments.id", ondelete="RESTRICT", index=True)
    amount: int
    currency: str = Field(default="MXN", max_length=3)
    status: RefundStatus = Field(
        default=RefundStatus.pending, sa_type=str_enum(RefundStatus, "refund_status"), nullable=False
    )
    # stripe (through the API), cash (handed back), or dashboard (made in Stripe's dashboard).
    via: str = Field(max_length=20)
    stripe_refund_id: str | None = Field(default=None, max_length=255, unique=True)
    # What was asked, so whoever completes it (the request, the webhook, the job) books exactly that:
    # {"lines": {order line id: amount} or null, "restock": {order line id: quantity}}.
    plan: dict | None = Field(default=None, sa_type=sa.JSON)
    reason: str = Field(default="", max_length=500)
    restocked: bool = False
    actor: str = Field(default="", max_length=120)
    created_at: datetime = created_at_field()


class StripeEvent(SQLModel, table=True):
    """Each Stripe event id once: the UNIQUE key makes a second delivery a no-op."""

    __tablename__ = "stripe_events"

    id: str = Field(primary_key=True, max_length=255)
    type: str = Field(max_length=100)
    object_id: str = Field(default="", max_length=255)
    received_at: datetime = created_at_field()
    outcome: str = Field(default="", max_length=300)


class InternationalTransferDetails(SQLModel, table=True):
    """The cooperative's bank details for a transfer from abroad (SWIFT), set by the admin or the treasurer.

    One row at most. Buyers outside Mexico are offered a bank transfer only while every field is filled in;
    Mexican buyers get the national details (``Settings.bank_transfer_details``) as before.
    """

    __tablename__ = "international_transfer_details"

    id: int | None = Field(default=None, primary_key=True)
    beneficiary: str = Field(default="", max_length=200)
    bank_name: str = Field(default="", max_length=200)
    bank_address: str = Field(default="", max_length=300)
    swift_bic: str = Field(default="", max_length=11)
    # An IBAN, or the account number where IBANs are not used (Mexico's banks give a CLABE or an account number).
    account: str = Field(default="", max_length=40)
    updated_at: datetime = created_at_field()


class WaitingReceipt(SQLModel, table=True):
    """Money the treasurer recorded as arrived, waiting out the few minutes in which she may undo it. Nothing
    reaches the ledger, the stock or the buyer until it takes effect (``shop.payments.receipt_window``)."""

    __tablename__ = "waiting_receipts"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", ondelete="CASCADE", unique=True)
    reference: str = Field(default="", max_length=200)
    recorded_by: str = Field(max_length=120)
    recorded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    takes_effect_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


# The audit log keeps every change a person makes to these tables.
track(Payment, Refund, InternationalTransferDetails, WaitingReceipt)
