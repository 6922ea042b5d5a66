"""The OpenAPI document tells the truth: schemathesis drives every operation of a live shop and checks each answer.

All of its checks run (no server error; documented status, content type, headers and body; invalid input
refused; valid input accepted; credentials not ignored; unsupported methods refused), once as a stranger and
once with an admin's personal API key. Identifiers are drawn from the shop's real slugs, order numbers and
tokens part of the time, so routes get past their look-ups and really act on orders in several states. The
number of examples is bounded, and generation is deterministic, so the run is the same every time and short.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from factories import place
from live import free_port, spawn, stripe_shop_env

from shop.accounts.models import Role
from shop.accounts.service import create_user
from shop.accounts.sessions import create_api_key
from shop.clock import utcnow
from shop.payments.offline import confirm_offline_payment
from shop.payments.service import open_payment

# Stripe's webhook reads only bodies signed with the webhook secret, so generated bodies can only ever get its
# documented 400; tests/api/test_payments.py drives it with signed events instead.
NOT_GENERATED = "/api/v1/payments/stripe/webhook"
MAX_EXAMPLES = 25
# These services check rules against what is stored or that no JSON schema can state: stock on hand, what an
# order sold and was paid, an e-mail address that can receive mail, a postal code and region that fit the
# country. Schema-valid input may break them, and gets the documented 422 naming each field; everywhere else a
# 422 for schema-valid input is a lie in the schema and fails the run.
RULES_BEYOND_THE_SCHEMA = r"^/api/v1/(checkout|staff/sales|staff/orders/\{number\}/refunds)$"
VALID_INPUT_ANSWERS = ["2xx", "401", "403", "404", "409", "422", "429"]


@pytest.fixture
def known(shop_data, session) -> dict[str, list[str]]:
    """Orders in several states on a demo-like catalogue; the identifiers schemathesis may draw from."""
    orders = []
    for product in (shop_data["huipil"], shop_data["morral"], shop_data["shared"]):
        order = place(session, [(product, 1)])
        open_payment(session, order, now=utcnow())
        orders.append(order)
    confirm_offline_payment(
        session, orders[1], actor="test", reference="SPEI 1", now=utcnow() + timedelta(seconds=1), base_url=""
    )
    session.commit()
    return {
        "products": [p.slug for p in shop_data.values() if hasattr(p, "price_amount")],
        "slugs": [p.slug for p in shop_data.values() if hasattr(p, "price_amount")] + ["maria-perez"],
        "numbers": [o.number for o in orders],
        "tokens": [o.token for o in orders],
        # A buyer's details that pass the order service's checks, so some checkouts are placed.
        "emails": ["ana@example.com", "jun@example.org"],
        "phones": ["+52 967 123 4567"],
        "regions": ["Chiapas"],
        "postal_codes": ["29200"],
        "countries": ["MX"],
    }


@pytest.fixture
def admin_key(session) -> str:
    admin = create_user(session, name="Rosa", username="rosa-admin", roles=[Role.admin], password="a long password 1")
    _key, raw = create_api_key(session, admin, "contract tests", utcnow())
    session.commit()
    return raw


@pytest.fixture
def live_shop(stripe_settings, fake_stripe, known, tmp_path):
    """The shop served by uvicorn, and a schemathesis configuration that knows its identifiers."""
    port = free_port()
    env = stripe_shop_env(stripe_settings, fake_stripe, port, stripe_timeout_seconds=5)
    config = {
        "dictionaries": {name: {"values": values} for name, values in known.items()},
        "parameters": {
            "path.slug": {"dictionary": "slugs", "probability": 0.5},
            "path.number": {"dictionary": "numbers", "probability": 0.7},
            "path.token": {"dictionary": "tokens", "probability": 0.5},
            "body.lines[*].slug": {"dictionary": "products", "probability": 0.8},
            "body.slug": {"dictionary": "slugs", "probability": 0.5},
            "body.buyer.email": {"dictionary": "emails", "probability": 1.0},
            "body.buyer.phone": {"dictionary": "phones", "probability": 1.0},
            "body.buyer.region": {"dictionary": "regions", "probability": 1.0},
            "body.buyer.postal_code": {"dictionary": "postal_codes", "probability": 1.0},
            "body.buyer.country": {"dictionary": "countries", "probability": 1.0},
        },
    }
    (tmp_path / "schemathesis.toml").write_text(to_toml(config))
    process = spawn("shop.main:create_app", port, env)
    try:
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def to_toml(config: dict) -> str:
    lines = []
    for name, dictionary in config["dictionaries"].items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(dictionary['values'])}", ""]
    lines.append("[parameters]")
    for key, binding in config["parameters"].items():
        lines.append(f'"{key}" = {{ dictionary = "{binding["dictionary"]}", probability = {binding["probability"]} }}')
    lines += ["", "[[operations]]", f"include-path-regex = '{RULES_BEYOND_THE_SCHEMA}'"]
    lines += ["[operations.checks.positive_data_acceptance]", f"expected-statuses = {json.dumps(VALID_INPUT_ANSWERS)}"]
    return "\n".join(lines) + "\n"


def schemathesis_run(live_shop, *options: str) -> subprocess.CompletedProcess:
    base, workdir = live_shop
    command = [sys.executable, "-m", "schemathesis.cli", "run", f"{base}/api/openapi.json"]
    command += ["--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--generation-deterministic"]
    command += ["--workers", "1", "--no-color", "--exclude-path", NOT_GENERATED, *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=workdir)


def test_a_stranger_gets_only_documented_answers(live_shop):
    result = schemathesis_run(live_shop)
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]


def test_an_admin_gets_only_documented_answers(live_shop, admin_key):
    result = schemathesis_run(live_shop, "--header", f"Authorization: Bearer {admin_key}")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
