"""Posting to the double-entry ledger: sales split between weavers and the fund, refunds, reversals, balances.

Rules kept here:
- Every transaction's entries sum to zero, checked before anything is written.
- Entries and transactions are never changed or deleted (guards below); a mistake is undone by ``reverse``.
- Each posting carries an idempotency key under a UNIQUE constraint: posting the same key again returns the
  first transaction and writes nothing, also when two sessions race (the loser's insert fails inside a
  SAVEPOINT, which is rolled back, and the winner's transaction is returned).
- Balances are always summed from entries; nothing stores a balance.
- Services only flush; whoever opened the session commits.

Callers (orders, payments) hand in plain data (``Sale``, amounts); the ledger never imports their services.
Rounding happens only in ``shop.ledger.splits``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Integer, String, bindparam, case, event, func, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from shop.catalogue.models import Product, Weaver
from shop.errors import N_, Conflict, NotFound, ValidationFailed
from shop.ledger import splits
from shop.ledger.accounts import (
    SYSTEM_ACCOUNTS,
    account,
    find_account,
    known_kind,
    weaver_account,
    weaver_code,
)
from shop.ledger.models import (
    Account,
    AccountKind,
    Entry,
    LedgerTransaction,
    SplitRule,
    SplitScope,
    TransactionKind,
)
from shop.ledger.schemas import (
    MONEY_ACCOUNTS,
    UNALLOCATED,
    EntryLine,
    LineReceived,
    OrderReceived,
    Sale,
    SaleLine,
    TrialBalanceRow,
)
from shop.money import BASIS_POINTS, basis_points_percent

__all__ = [
    "MONEY_ACCOUNTS",
    "SYSTEM_ACCOUNTS",
    "EntryLine",
    "LedgerImmutable",
    "Sale",
    "SaleLine",
    "UnbalancedTransaction",
    "account",
    "balance",
    "order_received",
    "post",
    "post_fee",
    "post_new",
    "post_receipt",
    "post_refund",
    "post_return",
    "post_sale",
    "reverse",
    "set_split_rule",
    "split_rule_for",
    "transaction_entries",
    "trial_balance",
    "weaver_account",
    "weaver_balance",
]

SALE = TransactionKind.sale
REFUND = TransactionKind.refund
REVERSAL = TransactionKind.reversal
RECEIPT = TransactionKind.receipt
RETURN = TransactionKind.return_
FEE = TransactionKind.fee
SHIPPING = "shipping"  # the order-level refund's key for the shipping part (lines are keyed by their id)


class UnbalancedTransaction(RuntimeError):
    """A posting whose entries do not sum to zero: a bug in the caller, never written."""


class LedgerImmutable(RuntimeError):
    """Something tried to change or delete a ledger entry or transaction."""


# --- immutability ---------------------------------------------------------------------------------------------

_IMMUTABLE_TABLES = {Entry.__tablename__, LedgerTransaction.__tablename__}


def _refuse_change(_mapper, _connection, target) -> None:
    raise LedgerImmutable(
        f"{type(target).__name__} {target.id} is immutable; post a reversing transaction instead of changing it"
    )


for _model in (Entry, LedgerTransaction):
    if not event.contains(_model, "before_update", _refuse_change):
        event.listen(_model, "before_update", _refuse_change)
        event.listen(_model, "before_delete", _refuse_change)


def _refuse_bulk_change(state) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _IMMUTABLE_TABLES:
        raise LedgerImmutable(f"{table.name} rows are immutable; post a reversing transaction instead")


if not event.contains(Session, "do_orm_execute", _refuse_bulk_change):
    event.listen(Session, "do_orm_execute", _refuse_bulk_change)


# --- split rules ----------------------------------------------------------------------------------------------

_RANK = {SplitScope.product: 0, SplitScope.category: 1, SplitScope.default: 2}


def split_rule_for(session: Session, product: Product) -> tuple[int, str]:
    """The weavers' part (basis points) for a product and the rule's label, to snapshot on an order line.

    The most specific rule wins: the product's own (``"product:12"``), else its category's (``"category:3"``),
    else the default (``"default"``).
    """
    rules = session.scalars(
        select(SplitRule).where(
            (SplitRule.scope == SplitScope.default)
            | ((SplitRule.scope == SplitScope.category) & (SplitRule.category_id == product.category_id))
            | ((SplitRule.scope == SplitScope.product) & (SplitRule.product_id == product.id))
        )
    ).all()
    if not rules:
        raise NotFound(N_("No split rule applies: set the default share for the weavers first."))
    rule = min(rules, key=lambda r: (_RANK[r.scope], -(r.id or 0)))
    if rule.scope == SplitScope.product:
        return rule.weavers_bp, f"product:{rule.product_id}"
    if rule.scope == SplitScope.category:
        return rule.weavers_bp, f"category:{rule.category_id}"
    return rule.weavers_bp, "default"


def set_split_rule(
    session: Session, *, weavers_bp: int, category_id: int | None = None, product_id: int | None = None
) -> SplitRule:
    """Set the default rule, a category's, or a product's (whichever target is given). Orders already placed
    keep the rule they snapshotted."""
    if not 0 <= weavers_bp <= BASIS_POINTS:
        raise ValidationFailed(
            N_("The weavers' share must be between 0%% and 100%%, not %(percent)s%%."),
            field="weavers_bp",
            percent=basis_points_percent(weavers_bp),
        )
    if category_id is not None and product_id is not None:
        raise ValidationFailed(N_("A split rule is for a product or a category, not both."))
    scope = (
        SplitScope.product
        if product_id is not None
        else SplitScope.category
        if category_id is not None
        else SplitScope.default
    )
    rule = session.scalars(
        select(SplitRule)
        .where(
            SplitRule.scope == scope,
            SplitRule.category_id.is_(None) if category_id is None else SplitRule.category_id == category_id,
            SplitRule.product_id.is_(None) if product_id is None else SplitRule.product_id == product_id,
        )
        .order_by(SplitRule.id.desc())
    ).first()
    if rule is None:
        rule = SplitRule(scope=scope, category_id=category_id, product_id=product_id, weavers_bp=weavers_bp)
        session.add(rule)
    else:
        rule.weavers_bp = weavers_bp
    session.flush()
    return rule


# --- posting --------------------------------------------------------------------------------------------------


def _existing(session: Session, key: str, kind: TransactionKind) -> LedgerTransaction | None:
    found = session.scalar(select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key))
    if found is not None and found.kind != kind:
        raise Conflict(
            N_("The key “%(key)s” was already used for a posting of another kind (%(kind)s)."),
            key=key,
            kind=found.kind,
        )
    return found


def post(
    session: Session,
    *,
    kind: TransactionKind,
    key: str,
    entries: Sequence[EntryLine],
    order_id: int | None = None,
    reverses_id: int | None = None,
    description: str = "",
) -> LedgerTransaction:
    """Write one balanced transaction (the single writer every posting goes through); idempotent on ``key``.

    Zero legs are dropped. Raises UnbalancedTransaction, before writing anything, if the legs do not sum to zero.
    """
    if not key or len(key) > 200:
        raise ValueError("an idempotency key of 1 to 200 characters is required")
    existing = _existing(session, key, kind)
    if existing is not None:
        return existing
    legs = [leg for leg in entries if leg.amount != 0]
    if not legs:
        raise UnbalancedTransaction(f"{kind} {key}: a transaction needs entries")
    total = sum(leg.amount for leg in legs)
    if total != 0:
        raise UnbalancedTransaction(f"{kind} {key}: entries sum to {total}, not zero")
    account_ids: dict[str, int] = {}
    for leg in legs:
        if leg.account not in account_ids:
            account_ids[leg.account] = account(session, leg.account).id
    try:
        with session.begin_nested():
            transaction = LedgerTransaction(
                kind=kind,
                description=description[:500],
                idempotency_key=key,
                order_id=order_id,
                reverses_id=reverses_id,
            )
            session.add(transaction)
            session.flush()
            session.add_all(
                Entry(
                    transaction_id=transaction.id,
                    account_id=account_ids[leg.account],
                    amount=leg.amount,
                    order_line_id=leg.order_line_id,
                    memo=leg.memo[:200],
                )
                for leg in legs
            )
            session.flush()
    except IntegrityError:
        # Another session posted the same key first (it committed while we were writing): ours is rolled
        # back to the savepoint and theirs stands. Any other integrity error is the caller's to see.
        existing = _existing(session, key, kind)
        if existing is None:
            raise
        return existing
    return transaction


def post_new(
    session: Session,
    *,
    kind: TransactionKind,
    key: str,
    entries: Sequence[EntryLine],
    order_id: int | None = None,
    description: str = "",
) -> LedgerTransaction:
    """Write a transaction whose key the caller knows is new (it holds the lock that decides): one INSERT of the
    transaction, one INSERT … SELECT of its entries that finds their accounts by code. A key that is not new
    after all fails on its UNIQUE constraint, and with it the caller's transaction; nothing half-written stays.

    Accounts used for the first time (a weaver's first sale) are created, and their entries written, after.
    """
    if not key or len(key) > 200:
        raise ValueError("an idempotency key of 1 to 200 characters is required")
    legs = [leg for leg in entries if leg.amount != 0]
    if not legs:
        raise UnbalancedTransaction(f"{kind} {key}: a transaction needs entries")
    if sum(leg.amount for leg in legs) != 0:
        raise UnbalancedTransaction(f"{kind} {key}: entries sum to {sum(leg.amount for leg in legs)}, not zero")
    for leg in legs:
        known_kind(leg.account)  # NotFound for a code the ledger does not know, before anything is written
    transaction = LedgerTransaction(kind=kind, description=description[:500], idempotency_key=key, order_id=order_id)
    session.add(transaction)
    session.flush()
    params = {"transaction_id": transaction.id}
    for n, leg in enumerate(legs):
        params.update({f"code{n}": leg.account, f"amount{n}": leg.amount, f"line{n}": leg.order_line_id})
        params[f"memo{n}"] = leg.memo[:200]
    written = session.execute(_entries_insert(len(legs)), params).rowcount
    if written != len(legs):
        _write_missing_legs(session, transaction.id, legs)
    return transaction


@functools.cache
def _entries_insert(legs: int):
    """INSERT … SELECT of ``legs`` entries whose accounts are found by code; built once per number of legs.

    A Core INSERT on the table, so its rowcount is the rows written (kept with ``preserve_rowcount``).
    """
    rows = [
        select(
            literal(n).label("n"),
            bindparam(f"code{n}", type_=String).label("code"),
            bindparam(f"amount{n}", type_=Integer).label("amount"),
            bindparam(f"line{n}", type_=Integer).label("line"),
            bindparam(f"memo{n}", type_=String).label("memo"),
        )
        for n in range(legs)
    ]
    wanted = (union_all(*rows) if legs > 1 else rows[0]).subquery("legs")
    return (
        insert(Entry.__table__)
        .from_select(
            ["transaction_id", "account_id", "amount", "order_line_id", "memo"],
            select(
                bindparam("transaction_id", type_=Integer), Account.id, wanted.c.amount, wanted.c.line, wanted.c.memo
            )
            .join(Account, Account.code == wanted.c.code)
            .order_by(wanted.c.n),
        )
        .execution_options(preserve_rowcount=True)
    )


def _write_missing_legs(session: Session, transaction_id: int, legs: list[EntryLine]) -> None:
    """The legs ``post_new`` could not write because their account did not exist yet: create it, write them."""
    present = set(session.scalars(select(Account.code).join(Entry).where(Entry.transaction_id == transaction_id)))
    for leg in legs:
        if leg.account in present:
            continue
        session.add(
            Entry(
                transaction_id=transaction_id,
                account_id=account(session, leg.account).id,
                amount=leg.amount,
                order_line_id=leg.order_line_id,
                memo=leg.memo[:200],
            )
        )
    session.flush()


def _validate_sale(sale: Sale) -> None:
    if sale.money_account not in (*MONEY_ACCOUNTS, UNALLOCATED):
        raise ValidationFailed(
            N_("Money can only be received into %(accounts)s."),
            field="money_account",
            accounts=", ".join(MONEY_ACCOUNTS),
        )
    if sale.shipping < 0 or sale.fee < 0:
        raise ValidationFailed(N_("Shipping and fees cannot be negative."), field="shipping")
    seen: set[int] = set()
    for line in sale.lines:
        if line.order_line_id in seen:
            raise ValidationFailed(
                N_("Order line %(line)s appears twice in one sale."), field="lines", line=line.order_line_id
            )
        seen.add(line.order_line_id)
        if line.amount < 0:
            raise ValidationFailed(
                N_("The amount of order line %(line)s cannot be negative."), field="lines", line=line.order_line_id
            )
        if not 0 <= line.weavers_bp <= BASIS_POINTS:
            raise ValidationFailed(
                N_("The weavers' share of order line %(line)s must be between 0%% and 100%%."),
                field="lines",
                line=line.order_line_id,
            )
        weaver_ids = [weaver_id for weaver_id, _ in line.weavers]
        shares = [share for _, share in line.weavers]
        if len(set(weaver_ids)) != len(weaver_ids) or any(share <= 0 for share in shares):
            raise ValidationFailed(
                N_("Each weaver of order line %(line)s must appear once, with a positive share."),
                field="lines",
                line=line.order_line_id,
            )
        if (line.weavers or line.weavers_bp) and sum(shares) != BASIS_POINTS:
            raise ValidationFailed(
                N_("The weavers' shares of order line %(line)s must add up to 100%%."),
                field="lines",
                line=line.order_line_id,
            )
    total = sum(line.amount for line in sale.lines) + sale.shipping
    if total <= 0:
        raise ValidationFailed(N_("A sale must bring in some money."), field="lines")
    if sale.fee > total:
        raise ValidationFailed(N_("The processor's fee cannot exceed the amount received."), field="fee")


def sale_entries(sale: Sale) -> list[EntryLine]:
    """The legs of a sale: money in, each line split between its weavers and the fund, shipping, the fee."""
    money = sale.money_account
    legs = [EntryLine(money, sum(line.amount for line in sale.lines) + sale.shipping, memo="received")]
    for line in sale.lines:
        split = splits.split_line(line.amount, line.weavers_bp, line.weavers)
        for weaver_id, credit in split.weavers.items():
            legs.append(EntryLine(weaver_code(weaver_id), -credit, line.order_line_id, "weaver's share"))
        legs.append(EntryLine("fund", -split.fund, line.order_line_id, "cooperative fund"))
    legs.append(EntryLine("shipping_income", -sale.shipping, memo="shipping"))
    legs.append(EntryLine("processor_fees", sale.fee, memo="processor fee"))
    legs.append(EntryLine(money, -sale.fee, memo="processor fee"))
    return legs


def post_sale(session: Session, sale: Sale, *, new: bool = False) -> LedgerTransaction:
    """Post one payment as one balanced transaction (kind ``"sale"``, idempotent on ``sale.key``).

    ``new``: the caller holds the lock that decides whether this sale exists (the order's row, its payment just
    moved to succeeded), so the key cannot be taken; the posting then costs two statements (``post_new``).
    """
    if new:
        _validate_sale(sale)
        return post_new(
            session,
            kind=SALE,
            key=sale.key,
            entries=sale_entries(sale),
            order_id=sale.order_id,
            description=sale.description,
        )
    existing = _existing(session, sale.key, SALE)
    if existing is not None:
        return existing
    _validate_sale(sale)
    return post(
        session,
        kind=SALE,
        key=sale.key,
        entries=sale_entries(sale),
        order_id=sale.order_id,
        description=sale.description,
    )


# --- money no order has taken ---------------------------------------------------------------------------------


def _check_money_account(money_account: str) -> None:
    if money_account not in MONEY_ACCOUNTS:
        raise ValidationFailed(
            N_("Money can only be received into %(accounts)s."),
            field="money_account",
            accounts=", ".join(MONEY_ACCOUNTS),
        )


def post_receipt(
    session: Session, *, key: str, order_id: int, money_account: str, amount: int, fee: int, description: str
) -> LedgerTransaction:
    """Money came in for an order that cannot take it now: it waits in ``unallocated``, its fee paid at once.

    Nobody is credited: the weavers' shares are booked only if the order is reinstated (``post_sale`` from
    ``unallocated``, with no fee, since this posting already paid it). Idempotent on ``key``.
    """
    existing = _existing(session, key, RECEIPT)
    if existing is not None:
        return existing
    _check_money_account(money_account)
    if amount <= 0 or not 0 <= fee <= amount:
        raise ValidationFailed(N_("A payment must bring in some money, and its fee cannot exceed it."), field="amount")
    legs = [
        EntryLine(money_account, amount, memo="received, to resolve"),
        EntryLine(UNALLOCATED, -amount, memo="received, to resolve"),
        EntryLine("processor_fees", fee, memo="processor fee"),
        EntryLine(money_account, -fee, memo="processor fee"),
    ]
    return post(session, kind=RECEIPT, key=key, entries=legs, order_id=order_id, description=description)


def post_return(
    session: Session, *, key: str, order_id: int, money_account: str, amount: int, description: str
) -> LedgerTransaction:
    """Give back money that waits in ``unallocated`` (never more than it holds for this order)."""
    existing = _existing(session, key, RETURN)
    if existing is not None:
        return existing
    _check_money_account(money_account)
    _lock_order_postings(session, order_id)
    held = -int(
        session.scalar(
            select(func.coalesce(func.sum(Entry.amount), 0))
            .join(LedgerTransaction, Entry.transaction_id == LedgerTransaction.id)
            .join(Account, Entry.account_id == Account.id)
            .where(LedgerTransaction.order_id == order_id, Account.code == UNALLOCATED)
        )
    )
    if not 0 < amount <= held:
        raise _too_much(amount, held, field="amount")
    legs = [EntryLine(UNALLOCATED, amount, memo="given back"), EntryLine(money_account, -amount, memo="given back")]
    return post(session, kind=RETURN, key=key, entries=legs, order_id=order_id, description=description)


def post_fee(session: Session, *, key: str, order_id: int, money_account: str, fee: int, description: str):
    """Book a processor's fee learnt after its payment was booked: the expense, out of the money it kept."""
    _check_money_account(money_account)
    if fee < 0:
        raise ValidationFailed(N_("Shipping and fees cannot be negative."), field="fee")
    legs = [
        EntryLine("processor_fees", fee, memo="processor fee"),
        EntryLine(money_account, -fee, memo="processor fee"),
    ]
    return post(session, kind=FEE, key=key, entries=legs, order_id=order_id, description=description)


