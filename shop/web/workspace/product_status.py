"""Publishing a piece, taking it down, or putting it away (and bringing it back)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request

from shop.accounts.models import Role
from shop.api.http.deps import SessionDep
from shop.catalogue.models import ProductStatus
from shop.catalogue.stock_changes import change_status
from shop.clock import utcnow
from shop.errors import N_, Forbidden, ValidationFailed
from shop.notices.service import tell_about_new_piece
from shop.web.workspace.inventory import Keeper, find_editable, redirect_saved

router = APIRouter(prefix="/taller", include_in_schema=False)
STATUS_DONE = {
    ProductStatus.active: N_("Published: “%(title)s” is now for sale in the store."),
    ProductStatus.sold_out: N_("Published as sold out: “%(title)s” has none in stock."),
    ProductStatus.draft: N_("Taken down: buyers no longer see “%(title)s”."),
    ProductStatus.archived: N_("Put away: “%(title)s” is out of the store and of the daily list."),
}


@router.post("/inventario/{slug}/estado")
def set_status(
    request: Request,
    session: SessionDep,
    who: Keeper,
    slug: str,
    status: Annotated[str, Form(max_length=20)] = "",
):
    product = find_editable(session, who, slug)
    if status not in (ProductStatus.active, ProductStatus.draft, ProductStatus.archived):
        raise ValidationFailed(N_("Choose Publish or Take down."), field="status")
    wanted = ProductStatus(status)
    if (wanted is ProductStatus.archived or product.status is ProductStatus.archived) and not who.has(
        Role.council, Role.admin
    ):
        raise Forbidden(N_("Only the council or an admin can put pieces away or bring them back."))
    before = product.status
    now = utcnow()
    got = change_status(session, product, wanted, now=now)
    if got is ProductStatus.active and before is not ProductStatus.active:
        base_url = request.app.state.settings.base_url
        tell_about_new_piece(session, product_id=product.id, slug=product.slug, base_url=base_url, now=now)
    return redirect_saved(request, f"/taller/inventario/{slug}", STATUS_DONE[got], title=product.title_es)
