"""Properties of payouts over random sales, refunds, batches, approvals, payments, undos and write-offs.

A small model follows the documented rules with plain integers and predicts every outcome before the real
services run:
- a weaver may be paid what she is owed, less card money still inside the hold, less what open (pending or
  sending) payouts already count on; a batch asking for more is refused and writes nothing;
- a batch is approved once, by a council member who did not prepare it; only then are its payouts paid;
- paying is refused (and posts nothing) when her balance no longer covers the payout; when it goes through, her
  balance goes down by exactly the amount and never below zero;
- undoing a pending payout cancels it; undoing a paid one marks it failed and posts the exact reversal;
- a batch is cancelled whole only while none of it was paid; an approved batch closes when nothing is open;
- the council writes off at most what a weaver owes.
After every step the books balance, nothing posted before has changed or disappeared, every paid and failed
payout has exactly its postings, and each weaver's balance, hold and commitments agree with the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from factories import make_order, make_user, make_weaver, sale_for
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session

from shop.accounts.models import Role
from shop.catalogue.models import Weaver
from shop.errors import DomainError, Forbidden, InvalidState, ValidationFailed
from shop.ledger import payable, paying, payout_accounts, payout_batches, splits
from shop.ledger.balances import trial_balance, weaver_balance
from shop.ledger.chart import weaver_code
from shop.ledger.models import (
    Account,
    BatchStatus,
    Entry,
    LedgerTransaction,
    Payout,
    PayoutBatch,
    PayoutMethod,
    PayoutStatus,
)
from shop.ledger.payout_batches import PayoutLine
from shop.ledger.received import order_received
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale
from shop.ledger.write_offs import write_off

HOLD = timedelta(days=7)
VALID_CLABE = "012180000000000002"  # BBVA, check digit 2
OPEN = (PayoutStatus.pending, PayoutStatus.sending)
# When a step happens: weeks after every sale (card money has settled), now (card money is inside the hold), or
# now with no hold at all.
CLOCKS = ("settled", "in the hold", "no hold")


def clock(name: str) -> tuple[datetime, timedelta]:
    now = datetime.now(UTC)
    if name == "settled":
        return now + timedelta(days=30), HOLD
    if name == "in the hold":
        return now, HOLD
    return now, timedelta(0)


# --- the model ------------------------------------------------------------------------------------------------


@dataclass
class ModelOrder:
    order_id: int
    money: str
    weavers: set[int]
    # What each weaver still holds of the order, line by line (credited less given back, never below zero):
    # card money the hold keeps back.
    kept: dict[int, int] = field(default_factory=dict)

    def remember(self, session: Session) -> None:
        lines = order_received(session, self.order_id).lines.values()
        self.kept = {
            w: sum(max(0, line.weavers.get(w, (0, 0))[0] - line.weavers.get(w, (0, 0))[1]) for line in lines)
            for w in self.weavers
        }


@dataclass
class ModelPayout:
    payout_id: int
    batch_id: int
    weaver_id: int
    amount: int
    method: PayoutMethod
    status: PayoutStatus = PayoutStatus.pending


@dataclass
class ModelBatch:
    batch_id: int
    prepared_by: str
    payouts: list[int] = field(default_factory=list)
    status: BatchStatus = BatchStatus.prepared


@pytest.fixture
def cast(session):
    """Three weavers (the second paid by SPEI) and the people who prepare, approve and pay, committed once per
    test; every example then works inside one transaction that is rolled back."""
    weavers = [make_weaver(session).id for _ in range(3)]
    people = {
        "tesorera": make_user(session, roles=[Role.treasurer], username="tesorera", name="Tesorera"),
        "consejera": make_user(session, roles=[Role.council], username="consejera", name="Consejera"),
        "ambas": make_user(session, roles=[Role.treasurer, Role.council], username="ambas", name="Ambas"),
    }
    payout_accounts.set_payout_account(
        session,
        weavers[1],
        method=PayoutMethod.spei,
        clabe=VALID_CLABE,
        by=people["tesorera"],
        now=datetime.now(UTC),
    )
    session.commit()
    return weavers, people


def state(session: Session) -> tuple:
    """Everything a refused operation must leave as it was (queries autoflush, so unflushed changes count)."""
    return (
        session.execute(
            select(Entry.id, Entry.transaction_id, Entry.account_id, Entry.amount).order_by(Entry.id)
        ).all(),
        session.execute(select(LedgerTransaction.id, LedgerTransaction.kind).order_by(LedgerTransaction.id)).all(),
        session.execute(
            select(Payout.id, Payout.status, Payout.amount, Payout.transaction_id, Payout.reversal_id).order_by(
                Payout.id
            )
        ).all(),
        session.execute(
            select(PayoutBatch.id, PayoutBatch.status, PayoutBatch.approved_by_id).order_by(PayoutBatch.id)
        ).all(),
    )


class Cooperative:
    """Drives the real services and the model side by side."""

    def __init__(self, session: Session, data, weavers: list[int], people: dict):
        self.session, self.data, self.weavers, self.people = session, data, weavers, people
        self.method = {w: PayoutMethod.spei if i == 1 else PayoutMethod.cash for i, w in enumerate(weavers)}
        self.balance = dict.fromkeys(weavers, 0)
        self.orders: list[ModelOrder] = []
        self.batches: dict[int, ModelBatch] = {}
        self.payouts: dict[int, ModelPayout] = {}
        self.keys = 0
        self.seen = state(session)

    def draw(self, strategy, label=None):
        return self.data.draw(strategy, label=label)

    def pick(self, preferred: list, everything: list, label: str):
        """Mostly one of ``preferred`` (where something happens), sometimes any (where it must be refused)."""
        if preferred and self.draw(st.integers(0, 3), label=f"{label}: any") != 0:
            return self.draw(st.sampled_from(preferred), label=label)
        return self.draw(st.sampled_from(everything), label=label)

    def key(self, kind: str) -> str:
        self.keys += 1
        return f"{kind}:{self.keys}"

    # --- what the model expects ---

    def committed(self, weaver_id: int) -> int:
        return sum(p.amount for p in self.payouts.values() if p.weaver_id == weaver_id and p.status in OPEN)

    def held(self, weaver_id: int, hold_name: str) -> int:
        """Her card money still inside the hold: every sale happened moments ago, so all of it or none."""
        if hold_name != "in the hold":
            return 0
        return sum(order.kept.get(weaver_id, 0) for order in self.orders if order.money == "stripe_clearing")

    def available(self, weaver_id: int, hold_name: str, leaving_out: int = 0) -> int:
        return self.balance[weaver_id] - self.held(weaver_id, hold_name) - (self.committed(weaver_id) - leaving_out)

    def refused(self, call, *errors: type[DomainError]) -> DomainError:
        """Run ``call``, which must be refused with one of ``errors`` and change nothing."""
        before = state(self.session)
        with pytest.raises(errors) as caught:
            call()
        assert state(self.session) == before
        return caught.value

    # --- the steps ---

    def sale(self) -> None:
        weavers = self.draw(st.lists(st.sampled_from(self.weavers), min_size=1, max_size=3, unique=True))
        spec = []
        for weaver_id in weavers:
            amount = self.draw(st.one_of(st.integers(1, 300), st.integers(1_000, 500_000)), label="price")
            weavers_bp = self.draw(st.sampled_from([8000, 10_000, 7_333]), label="weavers_bp")
            spec.append((amount, weavers_bp, [(self.session.get_one(Weaver, weaver_id), 10_000)]))
        money = self.draw(st.sampled_from(["cash", "stripe_clearing"]), label="money")
        order, lines = make_order(self.session, spec)
        post_sale(self.session, sale_for(self.session, order, lines, money=money))
        for amount, weavers_bp, ((weaver, _),) in spec:
            self.balance[weaver.id] += splits.split_line(amount, weavers_bp, [(weaver.id, 10_000)]).weavers[weaver.id]
        for w in self.weavers:
            assert weaver_balance(self.session, w) == self.balance[w], w
        self.orders.append(ModelOrder(order.id, money, set(weavers)))
        self.orders[-1].remember(self.session)
        event(f"sale in {money}")

    def refund(self) -> None:
        paid = {p.weaver_id for p in self.payouts.values() if p.status is PayoutStatus.paid}
        order = self.pick([o for o in self.orders if o.weavers & paid], self.orders, "order refunded")
        left = order_received(self.session, order.order_id).refundable
        after_a_payout = bool(order.weavers & paid)  # a full refund then often leaves her owing
        how = self.draw(
            st.sampled_from(["full", "full" if after_a_payout else "part", "part", "too much"]), label="refund"
        )
        if left == 0 or how == "too much":
            amount = left + self.draw(st.integers(1, 100_000))
            self.refused(
                lambda: post_refund(
                    self.session,
                    key=self.key("refund"),
                    order_id=order.order_id,
                    money_account=order.money,
                    amount=amount,
                ),
                ValidationFailed,
            )
            event("refund: more than is left, refused")
            return
        amount = left if how == "full" else self.draw(st.integers(1, left), label="refund amount")
        before = {w: weaver_balance(self.session, w) for w in self.weavers}
        post_refund(
            self.session, key=self.key("refund"), order_id=order.order_id, money_account=order.money, amount=amount
        )
        for w in self.weavers:
            delta = weaver_balance(self.session, w) - before[w]
            assert delta <= 0
            if w not in order.weavers:
                assert delta == 0
            self.balance[w] += delta
            if self.balance[w] < 0:
                event("a refund left a weaver owing the cooperative")
        order.remember(self.session)
        event(f"refund: {how}")

    def prepare(self) -> None:
        hold_name = self.draw(st.sampled_from(CLOCKS), label="clock")
        now, hold = clock(hold_name)
        by = self.draw(st.sampled_from(["tesorera", "ambas"]), label="prepared by")
        owed = [w for w in self.weavers if self.available(w, hold_name) > 0]
        too_much = not owed or self.draw(st.integers(0, 3), label="ask too much") == 0
        chosen = self.draw(st.lists(st.sampled_from(owed or self.weavers), min_size=1, max_size=3, unique=True))
        over = self.draw(st.sampled_from(chosen), label="asked too much for") if too_much else None
        lines = []
        for weaver_id in chosen:
            available = self.available(weaver_id, hold_name)
            assert payable.available_for(self.session, weaver_id, now=now, hold=hold) == available
            if weaver_id == over or available <= 0:
                amount = max(available, 0) + self.draw(st.integers(1, 100_000), label="over by")
                too_much = True
            else:
                amount = self.draw(st.one_of(st.just(available), st.integers(1, available)), label="amount")
            lines.append(PayoutLine(weaver_id, amount))
        prepare = lambda: payout_batches.prepare_batch(  # noqa: E731
            self.session, lines=lines, by=self.people[by], now=now, hold=hold
        )
        if too_much:
            error = self.refused(prepare, ValidationFailed)
            assert "at most" in str(error) or {"at most" in str(e) for e in error.errors} == {True}
            event("prepare: more than available, refused")
            return
        batch = prepare()
        model = ModelBatch(batch.id, by)
        for payout in payout_batches.batch_by_id(self.session, batch.id).payouts:
            line = next(line for line in lines if line.weaver_id == payout.weaver_id)
            assert (payout.amount, payout.method, payout.status) == (
                line.amount,
                self.method[payout.weaver_id],
                PayoutStatus.pending,
            )
            self.payouts[payout.id] = ModelPayout(
                payout.id, batch.id, payout.weaver_id, payout.amount, self.method[payout.weaver_id]
            )
            model.payouts.append(payout.id)
        assert sorted(self.payouts[p].weaver_id for p in model.payouts) == sorted(chosen)
        self.batches[batch.id] = model
        # (c) what open payouts count on never exceeds her balance less what is held, when the batch is prepared.
        for weaver_id in chosen:
            assert payable.available_for(self.session, weaver_id, now=now, hold=hold) >= 0
            assert self.available(weaver_id, hold_name) >= 0
        event(f"prepare: {len(chosen)} weaver(s)")

    def approve(self) -> None:
        batches = sorted(self.batches.values(), key=lambda b: b.batch_id)
        batch = self.pick([b for b in batches if b.status is BatchStatus.prepared], batches, "batch approved")
        others = ["consejera"] if batch.prepared_by == "ambas" else ["consejera", "ambas"]
        by = self.pick(others, ["consejera", "ambas", "tesorera"], "approved by")
        call = lambda: payout_batches.approve_batch(  # noqa: E731
            self.session, batch.batch_id, by=self.people[by], now=datetime.now(UTC)
        )
        if by == "tesorera":
            self.refused(call, Forbidden)
            event("approve: not the council, refused")
        elif batch.status is not BatchStatus.prepared:
            self.refused(call, InvalidState)
            event("approve: not waiting, refused")
        elif by == batch.prepared_by:
            self.refused(call, Forbidden)
            event("approve: by who prepared it, refused")
        elif not any(self.payouts[p].status is PayoutStatus.pending for p in batch.payouts):
            self.refused(call, InvalidState)
            event("approve: nothing left to pay, refused")
        else:
            assert call().status is BatchStatus.approved
            batch.status = BatchStatus.approved
            event("approve")

    def pay(self) -> None:
        everyone = sorted(self.payouts.values(), key=lambda p: p.payout_id)
        waiting = [
            p
            for p in everyone
            if p.status is PayoutStatus.pending and self.batches[p.batch_id].status is BatchStatus.approved
        ]
        payout = self.pick(waiting, everyone, "payout paid")
        hold_name = self.draw(st.sampled_from(CLOCKS), label="clock")
        now, hold = clock(hold_name)
        who = self.pick(["tesorera", "ambas"], ["tesorera", "ambas", "consejera"], "paid by")
        by = self.people[who]
        if payout.method is PayoutMethod.spei:
            call = lambda: paying.pay_by_spei(  # noqa: E731
                self.session, payout.payout_id, tracking_key=f"MBAN{payout.payout_id}", by=by, now=now, hold=hold
            )
        else:
            call = lambda: paying.pay_in_cash(self.session, payout.payout_id, by=by, now=now, hold=hold)  # noqa: E731
        batch = self.batches[payout.batch_id]
        weaver_id = payout.weaver_id
        if who == "consejera":
            self.refused(call, Forbidden)
            event("pay: not the treasurer, refused")
            return
        if batch.status is not BatchStatus.approved or payout.status is not PayoutStatus.pending:
            self.refused(call, InvalidState)
            event("pay: not approved or not pending, refused")
            return
        covered = self.available(weaver_id, hold_name, leaving_out=payout.amount)
        assert payable.available_for(self.session, weaver_id, now=now, hold=hold, leaving_out=payout.amount) == covered
        if payout.amount > covered:
            error = self.refused(call, InvalidState)
            assert "balance went down" in str(error)
            event(f"pay: no longer covered ({hold_name}), refused")
            return
        before = weaver_balance(self.session, weaver_id)
        transactions = self.session.scalar(select(func.count()).select_from(LedgerTransaction))
        paid = call()
        # (b) at the moment it is paid, the payout is covered by her balance.
        after = weaver_balance(self.session, weaver_id)
        assert after == before - payout.amount
        assert after >= 0
        assert self.session.scalar(select(func.count()).select_from(LedgerTransaction)) == transactions + 1
        assert paid.status is PayoutStatus.paid and paid.transaction_id is not None
        payout.status = PayoutStatus.paid
        self.balance[weaver_id] -= payout.amount
        self.close_if_done(batch)
        event(f"pay: {payout.method.value}")

    def undo(self) -> None:
        everyone = sorted(self.payouts.values(), key=lambda p: p.payout_id)
        payout = self.pick([p for p in everyone if p.status is PayoutStatus.paid], everyone, "payout undone")
        by = self.people[self.draw(st.sampled_from(["tesorera", "consejera"]), label="undone by")]
        call = lambda: paying.undo_payout(  # noqa: E731
            self.session, payout.payout_id, by=by, reason="No llegó", now=datetime.now(UTC)
        )
        if payout.status not in (PayoutStatus.pending, PayoutStatus.paid):
            self.refused(call, InvalidState)
            event("undo: already ended, refused")
            return
        before = weaver_balance(self.session, payout.weaver_id)
        undone = call()
        if payout.status is PayoutStatus.paid:
            assert undone.status is PayoutStatus.failed and undone.reversal_id is not None
            payout.status = PayoutStatus.failed
            self.balance[payout.weaver_id] += payout.amount
            event("undo: a paid payout reversed")
        else:
            assert undone.status is PayoutStatus.cancelled
            payout.status = PayoutStatus.cancelled
            event("undo: a pending payout cancelled")
        assert weaver_balance(self.session, payout.weaver_id) == self.balance[payout.weaver_id]
        assert weaver_balance(self.session, payout.weaver_id) - before in (0, payout.amount)
        self.close_if_done(self.batches[payout.batch_id])

    def cancel(self) -> None:
        batches = sorted(self.batches.values(), key=lambda b: b.batch_id)
        open_ = [b for b in batches if b.status in (BatchStatus.prepared, BatchStatus.approved)]
        batch = self.pick(open_, batches, "batch cancelled")
        by = self.people[self.draw(st.sampled_from(["tesorera", "consejera"]), label="cancelled by")]
        call = lambda: payout_batches.cancel_batch(  # noqa: E731
            self.session, batch.batch_id, by=by, reason="Mes equivocado", now=datetime.now(UTC)
        )
        touched = any(
            self.payouts[p].status in (PayoutStatus.paid, PayoutStatus.sending, PayoutStatus.failed)
            for p in batch.payouts
        )
        if batch.status not in (BatchStatus.prepared, BatchStatus.approved) or touched:
            self.refused(call, InvalidState)
            event("cancel: closed or partly paid, refused")
            return
        assert call().status is BatchStatus.cancelled
        batch.status = BatchStatus.cancelled
        for payout_id in batch.payouts:
            if self.payouts[payout_id].status is PayoutStatus.pending:
                self.payouts[payout_id].status = PayoutStatus.cancelled
        event("cancel a batch")

    def write_off(self) -> None:
        weaver_id = self.pick([w for w in self.weavers if self.balance[w] < 0], self.weavers, "written off for")
        owes = -self.balance[weaver_id]
        by = self.pick(["consejera", "ambas"], ["consejera", "ambas", "tesorera"], "written off by")
        how = self.draw(st.sampled_from(["all", "some", "some", "too much"]), label="write-off")
        if owes <= 0 or how == "too much":
            amount = max(owes, 0) + self.draw(st.integers(1, 100_000))
        else:
            amount = owes if how == "all" else self.draw(st.integers(1, owes))
        call = lambda: write_off(  # noqa: E731
            self.session, weaver_id, amount=amount, reason="Se dañó en el envío", by=self.people[by]
        )
        if by == "tesorera":
            self.refused(call, Forbidden)
            event("write-off: not the council, refused")
            return
        if owes <= 0 or amount > owes:
            self.refused(call, ValidationFailed)
            event("write-off: more than she owes, refused")
            return
        tx = call()
        assert tx.kind == "write_off"
        self.balance[weaver_id] += amount
        assert weaver_balance(self.session, weaver_id) == self.balance[weaver_id]
        event(f"write-off: {how}")

    def close_if_done(self, batch: ModelBatch) -> None:
        if batch.status is BatchStatus.approved and all(self.payouts[p].status not in OPEN for p in batch.payouts):
            batch.status = BatchStatus.closed
        elif batch.status is BatchStatus.prepared and all(
            self.payouts[p].status is PayoutStatus.cancelled for p in batch.payouts
        ):
            batch.status = BatchStatus.cancelled  # every payout left out: nothing to approve

    def step(self) -> None:
        # Every step can be tried at any time (to be refused); those that would move things on weigh more.
        choices = ["sale", "sale", "prepare", "prepare", "write_off"]
        if self.orders:
            choices += ["refund", "refund"]
        if self.batches:
            choices += ["approve", "cancel", "pay", "undo"]
        statuses = {(self.batches[p.batch_id].status, p.status) for p in self.payouts.values()}
        if any(batch.status is BatchStatus.prepared for batch in self.batches.values()):
            choices += ["approve"] * 3
        if (BatchStatus.approved, PayoutStatus.pending) in statuses:
            choices += ["pay"] * 4
        if any(status is PayoutStatus.paid for _, status in statuses):
            choices += ["undo", "refund", "refund"]
        if any(owed < 0 for owed in self.balance.values()):
            choices += ["write_off"] * 2
        getattr(self, self.draw(st.sampled_from(choices), label="step"))()

    # --- what holds after every step ---

    def check(self) -> None:
        session = self.session
        # (a) the books balance: each transaction, all entries together, and the trial balance.
        assert session.scalar(select(func.coalesce(func.sum(Entry.amount), 0))) == 0
        assert sum(row.net for row in trial_balance(session)) == 0
        unbalanced = session.execute(
            select(Entry.transaction_id).group_by(Entry.transaction_id).having(func.sum(Entry.amount) != 0)
        ).all()
        assert unbalanced == []
        # (e) nothing is ever changed or deleted: what was posted before is still there, as it was.
        now = state(session)
        assert len(now[1]) >= len(self.seen[1])
        assert now[0][: len(self.seen[0])] == self.seen[0]
        assert now[1][: len(self.seen[1])] == self.seen[1]
        self.seen = now
        # Each weaver's balance, what is held and what batches count on agree with the model.
        for weaver_id in self.weavers:
            assert weaver_balance(session, weaver_id) == self.balance[weaver_id], weaver_id
        rows = {row.weaver_id: row for row in payable.owed(session, now=datetime.now(UTC), hold=HOLD)}
        for weaver_id in self.weavers:
            row = rows.get(weaver_id)
            expected = (self.balance[weaver_id], self.held(weaver_id, "in the hold"), self.committed(weaver_id))
            if row is None:
                assert expected[0] == expected[2] == 0
            else:
                assert (row.balance, row.held, row.committed) == expected, weaver_id
        # Batches and payouts are where the model says.
        statuses = dict(session.execute(select(Payout.id, Payout.status)).all())
        assert statuses == {p.payout_id: p.status for p in self.payouts.values()}
        batches = dict(session.execute(select(PayoutBatch.id, PayoutBatch.status)).all())
        assert batches == {b.batch_id: b.status for b in self.batches.values()}
        # (d) a paid payout has exactly its posting; a failed one also the reversal negating it; others none.
        postings = {
            tx_id: sorted(
                session.execute(
                    select(Entry.account_id, Entry.amount).where(Entry.transaction_id == tx_id).order_by(Entry.id)
                ).all()
            )
            for tx_id in session.scalars(select(LedgerTransaction.id).where(LedgerTransaction.kind == "payout"))
        }
        code = dict(session.execute(select(Account.code, Account.id)).all())
        linked = set()
        for payout in session.scalars(select(Payout)):
            model = self.payouts[payout.id]
            if model.status in (PayoutStatus.paid, PayoutStatus.failed):
                money = "bank" if payout.method is PayoutMethod.spei else "cash"
                expected = [(code[weaver_code(payout.weaver_id)], payout.amount), (code[money], -payout.amount)]
                assert postings[payout.transaction_id] == sorted(expected)
                linked.add(payout.transaction_id)
            else:
                assert payout.transaction_id is None
            if model.status is PayoutStatus.failed:
                reversal = session.get(LedgerTransaction, payout.reversal_id)
                assert (reversal.kind, reversal.reverses_id) == ("reversal", payout.transaction_id)
                legs = session.execute(
                    select(Entry.account_id, Entry.amount).where(Entry.transaction_id == reversal.id)
                ).all()
                assert sorted((account, -amount) for account, amount in legs) == postings[payout.transaction_id]
            else:
                assert payout.reversal_id is None
        assert linked == set(postings)  # no payout posting without its payout


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_sequence_of_sales_refunds_and_payouts_never_pays_money_that_is_not_there(session, cast, data):
    weavers, people = cast
    try:
        books = Cooperative(session, data, weavers, people)
        books.sale()
        books.check()
        for _ in range(data.draw(st.integers(1, 25), label="steps")):
            books.step()
            books.check()
    finally:
        session.rollback()
