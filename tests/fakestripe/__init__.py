"""A fake Stripe HTTP server for tests; the real ``stripe`` SDK talks to it on loopback.

    from fakestripe import FakeStripe

    @pytest.fixture(scope="session")
    def stripe_server():
        with FakeStripe() as fake:
            yield fake

    @pytest.fixture
    def fake_stripe(stripe_server):
        stripe_server.reset()
        return stripe_server

Point the shop at ``fake.url`` (``base_addresses={"api": fake.url}``) and its webhook secret at
``fake.webhook_secret``. Act as the buyer with ``fake.complete_session(...)`` and friends, which return the event
Stripe would send; ``fake.sign(event)`` gives the body and ``Stripe-Signature`` header to POST to the shop.
"""

from .server import DEFAULT_WEBHOOK_SECRET, FakeStripe, FakeStripeError, RecordedRequest

__all__ = ["DEFAULT_WEBHOOK_SECRET", "FakeStripe", "FakeStripeError", "RecordedRequest"]
