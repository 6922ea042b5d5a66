"""Plain data the ledger takes from its callers and hands back: no table models cross this boundary.

Amounts are integer minor units (centavos) and shares are basis points (10000 = 100%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from shop.ledger.models import AmountStyle, DateFormat, DecimalMark, Delimiter

# Where money that came in sits until it is paid out or deposited.
MONEY_ACCOUNTS = ("stripe_clearing", "cash", "pending_offline", "marketplace_clearing")
# Money received that no order has taken yet; a reinstated order's sale is paid from it.
UNALLOCATED = "unallocated"


@dataclass(frozen=True, slots=True)
class SaleLine:
    """What one order line brought in now, and how it is shared.

    ``amount`` is the money received for the line in this sale (a deposit, the balance, or the full price);
    ``weavers_bp`` is the weavers' part of it (snapshotted on the order line); ``weavers`` lists
    ``(weaver_id, share_bp)`` pairs whose shares sum to 10000.
    """

    order_line_id: int
    amount: int
    weavers_bp: int
    weavers: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class Sale:
    """One payment for an order: posted once under ``key`` (e.g. ``"sale:stripe:pi_123"``)."""

    key: str
    order_id: int | None
    money_account: str  # one of MONEY_ACCOUNTS, or UNALLOCATED when an order is reinstated
    lines: tuple[SaleLine, ...]
    shipping: int = 0
    # The processor's fee (Stripe's balance transaction fee): the cooperative's expense, never a weaver's.
    fee: int = 0
    description: str = ""


@dataclass(frozen=True, slots=True)
class EntryLine:
    """One leg of a posting before it is written: positive debits ``account``, negative credits it."""

    account: str
    amount: int
    order_line_id: int | None = None
    memo: str = ""


@dataclass(frozen=True, slots=True)
class LineReceived:
    """What an order line brought in, what was given back, and how much of it each weaver still holds."""

    order_line_id: int
    received: int
    refunded: int
    # weaver_id -> (credited, reversed) on this line
    weavers: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def refundable(self) -> int:
        return self.received - self.refunded


@dataclass(frozen=True, slots=True)
class OrderReceived:
    """The ledger's view of one order's money, for callers that must validate a refund before asking for it."""

    order_id: int
    lines: dict[int, LineReceived]
    shipping_received: int
    shipping_refunded: int
    fees: int
    # Sale transactions of the order that were not reversed, oldest first.
    sale_ids: tuple[int, ...] = ()

    @property
    def received(self) -> int:
        return sum(line.received for line in self.lines.values()) + self.shipping_received

    @property
    def refunded(self) -> int:
        return sum(line.refunded for line in self.lines.values()) + self.shipping_refunded

    @property
    def refundable(self) -> int:
        return self.received - self.refunded

    @property
    def shipping_refundable(self) -> int:
        return self.shipping_received - self.shipping_refunded


class TrialBalanceRow(NamedTuple):
    code: str
    name: str
    kind: str
    debit: int  # Σ of positive entries
    credit: int  # Σ of negative entries, as a positive number
    net: int  # debit - credit; the nets of all rows sum to zero


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """How to read one bank's CSV export (see ``shop.ledger.bank_statements``); columns are named as in the file.

    With ``AmountStyle.signed``, ``amount_column`` holds deposits as positive and withdrawals as negative amounts;
    with ``AmountStyle.split``, deposits and withdrawals come in their own columns.
    """

    header_row: int  # the row, counting from 1, that holds the column names
    delimiter: Delimiter
    date_column: str
    date_format: DateFormat
    description_column: str
    reference_column: str = ""
    amount_style: AmountStyle = AmountStyle.signed
    amount_column: str = ""
    deposit_column: str = ""
    withdrawal_column: str = ""
    decimal_mark: DecimalMark = DecimalMark.point


@dataclass(frozen=True, slots=True)
class MatchCandidate:
    """Money the shop booked that a bank line could be: a transfer the treasurer confirmed (``kind``
    "payment", handed in by the payments side) or a SPEI payout that was paid (``kind`` "payout")."""

    kind: str
    id: int
    amount: int  # centavos, positive
    day: date  # the Mexico City date the money came in (payment confirmed) or left (payout paid)
    label: str  # the order number, or the payout's number
    who: str  # the buyer, or the weaver
    reference: str  # the bank reference typed when confirming the payment, or the SPEI tracking key
    order_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"
