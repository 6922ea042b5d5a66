"""Product cards rendered once per catalogue revision and day, and reused by every page that shows them.

A card is the same for every visitor. It changes only with the product's rows (the catalogue revision), its
fair-trade claims (the revision and the day), the units a buyer can take now, and the language. The units are
asked for on every page (a hold ends by the clock, with no row changing), so they are part of a card's key;
everything else is the revision and day the page cache already follows (``catalogue_stamp`` in the request's
state). A page then costs one small query and a join of cached HTML instead of loading and rendering every
piece; the first page after a change renders its cards once for all later ones.

The same holds for a few facts every store page asks for (the categories with their counts, a piece's related
pieces): ``remember`` keeps them for the revision and day.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import sqlalchemy as sa
from fastapi import Request
from markupsafe import Markup
from sqlalchemy.orm import Session

from shop.catalogue.browse import card_options
from shop.catalogue.models import Product
from shop.certification.service import claims_on
from shop.web.templating import language_helpers, render_fragment

T = TypeVar("T")
Stamp = tuple[int, Any]  # (catalogue revision, local day)
CardKey = tuple[str, int, int, bool]  # (language, product id, units available now, photo loaded at once)
EAGER = 2  # the first cards of a grid are in the first screen: their photos load at once


class CardCache:
    """One per worker; forgets everything when the revision or the day changes, and stops keeping cards (but
    still serves them) once it holds ``max_bytes`` of HTML."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.stamp: Stamp | None = None
        self.cards: dict[CardKey, Markup] = {}
        self.facts: dict[Hashable, Any] = {}
        self.size = 0
        self._lock = threading.Lock()

    def _turn(self, stamp: Stamp) -> None:
        if stamp != self.stamp:
            self.stamp, self.cards, self.facts, self.size = stamp, {}, {}, 0

    def remember(self, request: Request, key: Hashable, compute: Callable[[], T]) -> T:
        """A fact that holds for one revision and day; computed afresh when the revision is unknown."""
        stamp = stamp_of(request)
        if stamp is None:
            return compute()
        with self._lock:
            self._turn(stamp)
            if key in self.facts:
                return self.facts[key]
        value = compute()
        with self._lock:
            if self.stamp == stamp:
                self.facts[key] = value
        return value

    def cards_for(
        self, request: Request, session: Session, lang: str, shown: list[tuple[int, int]], *, eager: int = EAGER
    ) -> list[Markup]:
        """The cards of ``shown`` ((product id, units available now) in page order), rendering those not kept;
        the first ``eager`` load their photos at once."""
        stamp = stamp_of(request)
        keys = [(lang, pid, max(0, units), index < eager) for index, (pid, units) in enumerate(shown)]
        with self._lock:
            if stamp is not None:
                self._turn(stamp)
            found = {key: self.cards[key] for key in keys if stamp is not None and key in self.cards}
        missing = [key for key in keys if key not in found]
        if missing:
            made = render_cards(session, lang, missing)
            with self._lock:
                for key, html in made.items():
                    if stamp is not None and self.stamp == stamp and self.size + len(html) <= self.max_bytes:
                        self.cards[key] = html
                        self.size += len(html)
            found.update(made)
        # A piece deleted between the page's query and its card's has no card: it is left out.
        return [found[key] for key in keys if key in found]


def stamp_of(request: Request) -> Stamp | None:
    return getattr(request.state, "catalogue_stamp", None)


def render_cards(session: Session, lang: str, keys: list[CardKey]) -> dict[CardKey, Markup]:
    ids = sorted({pid for _, pid, _, _ in keys})
    products = {
        p.id: p for p in session.scalars(sa.select(Product).where(Product.id.in_(ids)).options(*card_options()))
    }
    claims = claims_on(session, ids)
    helpers = language_helpers(lang)
    made = {}
    for key in keys:
        _, pid, units, eager = key
        if pid in products:
            context = {**helpers, "p": products[pid], "index": 0 if eager else EAGER, "available": {pid: units}}
            made[key] = render_fragment("store/_card.html", {**context, "claims": claims})
    return made
