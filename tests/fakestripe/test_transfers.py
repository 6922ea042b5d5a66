"""Paying weavers through Stripe Connect: StripeGateway.create_transfer, with the real SDK, against the fake."""

from __future__ import annotations

import time

import pytest
import stripe

from fakestripe import FakeStripeError
from shop.payments.gateway import PaymentProviderUnavailable, PaymentRefused, StripeGateway, TransferRefused

# stripe.HTTPXClient passes the form body as httpx `data=<str>`, which httpx deprecates; that is the SDK's business.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning")

METADATA = {"payout_id": "12", "weaver_id": "3"}


@pytest.fixture
def fake(fake_stripe):
    yield fake_stripe
    fake_stripe.reset()  # a test that fails half-way must not leave the shared server down or refusing transfers


@pytest.fixture
def gateway(stripe_settings) -> StripeGateway:
    return StripeGateway(stripe_settings)


@pytest.fixture
def weaver(fake) -> str:
    return fake.add_connected_account("acct_1MariaPerez00001")


def pay(gateway, destination, *, key="payout-12-1", amount=150_000, **overrides):
    return gateway.create_transfer(
        **{
            "amount": amount,
            "currency": "MXN",
            "destination": destination,
            "idempotency_key": key,
            "transfer_group": "payout-batch-4",
            "metadata": METADATA,
            **overrides,
        }
    )


def transfer_requests(fake):
    return [request for request in fake.requests if request.path.startswith("/v1/transfers")]


# --------------------------------------------------------------------------------------------------- paying


def test_a_transfer_moves_money_from_the_balance_to_the_weavers_account(fake, gateway, weaver):
    transfer_id = pay(gateway, weaver)

    assert transfer_id.startswith("tr_")
    transfer = fake.transfers[transfer_id]
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (150_000, "mxn", weaver)
    assert transfer["metadata"] == METADATA
    assert transfer["transfer_group"] == "payout-batch-4"
    assert (transfer["object"], transfer["reversed"], transfer["amount_reversed"]) == ("transfer", False, 0)

    transaction = fake.balance_transactions[transfer["balance_transaction"]]
    assert (transaction["type"], transaction["amount"], transaction["net"], transaction["fee"]) == (
        "transfer",
        -150_000,
        -150_000,
        0,
    )
    assert (transaction["currency"], transaction["source"]) == ("mxn", transfer_id)

    [event] = [event for event in fake.events if event["type"] == "transfer.created"]
    assert event["data"]["object"]["id"] == transfer_id
    assert event["request"]["idempotency_key"] == "payout-12-1"

    [request] = transfer_requests(fake)
    assert (request.method, request.idempotency_key, request.status) == ("POST", "payout-12-1", 200)
    assert request.params["amount"] == "150000"  # the SDK sends strings
    assert request.headers["authorization"] == "Bearer sk_test_shop"


def test_the_same_key_twice_pays_once(fake, gateway, weaver):
    first = pay(gateway, weaver)
    second = pay(gateway, weaver)

    assert second == first
    assert list(fake.transfers) == [first]
    assert [event["type"] for event in fake.events].count("transfer.created") == 1
    assert [transaction for transaction in fake.balance_transactions.values() if transaction["type"] == "transfer"] == [
        fake.balance_transactions[fake.transfers[first]["balance_transaction"]]
    ]


def test_the_same_key_with_other_params_is_our_mistake_not_a_refused_transfer(fake, gateway, weaver):
    first = pay(gateway, weaver)

    with pytest.raises(PaymentRefused, match="same parameters") as caught:
        pay(gateway, weaver, amount=150_001)

    assert not isinstance(caught.value, TransferRefused)
    assert isinstance(caught.value.__cause__, stripe.IdempotencyError)
    assert list(fake.transfers) == [first]
    assert fake.transfers[first]["amount"] == 150_000


