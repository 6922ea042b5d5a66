"""Posting a sale: money in, each line split between its weavers and the fund, shipping and the processor's fee."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from shop.errors import N_, ValidationFailed
from shop.ledger import splits
from shop.ledger.chart import weaver_code
from shop.ledger.models import LedgerTransaction
from shop.ledger.posting import SALE, existing_posting, post, post_new
from shop.ledger.schemas import MONEY_ACCOUNTS, UNALLOCATED, EntryLine, Sale
from shop.money import BASIS_POINTS


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


def post_sale(
    session: Session, sale: Sale, *, new: bool = False, booked_at: datetime | None = None
) -> LedgerTransaction:
    """Post one payment as one balanced transaction (kind ``"sale"``, idempotent on ``sale.key``).

    ``new``: the caller holds the lock that decides whether this sale exists (the order's row, its payment just
    moved to succeeded), so the key cannot be taken; the posting then costs two statements (``post_new``).
    """
    if not new and (existing := existing_posting(session, sale.key, SALE)) is not None:
        return existing
    _validate_sale(sale)
    if new:
        return post_new(
            session,
            kind=SALE,
            key=sale.key,
            entries=sale_entries(sale),
            order_id=sale.order_id,
            description=sale.description,
        )
    return post(
        session,
        kind=SALE,
        key=sale.key,
        entries=sale_entries(sale),
        order_id=sale.order_id,
        description=sale.description,
        booked_at=booked_at,
    )
