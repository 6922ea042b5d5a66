"""Monthly statements read from ledger accounts: a weaver's (her own account only) and, through
``shop.ledger.fund``, the cooperative fund's.

Months are the cooperative's calendar months (America/Mexico_City), so a sale at 11 pm on the 31st belongs to
the month she remembers. Opening balance + every movement = closing balance, and the closing balance of one
month is the opening of the next: the figures are the ledger's, never recomputed another way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from shop.catalogue.models import Weaver
from shop.clock import LOCAL_ZONE
from shop.errors import N_, NotFound, ValidationFailed
from shop.ledger.chart import weaver_code
from shop.ledger.models import Account, Entry, LedgerTransaction, Payout, PayoutStatus, TransactionKind
from shop.money import BASIS_POINTS, basis_points_percent
from shop.orders.models import Order, OrderLine, OrderLineWeaver

FEES = "processor_fees"


class Movement:
    """What a statement line is, as the weaver would say it."""

    sale = "sale"
    refund = "refund"
    payout = "payout"
    payout_returned = "payout_returned"  # a payout that did not reach her was reversed: owed again
    sale_reversed = "sale_reversed"
    refund_reversed = "refund_reversed"
    write_off = "write_off"
    fee = "fee"  # the processor's fee on a payment (the fund's statement only)
    fee_reversed = "fee_reversed"  # that fee, undone with the sale it came with


@dataclass
class StatementLine:
    at: datetime
    movement: str
    amount: int  # what it did to the balance shown (what she is owed, the fund): positive adds, negative takes away
    transaction_id: int
    order_number: str | None = None
    product_id: int | None = None
    order_line_id: int | None = None
    title: str = ""
    quantity: int = 0
    price: int = 0  # the line's total, what the buyer paid for the piece(s)
    share_bp: int = 10000  # her share of the weavers' part; on the fund's statement, the fund's part of the line
    payout_id: int | None = None
    payout_method: str | None = None
    reference: str | None = None  # SPEI tracking key or Stripe transfer
    description: str = ""

    @property
    def share_percent(self) -> str:
        return basis_points_percent(self.share_bp)


@dataclass(kw_only=True)
class MonthStatement:
    """One month of an account: the opening balance, each movement, and the closing balance they make."""

    month: date  # the first day
    opening: int
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def closing(self) -> int:
        return self.opening + sum(line.amount for line in self.lines)

    def total(self, *movements: str) -> int:
        return sum(line.amount for line in self.lines if line.movement in movements)

    @property
    def earned(self) -> int:
        return self.total(Movement.sale)

    @property
    def refunded(self) -> int:
        """What refunds (and cancelled sales, less cancelled refunds) took back."""
        return -self.total(*REFUNDS)


@dataclass(kw_only=True)
class Statement(MonthStatement):
    weaver_id: int
    weaver_name: str

    @property
    def paid(self) -> int:
        return -self.total(Movement.payout, Movement.payout_returned)

    @property
    def written_off(self) -> int:
        return self.total(Movement.write_off)


MONTH = re.compile(r"(2\d{3})-(0[1-9]|1[0-2])")


def parse_month(value: str) -> date:
    """``YYYY-MM`` (years 2000–2999) → its first day; anything else is refused with a message to act on."""
    found = MONTH.fullmatch(value.strip())
    if found is None:
        raise ValidationFailed(
            N_("“%(value)s” is not a month. Write it as YYYY-MM, for example 2026-11."), field="mes", value=value[:20]
        )
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_of(moment: datetime) -> date:
    """The first day of the cooperative's month that ``moment`` falls in."""
    return moment.astimezone(LOCAL_ZONE).date().replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first and next month's first instants, in the cooperative's time zone."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        datetime.combine(month, time(), tzinfo=LOCAL_ZONE),
        datetime.combine(following, time(), tzinfo=LOCAL_ZONE),
    )


