"""Changing a piece's stock, always with a reason: newly woven, returned, damaged, recounted, or sold in person.

"Sold in person" is not a stock change but a sale: it is recorded through the in-person sale, with its cash
and its split in the ledger, and the member gets the receipt.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from shop.api.http.deps import SessionDep
from shop.catalogue.models import ProductStatus, StockReason
from shop.catalogue.stock_changes import TAKES_AWAY, adjust_stock
from shop.clock import utcnow
from shop.errors import N_, DomainError
from shop.orders.schemas import OrderItem
from shop.payments.offline import sell_in_person
from shop.web.workspace.form_reading import Problems, read_whole
from shop.web.workspace.inventory import Keeper, find_editable, redirect_saved
from shop.web.workspace.product_page import form_again

router = APIRouter(prefix="/taller", include_in_schema=False)


@router.post("/inventario/{slug}/existencias")
def change_stock(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    reason: Annotated[str, Form(max_length=40)] = "",
    quantity: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
):
    product = find_editable(session, who, slug, lock=True)
    problems = Problems(request)
    chosen = StockReason(reason) if reason in StockReason.__members__ else None
    if chosen is None:
        problems.add("reason", N_("Choose why the stock changes."))
    count = read_whole(quantity, "quantity", problems)
    if count is None and "quantity" not in problems:
        problems.add("quantity", N_("Write how many."))
    if not problems and chosen is StockReason.sold_in_person and count > product.stock_on_hand:
        problems.add(
            "quantity",
            N_("There are only %(count)d in stock; the stock cannot go below zero."),
            count=product.stock_on_hand,
        )
    elif not problems and chosen is StockReason.sold_in_person:
        try:
            order = sell_in_person(
                session,
                items=[OrderItem(product_id=product.id, quantity=count)],
                actor=who.user.name,
                now=utcnow(),
                note=note,
            )
        except DomainError as exc:
            problems.add_error(exc, None if exc.field in ("quantity", "note") else "quantity")
        else:
            return redirect_saved(
                request,
                f"/taller/venta/{order.number}/recibo",
                N_("Sale %(number)s recorded. Give the buyer her receipt."),
                number=order.number,
            )
    elif not problems:
        if chosen is StockReason.count_correction:
            change = {"new_count": count}
        elif chosen in TAKES_AWAY:
            change = {"delta": -count}
        else:  # PUTS_BACK
            change = {"delta": count}
        try:
            movement = adjust_stock(
                session, product, **change, reason=chosen, note=note, actor=who.user.name, now=utcnow()
            )
        except DomainError as exc:
            problems.add_error(exc)
    if problems:
        return form_again(
            request,
            session,
            who,
            slug,
            stock_values={"reason": reason, "quantity": quantity, "note": note},
            stock_errors=problems.items,
        )
    if product.status is ProductStatus.sold_out:
        message = N_("Stock saved: there are now %(count)d. The store shows the piece as sold out.")
    else:
        message = N_("Stock saved: there are now %(count)d.")
    return redirect_saved(request, f"/taller/inventario/{slug}", message, count=movement.stock_after)
