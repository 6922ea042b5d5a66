"""What store pages and the API keep for the catalogue's revision and day (``catalogue_stamp``, set in the
request's state by the page cache, which follows the revision whether or not it keeps pages).

Rendered parts (product cards, API items) and a few facts every page asks for (the categories with their
counts, a piece's related pieces, the rates, a shipping quote) change only when the catalogue does, or the
day turns (a fair-trade claim holds from one day to another with no row changing). Whatever changes by the
clock alone (the units a hold leaves) is part of a key or asked for on every page. The first page after a
change makes them once for all later ones.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

from markupsafe import Markup
from sqlalchemy.orm import Session

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
P = TypeVar("P", Markup, bytes)
Stamp = tuple[int, Any]  # (catalogue revision, local day)


class Request(Protocol):
    """What the store reads of a request: its state, where the page cache puts ``catalogue_stamp``. A protocol,
    so this module needs no web framework."""

    state: Any


class RevisionStore:
    """One per worker; forgets everything when the revision or the day changes. Rendered parts (cards, API items)
    are kept while they fit in ``max_bytes`` and rendered for each page once it is full; facts (a piece with its
    photos and weavers, its related pieces, a quote) are kept for the ``max_facts`` last asked for, so a crawler
    walking every piece does not make a worker hold the whole catalogue."""

    def __init__(self, max_bytes: int, max_facts: int = 1000) -> None:
        self.max_bytes = max_bytes
        self.max_facts = max_facts
        self.stamp: Stamp | None = None
        self.parts_kept: dict[Hashable, Markup | bytes] = {}
        self.facts: OrderedDict[Hashable, Any] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def _turn(self, stamp: Stamp) -> None:
        if stamp != self.stamp:
            self.stamp, self.parts_kept, self.facts, self.size = stamp, {}, OrderedDict(), 0

    def remember(self, request: Request, session: Session, key: Hashable, compute: Callable[[Session], T]) -> T:
        """A fact that holds for one revision and day; computed afresh when the revision is unknown.

        ``compute`` reads through a session of its own on the request's connection (a second connection could
        wait for ever on a pool the requests have drained), closed at once: objects it returns are shared by
        later requests, so the request's rollback (an error page) must not expire them."""
        stamp = stamp_of(request)
        if stamp is not None:
            with self._lock:
                self._turn(stamp)
                if key in self.facts:
                    self.facts.move_to_end(key)
                    return self.facts[key]
        with Session(bind=session.connection(), expire_on_commit=False) as own:
            value = compute(own)
        if stamp is None:
            return value
        with self._lock:
            if self.stamp == stamp:
                self.facts[key] = value
                if len(self.facts) > self.max_facts:
                    self.facts.popitem(last=False)
        return value

    def parts(self, request: Request, keys: list[K], make: Callable[[list[K]], dict[K, P]]) -> list[P]:
        """The rendered parts of ``keys`` in their order, making the missing ones in one batch; a key ``make``
        could not render (its piece was deleted meanwhile) is left out."""
        stamp = stamp_of(request)
        with self._lock:
            if stamp is not None:
                self._turn(stamp)
            found = {key: self.parts_kept[key] for key in keys if stamp is not None and key in self.parts_kept}
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            made = make(missing)
            with self._lock:
                for key, part in made.items():
                    if stamp is not None and self.stamp == stamp and self.size + len(part) <= self.max_bytes:
                        self.parts_kept[key] = part
                        self.size += len(part)
            found.update(made)
        return [found[key] for key in keys if key in found]


def stamp_of(request: Request) -> Stamp | None:
    return getattr(request.state, "catalogue_stamp", None)
