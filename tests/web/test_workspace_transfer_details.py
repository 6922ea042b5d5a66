"""The workspace screen where the admin or the treasurer sets the bank details for transfers from abroad."""

import pytest
from factories import fresh
from sqlalchemy import select
from workspace_helpers import csrf_of, person, signed_in

from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.payments.methods import international_details
from shop.payments.models import InternationalTransferDetails

PAGE = "/taller/contabilidad/transferencias-internacionales"
DETAILS = {
    "beneficiary": "Sociedad Cooperativa J'pas Joloviletik",
    "bank_name": "Banco Ejemplo",
    "bank_address": "Av. Insurgentes 1, San Cristóbal de las Casas",
    "swift_bic": "bnmx mx mm",
    "account": "de89370400440532013000",
}


@pytest.fixture
def people(session):
    person(session, "teresa", Role.treasurer, name="Teresa")
    person(session, "adela", Role.admin, name="Adela")
    person(session, "carmen", Role.council, name="Carmen")


def save(client, data):
    token = csrf_of(client.get(PAGE).text)
    return client.post(PAGE, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.mark.parametrize("username", ["teresa", "adela"])
def test_the_treasurer_and_the_admin_set_the_details_and_the_audit_log_names_them(app, session, people, username):
    client = signed_in(app, username)
    response = save(client, DETAILS)
    assert (response.status_code, response.headers["location"]) == (303, PAGE)
    page = client.get(PAGE).text
    assert "Buyers outside Mexico can now pay by bank transfer." in page or "ya pueden pagar" in page
    fresh(session)
    details = international_details(session)
    assert details.complete
    assert details.swift_bic == "BNMXMXMM"  # spaces gone, upper case
    assert details.account == "DE89 3704 0044 0532 0130 00"  # an IBAN, checked and grouped by four
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity == InternationalTransferDetails.__tablename__))
    assert event is not None and event.actor_name == username.title()


def test_the_council_sees_accounting_but_not_this_screen(app, people):
    client = signed_in(app, "carmen")
    assert client.get(PAGE).status_code == 403
    assert "transferencias-internacionales" not in client.get("/taller/contabilidad").text
    assert "transferencias-internacionales" in signed_in(app, "teresa").get("/taller/contabilidad").text


def test_a_post_without_the_form_token_changes_nothing(app, session, people):
    client = signed_in(app, "teresa")
    response = client.post(PAGE, data=DETAILS, follow_redirects=False)
    assert response.status_code == 403
    fresh(session)
    assert session.scalar(select(InternationalTransferDetails)) is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"swift_bic": "BNMX"}, "swift_bic", "SWIFT/BIC"),
        ({"account": "DE00370400440532013000"}, "account", "IBAN"),
        ({"account": "12-abc"}, "account", "dígitos"),
        ({"bank_name": ""}, "bank_name", "vacíelos todos"),
        ({"beneficiary": "x" * 201}, "beneficiary", "200"),
    ],
)
def test_mistakes_are_shown_beside_their_field_with_422_and_nothing_is_saved(
    app, session, people, changes, field, message
):
    client = signed_in(app, "teresa")
    response = save(client, {**DETAILS, **changes})
    assert response.status_code == 422
    assert f'id="ce-{field}"' in response.text
    assert message in response.text.split(f'id="ce-{field}"', 1)[1].split("</span>", 1)[0]
    fresh(session)
    assert session.scalar(select(InternationalTransferDetails)) is None


def test_emptying_every_field_stops_offering_transfers_from_abroad(app, session, people):
    client = signed_in(app, "teresa")
    save(client, DETAILS)
    response = save(client, dict.fromkeys(DETAILS, ""))
    assert response.status_code == 303
    fresh(session)
    assert not international_details(session).complete
    assert "Sin datos" in client.get(PAGE).text
