from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from shop.config import Environment, SecretKeyMissing, Settings


def test_settings_come_from_shop_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql+psycopg://shop@db/shop")
    monkeypatch.setenv("SHOP_MEDIA_DIR", str(tmp_path / "photos"))
    monkeypatch.setenv("SHOP_BASE_URL", "https://tienda.example.org/")
    monkeypatch.setenv("SHOP_DISPLAY_RATES", '{"usd": "17.95", "EUR": "19.40"}')
    monkeypatch.setenv("SHOP_DISPLAY_RATES_DATE", "2026-12-01")
    monkeypatch.setenv("SHOP_STRIPE_API_BASE", "http://127.0.0.1:12111")
    monkeypatch.setenv("SHOP_SMTP_HOST", "smtp.example.org")
    settings = Settings(_env_file=None)
    assert settings.database_url == "postgresql+psycopg://shop@db/shop"
    assert settings.media_dir == tmp_path / "photos"
    assert settings.base_url == "https://tienda.example.org"
    assert settings.https
    assert settings.display_rates == {"USD": Decimal("17.95"), "EUR": Decimal("19.40")}
    assert settings.display_rates_date == date(2026, 12, 1)
    assert settings.stripe_api_base == "http://127.0.0.1:12111"
    assert settings.smtp_host == "smtp.example.org"
    assert not settings.is_sqlite


def test_default_database_is_a_sqlite_file_under_var():
    settings = Settings(_env_file=None)
    assert settings.database_url == "sqlite:///./var/shop.db"
    assert settings.is_sqlite


@pytest.mark.parametrize("key", [None, "", "short-key"])
def test_production_refuses_to_start_without_a_strong_secret_key(key):
    with pytest.raises((SecretKeyMissing, ValidationError), match="SHOP_SECRET_KEY"):
        Settings(_env_file=None, environment=Environment.production, secret_key=key)
    assert Settings(_env_file=None, environment=Environment.production, secret_key="k" * 40).secret_key


def test_outside_production_a_key_is_generated_once_and_kept(tmp_path):
    settings = Settings(_env_file=None, secret_key_file=tmp_path / "var" / "secret_key")
    first = settings.resolved_secret_key()
    assert len(first) >= 40
    assert settings.resolved_secret_key() == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("default_currency", "pesos"),
        ("default_currency", "USD"),
        ("display_rates", {"USD": "-1"}),
        ("work_week_hours", 49),  # longer than the legal week
        ("work_week_hours", 0),
    ],
)
def test_bad_settings_are_refused(field, value):
    with pytest.raises(ValidationError):
        Settings(_env_file=None, **{field: value})


def test_checkout_may_send_buyers_to_stripe_only_when_stripe_is_set_up():
    assert Settings(_env_file=None).checkout_origins == ()
    live = Settings(_env_file=None, stripe_secret_key="sk_live_x")
    assert live.checkout_origins == ("https://checkout.stripe.com",)
    fake = Settings(_env_file=None, stripe_secret_key="sk_test_x", stripe_api_base="http://127.0.0.1:4242")
    assert fake.checkout_origins == ("http://127.0.0.1:4242",)


def test_fastapi_telemetry_is_off_unless_asked_for(settings):
    """Off, FastAPI does not look for OpenTelemetry providers on every request."""
    from shop.main import create_app

    quiet = create_app(settings)
    assert not quiet._native_telemetry.enabled()
    assert quiet._telemetry["tracing"] is False and quiet._telemetry["operation_spans"] is False
    quiet.state.engine.dispose()
    settings.telemetry = True
    traced = create_app(settings)
    assert traced._telemetry["tracing"] is True and traced._telemetry["metrics"] is True
    traced.state.engine.dispose()