# --- what an order received -----------------------------------------------------------------------------------


def _order_ledger(session: Session, order_id: int) -> OrderReceived:
    """Sum the order's postings per line and party. A reversal counts with the kind it reverses, so a reversed
    sale no longer counts as received and a reversed refund no longer as refunded."""
    reversed_tx = aliased(LedgerTransaction)
    effective = case((LedgerTransaction.kind == REVERSAL, reversed_tx.kind), else_=LedgerTransaction.kind)
    rows = session.execute(
        select(Entry.order_line_id, Account.code, Account.weaver_id, effective, func.sum(Entry.amount))
        .join(LedgerTransaction, Entry.transaction_id == LedgerTransaction.id)
        .outerjoin(reversed_tx, LedgerTransaction.reverses_id == reversed_tx.id)
        .join(Account, Entry.account_id == Account.id)
        .where(LedgerTransaction.order_id == order_id)
        .group_by(Entry.order_line_id, Account.code, Account.weaver_id, effective)
    ).all()
    credited: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))  # line -> weaver|None(fund)
    given_back: dict[int, dict[int | None, int]] = defaultdict(lambda: defaultdict(int))
    shipping_received = shipping_refunded = fees = 0
    for line_id, code, weaver_id, kind, total in rows:
        total = int(total or 0)
        if kind == SALE:
            if line_id is not None and (weaver_id is not None or code == "fund"):
                credited[line_id][weaver_id] -= total
            elif code == "shipping_income":
                shipping_received -= total
            elif code == "processor_fees":
                fees += total
        elif kind == REFUND:
            if line_id is not None and (weaver_id is not None or code == "fund"):
                given_back[line_id][weaver_id] += total
            elif code == "shipping_income":
                shipping_refunded += total
    lines: dict[int, LineReceived] = {}
    for line_id in sorted(set(credited) | set(given_back)):
        parties = credited[line_id]
        back = given_back[line_id]
        weaver_ids = sorted({w for w in parties if w is not None} | {w for w in back if w is not None})
        lines[line_id] = LineReceived(
            order_line_id=line_id,
            received=sum(parties.values()),
            refunded=sum(back.values()),
            weavers={w: (parties.get(w, 0), back.get(w, 0)) for w in weaver_ids},
        )
    reversal = aliased(LedgerTransaction)
    sale_ids = session.scalars(
        select(LedgerTransaction.id)
        .outerjoin(reversal, (reversal.reverses_id == LedgerTransaction.id) & (reversal.kind == REVERSAL))
        .where(LedgerTransaction.order_id == order_id, LedgerTransaction.kind == SALE, reversal.id.is_(None))
        .order_by(LedgerTransaction.id)
    ).all()
    return OrderReceived(
        order_id=order_id,
        lines=lines,
        shipping_received=shipping_received,
        shipping_refunded=shipping_refunded,
        fees=fees,
        sale_ids=tuple(sale_ids),
    )