def test_a_transfer_to_an_unknown_account_is_refused_and_names_it(fake, gateway, weaver):
    with pytest.raises(TransferRefused, match="acct_1NoSuchWeaver0001") as caught:
        pay(gateway, "acct_1NoSuchWeaver0001")

    assert caught.value.status_code == 409 and caught.value.code == "transfer_refused"
    assert caught.value.params == {"account": "acct_1NoSuchWeaver0001"}
    assert isinstance(caught.value.__cause__, stripe.InvalidRequestError)
    assert (caught.value.__cause__.code, caught.value.__cause__.param) == ("resource_missing", "destination")
    assert fake.transfers == {}
    assert [t for t in fake.balance_transactions.values() if t["type"] == "transfer"] == []
    assert [event for event in fake.events if event["type"] == "transfer.created"] == []


def test_an_insufficient_balance_is_kept_under_the_key_and_a_new_key_pays(fake, gateway, weaver):
    fake.transfers_fail_with = "balance_insufficient"

    with pytest.raises(TransferRefused, match="not enough money") as caught:
        pay(gateway, weaver, key="payout-12-1")
    assert caught.value.__cause__.code == "balance_insufficient"
    assert fake.transfers == {}

    fake.transfers_fail_with = None  # the treasurer tops up the balance…
    with pytest.raises(TransferRefused, match="not enough money"):
        pay(gateway, weaver, key="payout-12-1")  # …but Stripe answers a retry with the stored refusal
    assert fake.transfers == {}
    replayed = transfer_requests(fake)[-1]
    assert (replayed.idempotency_key, replayed.status) == ("payout-12-1", 400)

    transfer_id = pay(gateway, weaver, key="payout-12-2")

    assert list(fake.transfers) == [transfer_id]
    assert fake.transfers[transfer_id]["amount"] == 150_000


def test_a_refused_transfer_with_a_validation_error_is_not_kept_under_the_key(fake, gateway, weaver):
    """Stripe keeps only requests that ran: fixing the params and retrying with the same key pays."""
    with pytest.raises(TransferRefused, match="positive integer"):
        pay(gateway, weaver, amount=0)

    transfer_id = pay(gateway, weaver, amount=150_000)

    assert list(fake.transfers) == [transfer_id]


def test_setting_an_unknown_failure_is_rejected(fake):
    with pytest.raises(ValueError, match="transfers_fail_with"):
        fake.transfers_fail_with = "card_declined"


# --------------------------------------------------------------------------------------------------- outages


@pytest.mark.parametrize("mode", ["down", "error500"])
def test_stripe_unavailable_is_payment_provider_unavailable(fake, gateway, weaver, mode):
    fake.mode = mode

    with pytest.raises(PaymentProviderUnavailable):
        pay(gateway, weaver)

    assert fake.transfers == {}
    fake.mode = "ok"
    assert pay(gateway, weaver).startswith("tr_")


def test_slow_stripe_times_out_but_the_retry_with_the_same_key_gets_the_transfer(fake, stripe_settings, weaver):
    gateway = StripeGateway(stripe_settings.model_copy(update={"stripe_timeout_seconds": 0.3}))
    fake.slow_seconds = 1.0
    fake.mode = "slow"
    try:
        with pytest.raises(PaymentProviderUnavailable):
            pay(gateway, weaver)
        deadline = time.monotonic() + 3
        while not fake.transfers and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        fake.mode = "ok"
        fake.slow_seconds = 3.0

    [created] = fake.transfers
    assert pay(gateway, weaver) == created
    assert len(fake.transfers) == 1


# --------------------------------------------------------------------------------------------------- the API


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"amount": 0}, "parameter_invalid_integer", "amount"),
        ({"amount": -5}, "parameter_invalid_integer", "amount"),
        ({"amount": None}, "parameter_missing", "amount"),
        ({"destination": None}, "parameter_missing", "destination"),
        ({"currency": None}, "parameter_missing", "currency"),
        ({"currency": "pesos"}, None, "currency"),
        ({"application_fee_amount": 100}, "parameter_unknown", "application_fee_amount"),
        ({"source_type": "cash"}, None, "source_type"),
        ({"source_transaction": "ch_nope"}, "resource_missing", "source_transaction"),
    ],
)
def test_bad_params_are_invalid_request_errors(fake, weaver, params, code, param):
    client = fake.client("sk_test_shop")
    base = {"amount": 150_000, "currency": "mxn", "destination": weaver}
    request = {key: value for key, value in {**base, **params}.items() if value is not None}

    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.transfers.create(params=request, options={"idempotency_key": "bad-params"})

    assert (caught.value.http_status, caught.value.code, caught.value.param) == (400, code, param)
    assert caught.value.error.type == "invalid_request_error"
    assert fake.transfers == {}


