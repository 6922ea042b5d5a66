"""Which ways of paying work for a country, and which bank details a buyer is shown (on a real database)."""

import pytest
from factories import checkout_body, fresh, make_product, make_weaver
from sqlalchemy import func, select

from shop.clock import utcnow
from shop.errors import ValidationFailed
from shop.orders.models import Order, PaymentMethod
from shop.payments.methods import (
    check_method,
    methods_for,
    save_international_details,
    stripe_method_types,
    transfer_details_for,
)
from shop.payments.models import InternationalTransferDetails

DETAILS = {
    "beneficiary": "Cooperativa",
    "bank_name": "Banco Ejemplo",
    "bank_address": "San Cristóbal de las Casas",
    "swift_bic": "BNMXMXMM",
    "account": "0123456789",
}
CARD, TRANSFER = PaymentMethod.stripe, PaymentMethod.offline


def test_cards_everywhere_with_stripe_oxxo_only_in_mexico():
    assert stripe_method_types("MX") == ["card", "oxxo"]
    assert stripe_method_types("us") == ["card"]
    assert stripe_method_types("DE") == ["card"]


def test_a_transfer_works_from_mexico_and_from_abroad_only_once_the_details_are_complete(session):
    assert methods_for(session, "MX", stripe=True) == [CARD, TRANSFER]
    assert methods_for(session, "MX", stripe=False) == [TRANSFER]
    assert methods_for(session, "US", stripe=True) == [CARD]
    assert methods_for(session, "US", stripe=False) == []
    # A row with a field missing (written around the service) offers nothing.
    session.add(InternationalTransferDetails(**{**DETAILS, "swift_bic": ""}))
    session.flush()
    assert methods_for(session, "US", stripe=False) == []
    save_international_details(session, DETAILS, now=utcnow())
    assert methods_for(session, "US", stripe=False) == [TRANSFER]
    assert session.scalar(select(func.count()).select_from(InternationalTransferDetails)) == 1  # one row, kept


def test_check_method_refuses_what_does_not_fit_the_country(session):
    check_method(session, "MX", TRANSFER, stripe=False)
    with pytest.raises(ValidationFailed) as refused:
        check_method(session, "FR", TRANSFER, stripe=True)
    assert refused.value.field == "method" and refused.value.status_code == 422
    with pytest.raises(ValidationFailed):
        check_method(session, "MX", CARD, stripe=False)


def test_mexico_gets_the_national_details_and_abroad_the_international_ones_only_when_set(session):
    assert transfer_details_for(session, "MX", national="CLABE 1", gettext=str) == "CLABE 1"
    assert transfer_details_for(session, "CA", national="CLABE 1", gettext=str) == ""
    save_international_details(session, DETAILS, now=utcnow())
    text = transfer_details_for(session, "CA", national="CLABE 1", gettext=str)
    assert "SWIFT/BIC: BNMXMXMM" in text and "IBAN or account number: 0123456789" in text
    assert "CLABE" not in text
    assert transfer_details_for(session, "MX", national="CLABE 1", gettext=str) == "CLABE 1"


def test_the_api_refuses_a_transfer_from_abroad_without_details_and_writes_nothing(client, session):
    weaver = make_weaver(session)
    make_product(session, slug="bolsa", weavers=[(weaver, 10_000)])
    session.commit()
    body = checkout_body("bolsa", method="offline", country="US", region="OR", postal_code="97201")
    response = client.post("/api/v1/checkout", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_failed"
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Order)) == 0
