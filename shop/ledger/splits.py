"""The only places where the ledger rounds money. Pure functions on integers: no database, no floats.

Rounding is always *down* (floor) for what a weaver receives or gives back, and whatever the floors leave
over goes to one named account, the cooperative fund. Refunds round *cumulatively*: what a weaver has given
back after refunds totalling ``c`` of a line that received ``R`` is always ``floor(credit * c / R)``, whatever
the steps were, so refunds that add up to the whole line give back exactly her whole credit.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from shop.money import split_basis_points


@dataclass(frozen=True, slots=True)
class LineSplit:
    weavers: dict[int, int]  # weaver_id -> credit
    fund: int  # the line's remainder, rounding included


def split_line(amount: int, weavers_bp: int, weavers: Iterable[tuple[int, int]]) -> LineSplit:
    """Share what a line received: the weavers' part is ``amount * weavers_bp // 10000``, each weaver gets
    ``part * share_bp // 10000`` of it, and the fund takes everything else (its 20%, plus rounding)."""
    part = split_basis_points(amount, weavers_bp)
    credits = {weaver_id: split_basis_points(part, share_bp) for weaver_id, share_bp in weavers}
    return LineSplit(weavers=credits, fund=amount - sum(credits.values()))


def refund_line(
    *,
    received: int,
    refunded: int,
    credits: Mapping[int, int],
    reversed_: Mapping[int, int],
    amount: int,
) -> LineSplit:
    """How a refund of ``amount`` on one line is taken back from its weavers and the fund.

    ``received``/``refunded`` are the line's totals so far, ``credits`` what each weaver was credited on the
    line and ``reversed_`` what was already taken back from her. Each weaver gives back
    ``floor(credit * (refunded + amount) / received) - reversed``; the fund gives back the rest of ``amount``
    (which may, by a centavo or two, be negative: the fund then absorbs the rounding it kept earlier).
    """
    if not 0 < amount <= received - refunded:
        raise ValueError(f"refund {amount} outside 1..{received - refunded}")
    cumulative = refunded + amount
    now: dict[int, int] = {}
    for weaver_id, credit in credits.items():
        # Never below zero: if a later sale on the same line (a made-to-order balance after its deposit)
        # changed the proportions, a weaver is never credited by a refund.
        now[weaver_id] = max(0, credit * cumulative // received - reversed_.get(weaver_id, 0))
    return LineSplit(weavers=now, fund=amount - sum(now.values()))


def apportion(total: int, weights: Sequence[tuple[Hashable, int]]) -> dict[Hashable, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders): each part gets
    ``floor(total * w / W)``, and the centavos left over go one each to the parts with the largest
    fractional remainder, the earlier part first on a tie. Never more than its weight while total <= W."""
    whole = sum(weight for _, weight in weights)
    if whole <= 0:
        if total:
            raise ValueError("nothing to apportion against")
        return {key: 0 for key, _ in weights}
    shares = {key: total * weight // whole for key, weight in weights}
    left = total - sum(shares.values())
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(total * weights[i][1] % whole), i))
    for i in by_remainder[:left]:
        shares[weights[i][0]] += 1
    return shares


def refund_order(
    *, received: Sequence[tuple[Hashable, int]], refunded: Mapping[Hashable, int], amount: int
) -> dict[Hashable, int]:
    """Spread an order-level refund of ``amount`` over its parts (lines, shipping) in proportion to what
    each received, cumulatively: after refunds totalling ``c`` each part has given back
    ``apportion(c, received)[part]``, so refunds adding up to everything received give back every part exactly.

    When refunds of single lines made earlier leave a part already beyond its cumulative target (or
    largest-remainder rounding would move a centavo backwards), the amount is spread instead in proportion
    to what each part has left, which never exceeds what is left and still reaches exactly zero.
    """
    available = sum(weight for _, weight in received) - sum(refunded.values())
    if not 0 < amount <= available:
        raise ValueError(f"refund {amount} outside 1..{available}")
    cumulative = sum(refunded.values()) + amount
    targets = apportion(cumulative, received)
    now = {key: targets[key] - refunded.get(key, 0) for key, _ in received}
    if all(value >= 0 for value in now.values()):
        return now
    remaining = [(key, weight - refunded.get(key, 0)) for key, weight in received]
    return apportion(amount, remaining)