REVERSED = {
    TransactionKind.payout: Movement.payout_returned,
    TransactionKind.sale: Movement.sale_reversed,
    TransactionKind.refund: Movement.refund_reversed,
}
PLAIN = {
    TransactionKind.sale: Movement.sale,
    TransactionKind.refund: Movement.refund,
    TransactionKind.payout: Movement.payout,
    TransactionKind.payout_return: Movement.payout_returned,
    TransactionKind.write_off: Movement.write_off,
}
# What took back part of a sale: refunds, cancelled sales, less cancelled refunds. Both "my earnings" and the
# monthly statement count these as refunded, and only sales as earned (``earned_refunded``).
REFUNDS = (Movement.refund, Movement.sale_reversed, Movement.refund_reversed)


def _movement(kind: str, reversed_kind: str | None, code: str) -> str:
    """A transaction's kind as a statement line; a kind with no meaning on a statement is an error, never a sale."""
    kind = TransactionKind(kind)
    if code == FEES:
        return Movement.fee_reversed if kind is TransactionKind.reversal else Movement.fee
    table, key = (REVERSED, TransactionKind(reversed_kind or "")) if kind is TransactionKind.reversal else (PLAIN, kind)
    if key not in table:
        raise ValueError(f"a {kind} of a {key} has no place on a statement")
    return table[key]


def earned_refunded(lines: list[StatementLine]) -> dict[int, tuple[int, int]]:
    """Per order line, (what its sales earned, what refunds took back, positive): the one classification of a
    line's movements, for "my earnings" and the monthly statement alike."""
    parts: dict[int, list[int]] = {}
    for line in lines:
        if line.order_line_id is None:
            continue
        part = parts.setdefault(line.order_line_id, [0, 0])
        if line.movement in REFUNDS:
            part[1] -= line.amount
        elif line.movement == Movement.sale:
            part[0] += line.amount
    return {line_id: (earned, refunded) for line_id, (earned, refunded) in parts.items() if earned or refunded}


def balance_before(session: Session, account_id: int, moment: datetime) -> int:
    raw = session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Entry.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .where(Entry.account_id == account_id, LedgerTransaction.created_at < moment)
    )
    return -int(raw or 0)


def statement(session: Session, weaver_id: int, month: date) -> Statement:
    """Her statement for one month: opening balance, each movement in order, closing balance."""
    name = session.scalar(sa.select(Weaver.name).where(Weaver.id == weaver_id))
    if name is None:
        raise NotFound(N_("We could not find that weaver."))
    start, _ = month_bounds(month)
    account_id = session.scalar(sa.select(Account.id).where(Account.code == weaver_code(weaver_id)))
    result = Statement(weaver_id=weaver_id, weaver_name=name, month=month, opening=0)
    if account_id is None:
        return result
    result.opening = balance_before(session, account_id, start)
    result.lines = movements(session, [account_id], *in_month(month), weaver_id=weaver_id)
    return result


def in_month(month: date) -> tuple:
    """The conditions that keep a month's transactions (for ``movements``)."""
    start, end = month_bounds(month)
    return LedgerTransaction.created_at >= start, LedgerTransaction.created_at < end