def order_received(session: Session, order_id: int) -> OrderReceived:
    """What the order brought in and gave back, per line (and per weaver on it) and for shipping."""
    return _order_ledger(session, order_id)


# --- refunds --------------------------------------------------------------------------------------------------


def _lock_order_postings(session: Session, order_id: int) -> None:
    """Serialize refunds of one order: a second refund waits here until the first commits, then sees it.
    (PostgreSQL row locks; SQLite writers are already serialized by BEGIN IMMEDIATE.)"""
    session.execute(select(LedgerTransaction.id).where(LedgerTransaction.order_id == order_id).with_for_update()).all()


def _too_much(amount: int, available: int, *, field: str, line: int | None = None) -> ValidationFailed:
    if line is None:
        return ValidationFailed(
            N_("A refund of %(amount)s centavos is more than the %(available)s centavos left to refund."),
            field=field,
            amount=amount,
            available=available,
        )
    return ValidationFailed(
        N_("A refund of %(amount)s centavos on order line %(line)s is more than the %(available)s left to refund."),
        field=field,
        amount=amount,
        line=line,
        available=available,
    )


def _refund_parts(
    ledger: OrderReceived, amount: int, lines: dict[int, int] | None, shipping: int | None
) -> tuple[dict[int, int], int]:
    """How much of the refund each line and the shipping give back, checked against what is left."""
    if amount <= 0:
        raise ValidationFailed(N_("A refund must be more than zero."), field="amount")
    if lines is None and shipping is None:
        if amount > ledger.refundable:
            raise _too_much(amount, ledger.refundable, field="amount")
        received = [(line_id, line.received) for line_id, line in ledger.lines.items()]
        received.append((SHIPPING, ledger.shipping_received))
        refunded = {line_id: line.refunded for line_id, line in ledger.lines.items()}
        refunded[SHIPPING] = ledger.shipping_refunded
        parts = splits.refund_order(received=received, refunded=refunded, amount=amount)
        shipping_part = parts.pop(SHIPPING)
        return {line_id: part for line_id, part in parts.items() if part}, shipping_part
    lines = dict(lines or {})
    shipping = shipping or 0
    if shipping < 0 or any(part <= 0 for part in lines.values()):
        raise ValidationFailed(N_("Each amount refunded must be more than zero."), field="lines")
    if sum(lines.values()) + shipping != amount:
        raise ValidationFailed(
            N_("The refund of %(amount)s centavos does not match its lines and shipping (%(parts)s)."),
            field="amount",
            amount=amount,
            parts=sum(lines.values()) + shipping,
        )
    for line_id, part in lines.items():
        line = ledger.lines.get(line_id)
        available = line.refundable if line else 0
        if part > available:
            raise _too_much(part, available, field="lines", line=line_id)
    if shipping > ledger.shipping_refundable:
        raise _too_much(shipping, ledger.shipping_refundable, field="shipping")
    return lines, shipping


