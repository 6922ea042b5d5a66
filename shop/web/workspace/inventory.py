"""Inventory: the list of pieces, and finding a piece that a person may look after.

A member sees and changes only her own pieces. The pages of one piece live in modules of their own:
``product_form`` (adding and editing), ``product_photos``, ``product_status`` (publishing) and ``stock_form``;
``product_page`` shows them, and ``form_reading`` reads what was typed.

Plain forms only. A form with a mistake comes back with status 422, every message next to its field, and
everything typed still there; nothing is written (the request's transaction is rolled back before the
form is shown again). Uploaded photo files that were already stored are harmless: files are named after
their content, and an unreferenced one is merely unused.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from shop.accounts.models import Role
from shop.api.http.auth import Signed, require
from shop.api.http.deps import SessionDep
from shop.catalogue import service as catalogue
from shop.catalogue.inventory import inventory_page, looked_after_id
from shop.catalogue.models import Product, ProductStatus
from shop.catalogue.stock import holds_on, lock_products
from shop.clock import utcnow
from shop.errors import N_, NotFound
from shop.orders.scope import mine, sees_everything
from shop.web.flash import flash_message
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller", include_in_schema=False)
# Members look after their own pieces; the treasurer, the council and admins after all of them.
Keeper = Annotated[Signed, Depends(require(Role.member, Role.treasurer, Role.council, Role.admin))]
Short = Annotated[str, Form(max_length=1000)]

PAGE_SIZE = 60
STATUS_NAMES = {
    ProductStatus.draft: N_("Not published"),
    ProductStatus.active: N_("For sale"),
    ProductStatus.sold_out: N_("Sold out"),
    ProductStatus.archived: N_("Put away"),
}


def find_editable(session, who: Signed, slug: str, *, lock: bool = False) -> Product:
    """The piece at ``slug`` if this person may look after it; anyone else's is simply not found."""
    product_id = looked_after_id(session, slug, scope=partial(mine, who=who))
    if product_id is None:
        raise NotFound(N_("We could not find that piece."))
    if lock:
        lock_products(session, [product_id])
    return catalogue.get_product_for_edit(session, slug)


def redirect_saved(request: Request, url: str, message: str, kind: str = "ok", **params) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    flash_message(request, response, message, kind, **params)
    return response


@router.get("/inventario")
def inventory(
    request: Request, session: SessionDep, who: Keeper, sin_foto: str = "", estado: str = "", pagina: str = ""
):
    no_photo = sin_foto == "1"
    status = ProductStatus(estado) if estado in ProductStatus.__members__ else None
    page = int(pagina) if pagina.isdigit() and 0 < int(pagina) < 100_000 else 1
    found = inventory_page(
        session, scope=partial(mine, who=who), status=status, no_photo=no_photo, page=page, page_size=PAGE_SIZE
    )
    products, counts, total = found.products, found.counts, found.total
    return ws_render(
        request,
        "workspace/inventory.html",
        {
            "products": products,
            "holds": holds_on(session, [p.id for p in products], utcnow()),
            "counts": counts,
            "photoless": found.photoless,
            "all_count": sum(n for s, n in counts.items() if s != ProductStatus.archived),
            "no_photo": no_photo,
            "status": status,
            "status_names": STATUS_NAMES,
            "status_order": (ProductStatus.active, ProductStatus.draft, ProductStatus.sold_out, ProductStatus.archived),
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "total": total,
            "sees_all": sees_everything(who),
        },
    )
