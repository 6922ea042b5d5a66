"""Selling at the cooperative's shop: pick the pieces, see the total, take the cash, print a receipt.

No JavaScript: every "+" and "−" posts the whole sale back and the page comes back with the new total.
The sale is recorded only by "Cash received", and only if the total the seller saw is still the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from shop.api.http.auth import Staff
from shop.api.http.deps import ErrorPage, SessionDep
from shop.catalogue import counter, stock
from shop.catalogue.models import Product
from shop.clock import utcnow
from shop.errors import N_, DomainError, NotFound
from shop.i18n import translator
from shop.orders.models import Channel
from shop.orders.schemas import OrderItem
from shop.orders.scope import visible_order
from shop.payments.counter_sales import COUNTER, recent_counter_sales, same_sale_just_now
from shop.payments.offline import sell_in_person
from shop.payments.service import payment_of
from shop.web.flash import flash_message
from shop.web.workspace.inventory import Keeper
from shop.web.workspace.orders import THANKS
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)
MAX_LINES = 50
MAX_QUANTITY = 50


@dataclass
class SaleLine:
    product: Product
    quantity: int
    available: int
    typed: str = ""

    @property
    def total(self) -> int:
        return self.product.price_amount * self.quantity


def _lines_again(session, kept: list[tuple[int, int, int, str]]) -> list[SaleLine]:
    """The sale's lines read again after a refusal undid the request's writes."""
    products = counter.pieces(session, [product_id for product_id, *_ in kept])
    return [SaleLine(products[pid], quantity, left, typed) for pid, quantity, left, typed in kept if pid in products]


def _sale_page(
    request: Request,
    session,
    lines: list[SaleLine],
    *,
    q: str = "",
    values=None,
    errors=None,
    notices=None,
    status: int = 200,
):
    grid, available, more = counter.counter_grid(session, q, utcnow())
    return ws_render(
        request,
        "workspace/sale.html",
        {
            "lines": lines,
            "in_sale": {line.product.id: line.quantity for line in lines},
            "total": sum(line.total for line in lines),
            "grid": grid,
            "grid_available": available,
            "more": more,
            "q": q,
            "values": values or {},
            "errors": errors or {},
            "notices": notices or {},
            "recent": recent_counter_sales(session),
        },
        status_code=status,
    )


@router.get("/venta")
def sale(request: Request, session: SessionDep, who: Staff, q: Annotated[str, Query(max_length=100)] = ""):
    return _sale_page(request, session, [], q=q)


def _wanted(pid: list[str], qty: list[str], errors: dict) -> tuple[dict[int, int], dict[int, str]]:
    """What the form says is in the sale: {product id: quantity}, and what was typed where it is not a number."""
    wanted: dict[int, int] = {}
    typed: dict[int, str] = {}
    for raw_id, raw_quantity in list(zip(pid, qty, strict=False))[:MAX_LINES]:
        if not raw_id.isdigit() or len(raw_id) > 12:
            continue
        product_id, text = int(raw_id), raw_quantity.strip() or "0"
        if not text.isdigit() or int(text) > MAX_QUANTITY:
            errors[product_id] = N_("Write how many pieces, with numbers, such as 1 or 2.")
            typed[product_id] = raw_quantity[:10]
            wanted[product_id] = 0
            continue
        wanted[product_id] = wanted.get(product_id, 0) + int(text)
    return wanted, typed


@router.post("/venta")
def sale_step(
    request: Request,
    session: SessionDep,
    who: Staff,
    pid: Annotated[list[str], Form()] = (),
    qty: Annotated[list[str], Form()] = (),
    add: Annotated[str, Form(max_length=12)] = "",
    less: Annotated[str, Form(max_length=12)] = "",
    action: Annotated[str, Form(max_length=10)] = "",
    q: Annotated[str, Form(max_length=100)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    expected_total: Annotated[str, Form(max_length=20)] = "",
    wholesale: Annotated[str, Form(max_length=1)] = "",
):
    """One step of a sale: add or take out a piece, search, update the total, or take the cash."""
    t = translator(request.state.lang)
    line_errors: dict[int, str] = {}
    notices: dict[int, str] = {}
    form_errors: dict[str, str] = {}
    wanted, typed = _wanted(list(pid), list(qty), line_errors)
    line_errors = {k: t.gettext(v) for k, v in line_errors.items()}
    added = int(add) if add.isdigit() else None
    if added is not None:
        wanted[added] = wanted.get(added, 0) + 1
    if less.isdigit() and int(less) in wanted:
        wanted[int(less)] -= 1
        line_errors.pop(int(less), None)
        typed.pop(int(less), None)
        if wanted[int(less)] <= 0:
            del wanted[int(less)]
    # Numbers typed as zero take the piece out of the sale.
    wanted = {k: v for k, v in wanted.items() if v > 0 or k in line_errors}
    if action == "sell" and wanted and not line_errors:
        # Hold the pieces' rows first, so a second click waits for the first and then finds its sale.
        stock.lock_products(session, list(wanted))
        done = same_sale_just_now(session, who.user.name, wanted, utcnow())
        if done is not None:
            response = RedirectResponse(f"/taller/venta/{done.number}/recibo", status_code=303)
            flash_message(request, response, N_("Sale %(number)s was already recorded."), number=done.number)
            return response

    products = counter.pieces(session, list(wanted), only_sellable=True)
    if any(product_id not in products for product_id in wanted):
        form_errors["form"] = t.gettext("A piece in the sale is no longer for sale; it was taken out.")
    available = stock.available_quantities(session, list(products.values()), utcnow())
    lines = []
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None:
            continue
        left = available[product_id]
        if added == product_id and quantity > left:
            quantity = left
            notices[product_id] = t.gettext("That is all there is of this piece.")
            if quantity == 0:
                form_errors["form"] = t.gettext(
                    "“%(title)s” was just sold or is being paid for online.", title=product.title_es
                )
                continue
        elif quantity > left:
            line_errors[product_id] = (
                t.ngettext("Only %(num)d left.", "Only %(num)d left.", left)
                if left
                else t.gettext("Sold, or being paid for online. Take it out of the sale.")
            )
        lines.append(SaleLine(product, quantity, left, typed.get(product_id, "")))
    errors = {**form_errors, **{f"line-{k}": v for k, v in line_errors.items() if k in products}}
    values = {"name": name, "email": email, "wholesale": wholesale}
    total = sum(line.total for line in lines)

    if action == "sell":
        if not lines and "form" not in errors:
            errors["form"] = t.gettext("Add at least one piece to the sale.")
        if email.strip():
            try:
                validate_email(email.strip(), check_deliverability=False)
            except EmailNotValidError:
                errors["email"] = t.gettext("Check the email address, e.g. ana@example.org.")
        if not errors and expected_total != str(total):
            errors["form"] = t.gettext(
                "The total is now %(total)s. Check it with the buyer, then press “Cash received” again.",
                total=t.money(total, "MXN"),
            )
        if not errors:
            try:
                order = sell_in_person(
                    session,
                    items=[OrderItem(product_id=line.product.id, quantity=line.quantity) for line in lines],
                    actor=who.user.name,
                    now=utcnow(),
                    name=name,
                    email=email,
                    channel=Channel.wholesale if wholesale == "1" else Channel.in_person,
                )
            except DomainError as exc:
                errors["form"], status = exc.translated(t.gettext), exc.status_code
                kept = [(line.product.id, line.quantity, line.available, line.typed) for line in lines]
                raise ErrorPage(
                    lambda db: _sale_page(
                        request, db, _lines_again(db, kept), q=q, values=values, errors=errors, status=status
                    )
                ) from exc
            response = RedirectResponse(f"/taller/venta/{order.number}/recibo", status_code=303)
            flash_message(
                request, response, N_("Sale %(number)s recorded. Give the buyer her receipt."), number=order.number
            )
            return response
    status = 422 if errors else 200
    return _sale_page(request, session, lines, q=q, values=values, errors=errors, notices=notices, status=status)


@router.get("/venta/{number}/recibo")
def receipt(request: Request, session: SessionDep, who: Keeper, number: str):
    """A sale's receipt: for whoever may sell, and for a member whose piece it sold."""
    order = visible_order(session, number, who)
    if order.channel not in COUNTER:
        raise NotFound(N_("There is no order %(number)s."), number=number)
    return ws_render(
        request,
        "workspace/receipt.html",
        {
            "order": order,
            "payment": payment_of(session, order),
            "buyer_t": translator(order.language),
            "thanks": THANKS,
        },
    )
