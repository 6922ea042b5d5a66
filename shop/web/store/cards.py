"""Product cards, rendered once per catalogue revision and day (``shop.api.http.revision_store``) and reused by every
page that shows them.

A card is the same for every visitor. It changes with the product's rows (the revision), its fair-trade claims
(the revision and the day), the units a buyer can take now, and the language. The units are asked for on every
page (a hold ends by the clock, with no row changing), so they are part of a card's key. A page then costs one
small query and a join of kept HTML instead of loading and rendering every piece.
"""

from __future__ import annotations

from fastapi import Request
from markupsafe import Markup
from sqlalchemy.orm import Session

from shop.api.http.revision_store import RevisionStore
from shop.api.http.shown_products import shown_products
from shop.web.templating import language_helpers, render_fragment

CardKey = tuple[str, int, int, bool]  # (language, product id, units available now, photo loaded at once)
EAGER = 2  # the first cards of a grid are in the first screen: their photos load at once


def cards_for(
    request: Request, session: Session, lang: str, shown: list[tuple[int, int]], *, eager: int = EAGER
) -> list[Markup]:
    """The cards of ``shown`` ((product id, units available now) in page order); the first ``eager`` load their
    photos at once."""
    store: RevisionStore = request.app.state.revision_store
    keys = [(lang, pid, max(0, units), index < eager) for index, (pid, units) in enumerate(shown)]
    return store.parts(request, keys, lambda missing: render_cards(session, lang, missing))


def render_cards(session: Session, lang: str, keys: list[CardKey]) -> dict[CardKey, Markup]:
    products, claims = shown_products(session, (pid for _, pid, _, _ in keys))
    helpers = language_helpers(lang)
    made = {}
    for key in keys:
        _, pid, units, eager = key
        if pid in products:
            context = {**helpers, "p": products[pid], "eager": eager, "available": {pid: units}}
            made[key] = render_fragment("store/_card.html", {**context, "claims": claims})
    return made