def movements(session: Session, account_ids: list[int], *where, weaver_id: int | None = None) -> list[StatementLine]:
    """The entries of ``account_ids`` matching ``where`` (conditions on the transaction), oldest first, each
    counted as what it adds to a credit balance (what a weaver is owed, what the fund keeps): a credit adds.

    With ``weaver_id`` (her account), a line's share is hers of the weavers' part; without it, the fund's part.
    """
    reversed_tx = aliased(LedgerTransaction)
    payout_paid = aliased(Payout)
    payout_returned = aliased(Payout)
    share = (
        OrderLineWeaver.share_bp if weaver_id is not None else sa.literal(BASIS_POINTS) - OrderLine.weavers_bp
    ).label("share_bp")
    query = (
        sa.select(
            Entry,
            Account.code,
            LedgerTransaction.kind,
            LedgerTransaction.created_at,
            LedgerTransaction.description,
            reversed_tx.kind,
            Order.number,
            OrderLine,
            share,
            sa.func.coalesce(payout_paid.id, payout_returned.id),
            sa.func.coalesce(payout_paid.method, payout_returned.method),
            sa.func.coalesce(payout_paid.tracking_key, payout_paid.stripe_transfer_id),
        )
        .join(Account, Account.id == Entry.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Entry.transaction_id)
        .outerjoin(reversed_tx, reversed_tx.id == LedgerTransaction.reverses_id)
        .outerjoin(OrderLine, OrderLine.id == Entry.order_line_id)
        # A fee is booked on the payment, not on a line: its order is the transaction's.
        .outerjoin(Order, Order.id == sa.func.coalesce(OrderLine.order_id, LedgerTransaction.order_id))
    )
    if weaver_id is not None:
        query = query.outerjoin(
            OrderLineWeaver,
            sa.and_(OrderLineWeaver.order_line_id == OrderLine.id, OrderLineWeaver.weaver_id == weaver_id),
        )
    rows = session.execute(
        query.outerjoin(payout_paid, payout_paid.transaction_id == LedgerTransaction.id)
        .outerjoin(payout_returned, payout_returned.reversal_id == LedgerTransaction.id)
        .where(Entry.account_id.in_(account_ids), *where)
        .order_by(LedgerTransaction.created_at, Entry.id)
    ).all()
    lines = []
    for entry, code, kind, at, description, reversed_kind, number, line, share_bp, payout_id, method, ref in rows:
        item = StatementLine(
            at=at,
            movement=_movement(kind, reversed_kind, code),
            amount=-entry.amount,
            transaction_id=entry.transaction_id,
            order_number=number,
            payout_id=payout_id,
            payout_method=str(method) if method else None,
            reference=ref,
            description=description,
        )
        if line is not None:
            item.order_line_id = line.id
            item.product_id, item.title, item.quantity = line.product_id, line.title_es, line.quantity
            item.price = line.line_total
            item.share_bp = BASIS_POINTS if share_bp is None else share_bp
        lines.append(item)
    return lines


def paid_for(session: Session, payout: Payout) -> list[StatementLine]:
    """The sales and refunds a paid payout settles: those booked after her previous paid payout and up to
    this one (what the cash receipt lists as "pieces sold")."""
    account_id = session.scalar(sa.select(Account.id).where(Account.code == weaver_code(payout.weaver_id)))
    if account_id is None or payout.transaction_id is None:
        return []
    previous = session.scalar(
        sa.select(sa.func.max(Payout.transaction_id)).where(
            Payout.weaver_id == payout.weaver_id,
            Payout.status == PayoutStatus.paid,
            Payout.transaction_id < payout.transaction_id,
        )
    )
    where = [LedgerTransaction.id < payout.transaction_id, LedgerTransaction.kind != TransactionKind.payout]
    if previous is not None:
        where.append(LedgerTransaction.id > previous)
    return [
        line
        for line in movements(session, [account_id], *where, weaver_id=payout.weaver_id)
        if line.movement in (Movement.sale, Movement.refund, Movement.sale_reversed)
    ]


def her_lines(session: Session, weaver_id: int) -> dict[int, tuple[int, int]]:
    """Her part of each order line, all months: (earned, refunded), from her own account only."""
    account_id = session.scalar(sa.select(Account.id).where(Account.code == weaver_code(weaver_id)))
    if account_id is None:
        return {}
    return earned_refunded(movements(session, [account_id], Entry.order_line_id.is_not(None), weaver_id=weaver_id))


def active_months(session: Session, weaver_id: int) -> list[date]:
    """The months in which her account moved, newest first (for the month picker)."""
    moments = session.scalars(
        sa.select(LedgerTransaction.created_at)
        .join(Entry, Entry.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == Entry.account_id)
        .where(Account.code == weaver_code(weaver_id))
    ).all()
    return sorted({month_of(moment) for moment in moments}, reverse=True)