def post_refund(
    session: Session,
    *,
    key: str,
    order_id: int,
    money_account: str,
    amount: int,
    lines: dict[int, int] | None = None,
    shipping: int | None = None,
    description: str = "",
) -> LedgerTransaction:
    """Give back ``amount`` of an order's money from ``money_account``, reversing the split in proportion.

    With ``lines`` ({order_line_id: amount}) and/or ``shipping``, exactly those parts are refunded and must add
    up to ``amount``; otherwise ``amount`` is spread over the lines and shipping in proportion to what each
    received. Processor fees are never given back (the processor keeps them). Idempotent on ``key``.
    """
    existing = _existing(session, key, REFUND)
    if existing is not None:
        return existing
    if money_account not in MONEY_ACCOUNTS:
        raise ValidationFailed(
            N_("Money can only be paid back from %(accounts)s."),
            field="money_account",
            accounts=", ".join(MONEY_ACCOUNTS),
        )
    _lock_order_postings(session, order_id)
    existing = _existing(session, key, REFUND)  # a concurrent retry of this refund may have committed meanwhile
    if existing is not None:
        return existing
    ledger = _order_ledger(session, order_id)
    line_parts, shipping_part = _refund_parts(ledger, amount, lines, shipping)
    legs: list[EntryLine] = []
    for line_id in sorted(line_parts):
        line = ledger.lines[line_id]
        split = splits.refund_line(
            received=line.received,
            refunded=line.refunded,
            credits={w: credited for w, (credited, _) in line.weavers.items()},
            reversed_={w: back for w, (_, back) in line.weavers.items()},
            amount=line_parts[line_id],
        )
        for weaver_id, back in split.weavers.items():
            legs.append(EntryLine(weaver_code(weaver_id), back, line_id, "refund"))
        legs.append(EntryLine("fund", split.fund, line_id, "refund"))
    legs.append(EntryLine("shipping_income", shipping_part, memo="shipping refund"))
    legs.append(EntryLine(money_account, -amount, memo="refund paid"))
    return post(
        session,
        kind=REFUND,
        key=key,
        entries=legs,
        order_id=order_id,
        reverses_id=ledger.sale_ids[0] if len(ledger.sale_ids) == 1 else None,
        description=description,
    )


