"""The throttle counts tries per key in a ladder of limits, in memory or in Redis, and never locks anyone out
when its storage breaks."""

from __future__ import annotations

import socket
import uuid

import pytest

from shop.throttle import Rule, Throttle

REDIS = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(params=["memory", "redis"])
def throttle(request):
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not running on 6379")
        return Throttle(REDIS)
    return Throttle()


def _rule(limits: str) -> Rule:
    # A fresh name per test, so counts left in Redis by another run never matter.
    return Rule(f"test-{uuid.uuid4().hex[:8]}", limits)


def test_tries_within_the_limit_go_through_and_the_next_waits(throttle):
    rule = _rule("3/minute")
    assert [bool(throttle.hit(rule, "203.0.113.9")) for _ in range(3)] == [True, True, True]
    refused = throttle.hit(rule, "203.0.113.9")
    assert not refused
    assert 1 <= refused.retry_after <= 60


def test_keys_are_counted_apart_and_without_case(throttle):
    rule = _rule("1/minute")
    assert throttle.hit(rule, "Ana")
    assert not throttle.hit(rule, "ana")  # the same name, typed differently
    assert throttle.hit(rule, "maria")


def test_the_wait_grows_with_the_ladder(throttle):
    rule = _rule("2/minute; 4/hour")
    waits = []
    for _ in range(2):
        assert throttle.hit(rule, "x")
    waits.append(throttle.hit(rule, "x").retry_after)
    # Pretend the minute passed: only the minute's count is forgotten.
    throttle.limiter.clear(rule.items[0], rule.name, "x")
    for _ in range(2):
        assert throttle.hit(rule, "x")
    waits.append(throttle.hit(rule, "x").retry_after)
    assert waits[0] <= 60 < waits[1] <= 3600


def test_a_refused_try_is_not_counted(throttle):
    rule = _rule("1/minute; 3/hour")
    assert throttle.hit(rule, "k")
    for _ in range(10):
        assert not throttle.hit(rule, "k")
    throttle.limiter.clear(rule.items[0], rule.name, "k")
    assert throttle.hit(rule, "k")  # the ten refused tries did not fill the hour


def test_peek_does_not_count_and_clear_forgets(throttle):
    rule = _rule("1/minute")
    assert throttle.peek(rule, "k")
    assert throttle.peek(rule, "k")
    assert throttle.hit(rule, "k")
    assert not throttle.peek(rule, "k")
    throttle.clear(rule, "k")
    assert throttle.hit(rule, "k")


def test_a_broken_storage_lets_people_through(caplog):
    throttle = Throttle("redis://127.0.0.1:1/0")  # nothing listens there
    rule = _rule("1/minute")
    assert throttle.hit(rule, "k")
    assert throttle.hit(rule, "k")
    assert throttle.peek(rule, "k")
    assert "letting the try through" in caplog.text
