"""My earnings: what the cooperative owes a weaver, and each of her pieces that sold with her part of it.

Everything comes from the ledger: the balance of her own account ("weaver:<id>"), and her entries per order
line (a sale credits her account, so her part is minus their sum; a refund debits it back). Only the signed-in
weaver's own account is ever read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from fastapi import APIRouter, Request

from shop.api.http.auth import Anyone
from shop.api.http.deps import SessionDep
from shop.clock import to_local, utcnow
from shop.errors import N_, Forbidden
from shop.ledger.balances import weaver_balance
from shop.ledger.next_payout import next_payment
from shop.ledger.statements import active_months, her_lines, parse_month, statement
from shop.money import BASIS_POINTS, basis_points_percent
from shop.orders.models import Order, OrderLine, OrderLineWeaver
from shop.web.workspace.render import ws_render
from shop.web.workspace.thumbs import first_photos

router = APIRouter(prefix="/taller", include_in_schema=False)

NO_PROFILE = N_("This page shows the earnings of a weaver, and your account has no weaver profile. Ask an admin.")


@dataclass
class SoldPiece:
    line_id: int
    title: str
    sold_at: datetime
    quantity: int
    unit_price: int
    price: int
    currency: str
    earned: int  # her part of the sale
    refunded: int  # what refunds took back from her part (positive)
    share_bp: int  # her share of the weavers' part, when the piece was woven by several
    photo: str | None

    @property
    def kept(self) -> int:
        return self.earned - self.refunded

    @property
    def share_percent(self) -> str:
        return basis_points_percent(self.share_bp)

    @property
    def month(self) -> str:
        return to_local(self.sold_at).strftime("%Y-%m")


def _parse_month(value: str) -> str | None:
    """``YYYY-MM`` or nothing; anything else is refused with a clear message (422)."""
    return parse_month(value).strftime("%Y-%m") if value.strip() else None


def sold_pieces(session, weaver_id: int) -> list[SoldPiece]:
    """Her pieces that sold, newest first, with her part of each."""
    parts = her_lines(session, weaver_id)
    if not parts:
        return []
    rows = session.execute(
        sa.select(OrderLine, Order.paid_at, Order.created_at, Order.currency)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.id.in_(parts))
    ).all()
    shares = dict(
        session.execute(
            sa.select(OrderLineWeaver.order_line_id, OrderLineWeaver.share_bp).where(
                OrderLineWeaver.weaver_id == weaver_id, OrderLineWeaver.order_line_id.in_(parts)
            )
        ).all()
    )
    photos = first_photos(session, {line.product_id for line, *_ in rows if line.product_id is not None})
    pieces = [
        SoldPiece(
            line_id=line.id,
            title=line.title_es,
            sold_at=paid_at or created_at,
            quantity=line.quantity,
            unit_price=line.unit_price,
            price=line.line_total,
            currency=currency,
            earned=parts[line.id][0],
            refunded=parts[line.id][1],
            share_bp=shares.get(line.id, BASIS_POINTS),
            photo=photos.get(line.product_id) if line.product_id is not None else None,
        )
        for line, paid_at, created_at, currency in rows
    ]
    pieces.sort(key=lambda p: (p.sold_at, p.line_id), reverse=True)
    return pieces


def month_start(month: str) -> date:
    year, number = month.split("-")
    return date(int(year), int(number), 1)


@router.get("/ganancias")
def my_earnings(request: Request, session: SessionDep, who: Anyone, mes: str = ""):
    """Her own account only: the weaver id comes from the signed-in person, never from the address."""
    from shop.web.workspace.payouts import payout_minimum
    from shop.web.workspace.statements import her_payouts, statement_context

    weaver_id = who.user.weaver_id
    if weaver_id is None:
        raise Forbidden(NO_PROFILE)
    month = _parse_month(mes)
    pieces = sold_pieces(session, weaver_id)
    months = sorted({d.strftime("%Y-%m") for d in active_months(session, weaver_id)}, reverse=True)
    currency = request.app.state.settings.default_currency
    hold = timedelta(days=request.app.state.settings.payout_hold_days)
    upcoming = next_payment(session, weaver_id, now=utcnow(), hold=hold, minimum=payout_minimum(request, session))
    return ws_render(
        request,
        "workspace/earnings.html",
        {
            "owed": weaver_balance(session, weaver_id),
            "upcoming": upcoming,
            "currency": currency,
            "pieces": pieces,
            "months": [(m, month_start(m)) for m in months],
            "month": month,
            "month_date": month_start(month) if month else None,
            "total_kept": sum(p.kept for p in pieces),
            "full_share": BASIS_POINTS,
            "payouts": her_payouts(session, weaver_id, limit=12),
            "mine": True,
            **(statement_context(session, statement(session, weaver_id, month_start(month))) if month else {}),
        },
    )
