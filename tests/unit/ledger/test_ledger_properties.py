"""Properties of the ledger over random sales and refunds, checked against a small independent model.

The model keeps, per order line, what each weaver and the fund were credited and what was taken back, and
applies the documented rules with plain integer arithmetic:
- a sale: weavers' part = amount × weavers_bp // 10000, each weaver part × share // 10000, fund the rest;
- a refund of a line: after refunds totalling c of a line that received R, a weaver has given back
  floor(credit × c / R) (never less than before), the fund the rest;
- an order-level refund: parts (lines, shipping) give back their largest-remainder share of the cumulative
  refund in proportion to what they received, or, if a part is already past that, of the amount in proportion
  to what each has left.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from factories import make_order, make_weaver
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from shop.ledger import splits
from shop.ledger.balances import balance, weaver_balance
from shop.ledger.models import Account, Entry, LedgerTransaction
from shop.ledger.received import order_received
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale
from shop.ledger.schemas import Sale, SaleLine
from shop.orders.models import OrderLineWeaver

MONEY = ("stripe_clearing", "cash", "pending_offline")
BP = 10_000

amounts = st.one_of(st.integers(1, 200), st.integers(1, 5_000_000))
basis_points = st.one_of(st.sampled_from([0, 7000, 8000, 10_000]), st.integers(0, BP))


# --- the independent model ------------------------------------------------------------------------------------


@dataclass
class ModelLine:
    line_id: int
    weavers_bp: int
    shares: dict[int, int]
    credits: dict[int, int] = field(default_factory=dict)
    fund: int = 0
    back: dict[int, int] = field(default_factory=dict)
    fund_back: int = 0

    @property
    def received(self) -> int:
        return sum(self.credits.values()) + self.fund

    @property
    def refunded(self) -> int:
        return sum(self.back.values()) + self.fund_back

    def sell(self, amount: int) -> None:
        weavers_part = amount * self.weavers_bp // BP
        paid = 0
        for weaver, share in self.shares.items():
            credit = weavers_part * share // BP
            self.credits[weaver] = self.credits.get(weaver, 0) + credit
            paid += credit
        self.fund += amount - paid

    def refund(self, amount: int) -> None:
        assert 0 < amount <= self.received - self.refunded
        cumulative = self.refunded + amount
        taken = 0
        for weaver, credit in self.credits.items():
            before = self.back.get(weaver, 0)
            wanted = credit * cumulative // self.received - before
            if wanted < 0:
                event("a later payment changed a line's proportions: weaver's reversal clamped at 0")
            now = max(0, wanted)
            self.back[weaver] = before + now
            taken += now
        if amount < taken:
            event("the fund absorbs rounding in a refund (its part is negative)")
        self.fund_back += amount - taken


@dataclass
class ModelOrder:
    order_id: int
    lines: dict[int, ModelLine]
    shipping: int = 0
    shipping_back: int = 0

    @property
    def refundable(self) -> int:
        lines = sum(line.received - line.refunded for line in self.lines.values())
        return lines + self.shipping - self.shipping_back


def largest_remainder(total: int, weights: list[tuple[object, int]]) -> dict[object, int]:
    whole = sum(w for _, w in weights)
    floors = {key: total * w // whole for key, w in weights}
    remainders = sorted(((total * w % whole, -i, key) for i, (key, w) in enumerate(weights)), reverse=True)
    for _, _, key in remainders[: total - sum(floors.values())]:
        floors[key] += 1
    return floors


def model_order_refund(order: ModelOrder, amount: int) -> tuple[dict[int, int], int]:
    keys = sorted(order.lines)
    received = [(k, order.lines[k].received) for k in keys] + [("ship", order.shipping)]
    refunded = {k: order.lines[k].refunded for k in keys} | {"ship": order.shipping_back}
    cumulative = sum(refunded.values()) + amount
    target = largest_remainder(cumulative, received)
    now = {k: target[k] - refunded[k] for k, _ in received}
    if min(now.values()) < 0:
        event("order refund spread over what is left (a part was already past its target)")
        now = largest_remainder(amount, [(k, w - refunded[k]) for k, w in received])
    shipping = now.pop("ship")
    return {k: v for k, v in now.items() if v}, shipping


# --- database helpers -----------------------------------------------------------------------------------------


def insert_order(session: Session, lines: list[tuple[int, int, dict[int, int]]], shipping: int) -> tuple[int, list]:
    order, rows = make_order(session, [(a, bp, list(shares.items())) for a, bp, shares in lines], shipping=shipping)
    return order.id, [line.id for line in rows]


@st.composite
def shares_for(draw, weavers: list[int]) -> dict[int, int]:
    chosen = draw(st.lists(st.sampled_from(weavers), min_size=1, max_size=len(weavers), unique=True))
    cuts = sorted(draw(st.lists(st.integers(1, BP - 1), min_size=len(chosen) - 1, max_size=len(chosen) - 1,
                                unique=True)))  # fmt: skip
    bounds = [0, *cuts, BP]
    return {w: bounds[i + 1] - bounds[i] for i, w in enumerate(chosen)}


class Books:
    """Drives the real ledger and the model side by side."""

    def __init__(self, session: Session, data, weavers: list[int]):
        self.session, self.data, self.weavers = session, data, weavers
        self.orders: list[ModelOrder] = []
        self.money = dict.fromkeys(MONEY, 0)
        self.fees = 0
        self.keys = 0

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"{kind}:{self.keys}:{uuid.uuid4().hex[:8]}"

    def new_sale(self) -> None:
        draw = self.data.draw
        spec = [
            (draw(amounts), draw(basis_points), draw(shares_for(self.weavers))) for _ in range(draw(st.integers(1, 4)))
        ]
        shipping = draw(st.one_of(st.just(0), st.integers(0, 500_000)))
        order_id, line_ids = insert_order(self.session, spec, shipping)
        order = ModelOrder(order_id, {})
        for line_id, (_, weavers_bp, shares) in zip(line_ids, spec, strict=True):
            order.lines[line_id] = ModelLine(line_id, weavers_bp, shares)
        self.orders.append(order)
        self.pay(order, {line_id: amount for line_id, (amount, _, _) in zip(line_ids, spec, strict=True)}, shipping)

    def another_payment(self) -> None:
        """A second payment on lines already paid in part (a made-to-order balance after its deposit)."""
        draw = self.data.draw
        order = draw(st.sampled_from(self.orders))
        chosen = draw(st.lists(st.sampled_from(sorted(order.lines)), min_size=1, unique=True))
        self.pay(order, {line_id: draw(amounts) for line_id in chosen}, 0)

    def pay(self, order: ModelOrder, line_amounts: dict[int, int], shipping: int) -> None:
        draw = self.data.draw
        total = sum(line_amounts.values()) + shipping
        fee = draw(st.one_of(st.just(0), st.integers(0, min(total, 300_000))))
        money = draw(st.sampled_from(MONEY))
        sale = Sale(
            key=self.key("sale"),
            order_id=order.order_id,
            money_account=money,
            lines=tuple(
                SaleLine(line_id, amount, order.lines[line_id].weavers_bp, tuple(order.lines[line_id].shares.items()))
                for line_id, amount in line_amounts.items()
            ),
            shipping=shipping,
            fee=fee,
        )
        post_sale(self.session, sale)
        for line_id, amount in line_amounts.items():
            order.lines[line_id].sell(amount)
        order.shipping += shipping
        self.money[money] += total - fee
        self.fees += fee

    def refundable_orders(self) -> list[ModelOrder]:
        return [order for order in self.orders if order.refundable > 0]

    def refund_order(self, *, full: bool) -> None:
        draw = self.data.draw
        order = draw(st.sampled_from(self.refundable_orders()))
        amount = order.refundable if full else draw(st.integers(1, order.refundable))
        money = draw(st.sampled_from(MONEY))
        post_refund(self.session, key=self.key("refund"), order_id=order.order_id, money_account=money, amount=amount)
        lines, shipping = model_order_refund(order, amount)
        for line_id, part in lines.items():
            order.lines[line_id].refund(part)
        order.shipping_back += shipping
        self.money[money] -= amount

    def refund_lines(self) -> None:
        draw = self.data.draw
        order = draw(st.sampled_from(self.refundable_orders()))
        open_lines = sorted(k for k, line in order.lines.items() if line.received > line.refunded)
        chosen = draw(st.lists(st.sampled_from(open_lines), unique=True)) if open_lines else []
        lines = {k: draw(st.integers(1, order.lines[k].received - order.lines[k].refunded)) for k in chosen}
        shipping_left = order.shipping - order.shipping_back
        shipping = draw(st.integers(0 if lines else 1, shipping_left)) if shipping_left else 0
        if not lines and not shipping:
            return
        amount = sum(lines.values()) + shipping
        money = draw(st.sampled_from(MONEY))
        post_refund(
            self.session,
            key=self.key("refund"),
            order_id=order.order_id,
            money_account=money,
            amount=amount,
            lines=lines,
            shipping=shipping,
        )
        for line_id, part in lines.items():
            order.lines[line_id].refund(part)
        order.shipping_back += shipping
        self.money[money] -= amount

    def step(self) -> None:
        choices = ["sale", "payment"]
        if self.refundable_orders():
            choices += ["refund_order", "refund_lines", "refund_full"]
        match self.data.draw(st.sampled_from(choices)):
            case "sale":
                self.new_sale()
            case "payment":
                self.another_payment()
            case "refund_order":
                self.refund_order(full=False)
            case "refund_full":
                self.refund_order(full=True)
            case "refund_lines":
                self.refund_lines()

    def check(self) -> None:
        session = self.session
        # Every transaction sums to zero.
        unbalanced = session.execute(
            select(Entry.transaction_id).group_by(Entry.transaction_id).having(func.sum(Entry.amount) != 0)
        ).all()
        assert unbalanced == []
        # Each weaver holds exactly her shares, less refunds in proportion; the fund holds the remainders.
        for weaver in self.weavers:
            expected = sum(
                line.credits.get(weaver, 0) - line.back.get(weaver, 0)
                for order in self.orders
                for line in order.lines.values()
            )
            assert weaver_balance(session, weaver) == expected, weaver
        lines = [line for order in self.orders for line in order.lines.values()]
        assert balance(session, "fund") == sum(line.fund - line.fund_back for line in lines)
        assert balance(session, "shipping_income") == sum(o.shipping - o.shipping_back for o in self.orders)
        assert balance(session, "processor_fees") == self.fees
        # The books reconcile with the money actually received, given back and paid in fees.
        received = sum(line.received for line in lines) + sum(o.shipping for o in self.orders)
        refunded = sum(line.refunded for line in lines) + sum(o.shipping_back for o in self.orders)
        assert sum(balance(session, code) for code in MONEY) == received - refunded - self.fees
        for code, expected in self.money.items():
            assert balance(session, code) == expected, code
        # Fees and shipping never touch a weaver, and no weaver is credited for a line she did not weave.
        weaver_entries = session.execute(
            select(Entry.order_line_id, Account.weaver_id, LedgerTransaction.kind)
            .join(Account, Entry.account_id == Account.id)
            .join(LedgerTransaction, Entry.transaction_id == LedgerTransaction.id)
            .where(Account.weaver_id.is_not(None))
        ).all()
        woven = set(session.execute(select(OrderLineWeaver.order_line_id, OrderLineWeaver.weaver_id)).all())
        for line_id, weaver_id, kind in weaver_entries:
            assert line_id is not None and kind in ("sale", "refund")
            assert (line_id, weaver_id) in woven
        # The ledger's own account of each order agrees with the model, line by line and weaver by weaver.
        for order in self.orders:
            ledger = order_received(session, order.order_id)
            assert ledger.shipping_received == order.shipping
            assert ledger.shipping_refunded == order.shipping_back
            for line_id, line in order.lines.items():
                got = ledger.lines[line_id]
                assert (got.received, got.refunded) == (line.received, line.refunded)
                expected = {w: (c, line.back.get(w, 0)) for w, c in line.credits.items()}
                assert got.weavers == {w: pair for w, pair in expected.items() if pair != (0, 0)}


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_sequence_of_sales_and_refunds_keeps_every_account_exact(session, data):
    try:
        weavers = [make_weaver(session).id for _ in range(3)]
        books = Books(session, data, weavers)
        books.new_sale()
        for _ in range(data.draw(st.integers(0, 7), label="more steps")):
            books.step()
        books.check()
        # Refunding everything that is left brings every weaver, the fund and shipping back to zero.
        for order in books.orders:
            if order.refundable:
                post_refund(
                    session, key=books.key("close"), order_id=order.order_id, money_account="cash",
                    amount=order.refundable,
                )  # fmt: skip
                books.money["cash"] -= order.refundable
                lines, shipping = model_order_refund(order, order.refundable)
                for line_id, part in lines.items():
                    order.lines[line_id].refund(part)
                order.shipping_back += shipping
        books.check()
        for weaver in weavers:
            assert weaver_balance(session, weaver) == 0
        assert balance(session, "fund") == 0
        assert balance(session, "shipping_income") == 0
        assert sum(balance(session, code) for code in MONEY) == -books.fees
    finally:
        session.rollback()


# --- the rounding functions on their own (no database, so many more examples) ---------------------------------


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(0, 10**9), weavers_bp=basis_points, data=st.data())
def test_a_split_never_gives_a_weaver_more_than_her_exact_share_and_loses_nothing(amount, weavers_bp, data):
    shares = data.draw(shares_for([1, 2, 3]))
    split = splits.split_line(amount, weavers_bp, shares.items())
    assert sum(split.weavers.values()) + split.fund == amount
    for weaver, share in shares.items():
        exact_times = amount * weavers_bp * share  # her exact share × 10000²
        assert split.weavers[weaver] * BP * BP <= exact_times < (split.weavers[weaver] + 2) * BP * BP
    assert split.fund >= amount - amount * weavers_bp // BP


@settings(max_examples=300, deadline=None)
@given(amount=st.integers(1, 10**8), weavers_bp=basis_points, data=st.data())
def test_line_refunds_in_any_steps_give_back_the_same_cumulative_amounts(amount, weavers_bp, data):
    shares = data.draw(shares_for([1, 2, 3]))
    split = splits.split_line(amount, weavers_bp, shares.items())
    back = dict.fromkeys(shares, 0)
    refunded = 0
    for attempt in range(data.draw(st.integers(1, 6))):
        left = amount - refunded
        step = left if attempt == 5 else data.draw(st.integers(1, left))
        now = splits.refund_line(received=amount, refunded=refunded, credits=split.weavers, reversed_=back, amount=step)
        assert sum(now.weavers.values()) + now.fund == step
        refunded += step
        for weaver, part in now.weavers.items():
            assert part >= 0
            back[weaver] += part
            assert back[weaver] == split.weavers[weaver] * refunded // amount  # path-independent
        if refunded == amount:
            break
    if refunded < amount:  # the rest in one go
        now = splits.refund_line(
            received=amount, refunded=refunded, credits=split.weavers, reversed_=back, amount=amount - refunded
        )
        for weaver, part in now.weavers.items():
            back[weaver] += part
    assert back == split.weavers


@settings(max_examples=300, deadline=None)
@given(weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=6), data=st.data())
def test_apportioning_sums_to_the_total_and_never_exceeds_a_part(weights, data):
    whole = sum(weights)
    total = data.draw(st.integers(0, whole)) if whole else 0
    parts = splits.apportion(total, list(enumerate(weights)))
    assert sum(parts.values()) == total
    for i, weight in enumerate(weights):
        assert 0 <= parts[i] <= weight
        if whole:
            assert abs(parts[i] * whole - total * weight) < whole  # within one centavo of the exact proportion
