"""Slowing strangers down: how often one client address, one sign-in name or one e-mail may try something.

Counts live in Redis when the shop has one (``SHOP_REDIS_URL``), so every worker and every server sees the
same counts; otherwise in this process's memory, which is right for one process and still bounds a
stranger per worker. The counting is the maintained ``limits`` library's moving window.

A ``Rule`` is a ladder of limits, such as 5 a minute, 15 an hour and 40 a day: the first tries go at
once, and the more someone tries, the longer she must wait. A refused try is not counted, so waiting
always ends. If Redis stops answering, the shop lets people through (logged) rather than locking
everyone out: slowing strangers must never stop the cooperative working.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from functools import cached_property

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    """A named ladder of limits, written the ``limits`` way: ``"5/minute; 15/hour; 40/day"``."""

    name: str
    limits: str

    @cached_property  # parsed once: every try on the password form and every order asks for them
    def items(self) -> list[RateLimitItem]:
        return parse_many(self.limits)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # whole seconds until the next try would be let through

    def __bool__(self) -> bool:
        return self.allowed


class Throttle:
    def __init__(self, storage_url: str | None = None):
        self.url = storage_url or "memory://"
        self.storage = storage_from_string(self.url)
        self.limiter = MovingWindowRateLimiter(self.storage)

    def hit(self, rule: Rule, *key: str) -> Verdict:
        """Count one try under ``key`` (an address, a name…) unless a limit of the ladder is already full."""
        items = rule.items
        identifiers = (rule.name, *(part.lower()[:200] for part in key))
        try:
            full = [item for item in items if not self.limiter.test(item, *identifiers)]
            if full:
                return Verdict(False, self._wait(full, identifiers))
            for item in items:
                self.limiter.hit(item, *identifiers)
        except Exception:  # a broken Redis must not lock the cooperative out
            log.exception("the throttle's storage (%s) failed; letting the try through", self.url.split("@")[-1])
        return Verdict(True)

    def peek(self, rule: Rule, *key: str) -> Verdict:
        """Whether a try would be let through now, without counting it."""
        identifiers = (rule.name, *(part.lower()[:200] for part in key))
        try:
            full = [item for item in rule.items if not self.limiter.test(item, *identifiers)]
        except Exception:
            log.exception("the throttle's storage failed; letting the try through")
            return Verdict(True)
        return Verdict(not full, self._wait(full, identifiers) if full else 0)

    def hit_all(self, keys: list[tuple[Rule, str]]) -> Verdict:
        """Count one try against every (rule, key), such as per client address and per e-mail address, if each has
        room; otherwise count none of them and say how long the longest wait is."""
        refused = [verdict for verdict in (self.peek(rule, key) for rule, key in keys) if not verdict]
        if not refused:
            for rule, key in keys:
                verdict = self.hit(rule, key)
                if not verdict:  # filled by a concurrent try between the look and the count
                    refused.append(verdict)
                    break
        if refused:
            return Verdict(False, max(verdict.retry_after for verdict in refused))
        return Verdict(True)

    def clear(self, rule: Rule, *key: str) -> None:
        """Forget the tries under ``key`` (after a correct password, say)."""
        identifiers = (rule.name, *(part.lower()[:200] for part in key))
        for item in rule.items:
            try:
                self.limiter.clear(item, *identifiers)
            except Exception:
                log.exception("the throttle's storage failed to forget a count")

    def reset(self) -> None:
        """Forget every count (tests, and an admin's 'let everyone in again')."""
        self.storage.reset()

    def _wait(self, full: list[RateLimitItem], identifiers: tuple[str, ...]) -> int:
        now = time.time()
        resets = [self.limiter.get_window_stats(item, *identifiers).reset_time for item in full]
        return max(1, math.ceil(max(resets) - now))