# --- reversals ------------------------------------------------------------------------------------------------


def transaction_entries(session: Session, transaction_id: int) -> list[Entry]:
    return list(session.scalars(select(Entry).where(Entry.transaction_id == transaction_id).order_by(Entry.id)))


def reverse(session: Session, transaction_id: int, *, key: str, description: str) -> LedgerTransaction:
    """Undo a transaction with a new one whose every entry is negated (kind ``"reversal"``, ``reverses_id`` set).

    A reversal cannot itself be reversed, a transaction is reversed at most once, and a sale cannot be reversed
    while refunds still take back part of it (reverse those refunds first).
    """
    existing = _existing(session, key, REVERSAL)
    if existing is not None:
        if existing.reverses_id != transaction_id:
            raise Conflict(N_("The key “%(key)s” was already used to reverse another transaction."), key=key)
        return existing
    original = session.scalar(select(LedgerTransaction).where(LedgerTransaction.id == transaction_id).with_for_update())
    if original is None:
        raise NotFound(N_("There is no ledger transaction %(id)s."), id=transaction_id)
    existing = _existing(session, key, REVERSAL)  # a concurrent retry may have committed while we waited
    if existing is not None and existing.reverses_id == transaction_id:
        return existing
    if original.kind == REVERSAL:
        raise Conflict(N_("A reversal cannot be reversed; post a new transaction instead."))
    already = session.scalar(
        select(LedgerTransaction.id).where(
            LedgerTransaction.reverses_id == transaction_id, LedgerTransaction.kind == REVERSAL
        )
    )
    if already is not None:
        raise Conflict(N_("Transaction %(id)s was already reversed."), id=transaction_id)
    entries = transaction_entries(session, transaction_id)
    accounts = {
        row.id: row
        for row in session.execute(
            select(Account.id, Account.code, Account.weaver_id).where(Account.id.in_({e.account_id for e in entries}))
        )
    }
    if original.kind == SALE and original.order_id is not None:
        _check_sale_can_be_reversed(session, original.order_id, entries, accounts)
    codes = {account_id: row.code for account_id, row in accounts.items()}
    return post(
        session,
        kind=REVERSAL,
        key=key,
        entries=[EntryLine(codes[e.account_id], -e.amount, e.order_line_id, e.memo) for e in entries],
        order_id=original.order_id,
        reverses_id=original.id,
        description=description,
    )


