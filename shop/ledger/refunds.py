"""Posting a refund: an order's money given back, the split reversed in proportion to what each part received."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shop.errors import N_, ValidationFailed
from shop.ledger import splits
from shop.ledger.chart import weaver_code
from shop.ledger.models import LedgerTransaction
from shop.ledger.posting import REFUND, existing_posting, post
from shop.ledger.received import lock_order_postings, order_received
from shop.ledger.schemas import MONEY_ACCOUNTS, EntryLine, OrderReceived

SHIPPING = "shipping"  # the order-level refund's key for the shipping part (lines are keyed by their id)


def too_much_to_give_back(amount: int, available: int, *, field: str, line: int | None = None) -> ValidationFailed:
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
            raise too_much_to_give_back(amount, ledger.refundable, field="amount")
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
            raise too_much_to_give_back(part, available, field="lines", line=line_id)
    if shipping > ledger.shipping_refundable:
        raise too_much_to_give_back(shipping, ledger.shipping_refundable, field="shipping")
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
    existing = existing_posting(session, key, REFUND)
    if existing is not None:
        return existing
    if money_account not in MONEY_ACCOUNTS:
        raise ValidationFailed(
            N_("Money can only be paid back from %(accounts)s."),
            field="money_account",
            accounts=", ".join(MONEY_ACCOUNTS),
        )
    lock_order_postings(session, order_id)
    existing = existing_posting(session, key, REFUND)  # a concurrent retry of this refund may have committed meanwhile
    if existing is not None:
        return existing
    ledger = order_received(session, order_id)
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