def test_retrieve_a_transfer(fake, gateway, weaver):
    transfer_id = pay(gateway, weaver)
    client = fake.client("sk_test_shop")

    transfer = client.v1.transfers.retrieve(transfer_id)

    assert transfer.id == transfer_id and transfer.object == "transfer"
    assert (transfer.amount, transfer.currency, transfer.destination) == (150_000, "mxn", weaver)
    assert transfer.metadata.to_dict() == METADATA
    assert transfer.transfer_group == "payout-batch-4"
    assert transfer.to_dict() == fake.transfers[transfer_id]

    expanded = client.v1.transfers.retrieve(transfer_id, params={"expand": ["balance_transaction"]})
    assert (expanded.balance_transaction.type, expanded.balance_transaction.amount) == ("transfer", -150_000)

    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.transfers.retrieve("tr_1NoSuchTransfer")
    assert (missing.value.http_status, missing.value.code, missing.value.param) == (404, "resource_missing", "transfer")


def test_reset_forgets_transfers_accounts_and_the_failure(fake, gateway, weaver):
    pay(gateway, weaver)
    fake.transfers_fail_with = "balance_insufficient"

    fake.reset()

    assert (fake.transfers, fake.connected_accounts, fake.transfers_fail_with) == ({}, {}, None)
    with pytest.raises(TransferRefused, match=weaver):
        pay(gateway, weaver)


def test_connected_account_ids_start_with_acct(fake):
    generated = fake.add_connected_account()
    assert generated.startswith("acct_1") and fake.connected_accounts[generated]["country"] == "MX"
    with pytest.raises(ValueError, match="acct_"):
        fake.add_connected_account("ca_1Maria")


def test_a_transfer_already_made_for_a_payout_is_found_by_its_group_and_metadata(fake, gateway, weaver):
    made = pay(gateway, weaver, key="payout-7", transfer_group="payout-batch-3", metadata={"payout_id": "7"})
    pay(gateway, weaver, key="payout-8", transfer_group="payout-batch-3", metadata={"payout_id": "8"})
    pay(gateway, weaver, key="payout-9", transfer_group="payout-batch-4", metadata={"payout_id": "7"})
    found = gateway.find_transfer(transfer_group="payout-batch-3", metadata_key="payout_id", metadata_value="7")
    assert found == made
    assert gateway.find_transfer(transfer_group="payout-batch-5", metadata_key="payout_id", metadata_value="7") is None
    fake.mode = "down"
    with pytest.raises(PaymentProviderUnavailable):
        gateway.find_transfer(transfer_group="payout-batch-3", metadata_key="payout_id", metadata_value="7")


def test_a_dashboard_reversal_updates_the_transfer_and_sends_transfer_reversed(fake, gateway, weaver):
    transfer_id = pay(gateway, weaver, amount=100_000)
    event = fake.dashboard_reverse_transfer(transfer_id, 40_000)
    assert event["type"] == "transfer.reversed"
    assert (event["data"]["object"]["amount_reversed"], event["data"]["object"]["reversed"]) == (40_000, False)
    last = fake.dashboard_reverse_transfer(transfer_id)
    assert (last["data"]["object"]["amount_reversed"], last["data"]["object"]["reversed"]) == (100_000, True)
    assert fake.transfers[transfer_id]["reversals"]["total_count"] == 2
    with pytest.raises(FakeStripeError):
        fake.dashboard_reverse_transfer(transfer_id, 1)