def _check_sale_can_be_reversed(session: Session, order_id: int, entries: Iterable[Entry], accounts: dict) -> None:
    ledger = _order_ledger(session, order_id)
    weaver_of = {account_id: row.weaver_id for account_id, row in accounts.items()}
    removed: dict[int, int] = defaultdict(int)
    removed_from: dict[tuple[int, int], int] = defaultdict(int)
    for entry in entries:
        if entry.order_line_id is None:
            continue
        removed[entry.order_line_id] -= entry.amount
        weaver_id = weaver_of.get(entry.account_id)
        if weaver_id is not None:
            removed_from[entry.order_line_id, weaver_id] -= entry.amount
    for line_id, line in ledger.lines.items():
        over_line = line.refunded > line.received - removed.get(line_id, 0)
        over_weaver = any(
            back > credited - removed_from.get((line_id, w), 0) for w, (credited, back) in line.weavers.items()
        )
        if over_line or over_weaver:
            raise Conflict(N_("Refunds still take back part of this sale; reverse those refunds first."))


# --- balances -------------------------------------------------------------------------------------------------

_CREDIT_NATURED = (AccountKind.liability, AccountKind.income)


def _natural(kind: AccountKind | str, raw: int) -> int:
    return -raw if AccountKind(kind) in _CREDIT_NATURED else raw


def balance(session: Session, code: str) -> int:
    """An account's balance in its natural sign: what assets hold and expenses cost are positive, and so are
    what liabilities owe and income earned (a weaver owed 500 centavos shows 500)."""
    found = find_account(session, code)
    if found is None:
        known_kind(code)  # NotFound for a code the ledger does not know
        return 0
    raw = session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(Entry.account_id == found.id))
    return _natural(found.kind, int(raw))


def weaver_balance(session: Session, weaver_id: int) -> int:
    """What the cooperative owes a weaver now (sales less refunds, less payouts once they post)."""
    return balance(session, weaver_code(weaver_id))


def trial_balance(session: Session) -> list[TrialBalanceRow]:
    """Every account's debits, credits and net (raw sign, debit positive); the nets sum to zero."""
    debit = func.coalesce(func.sum(case((Entry.amount > 0, Entry.amount), else_=0)), 0)
    credit = func.coalesce(func.sum(case((Entry.amount < 0, -Entry.amount), else_=0)), 0)
    # A weaver's account shows her name as it is now (the account keeps the one she had when it was opened).
    name = func.coalesce(Weaver.name, Account.name)
    rows = session.execute(
        select(Account.code, name, Account.kind, debit, credit)
        .outerjoin(Weaver, Weaver.id == Account.weaver_id)
        .outerjoin(Entry, Entry.account_id == Account.id)
        .group_by(Account.id, Account.code, Account.name, Weaver.name, Account.kind)
        .order_by(Account.code)
    ).all()
    return [
        TrialBalanceRow(code, name, AccountKind(kind).value, int(d), int(c), int(d) - int(c))
        for code, name, kind, d, c in rows
    ]
