"""Configuration from the environment (prefix ``SHOP_``) so operators never edit code."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shop.storage.location import parse_storage_url

DEFAULT_VAR_DIR = Path("var")
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    development = "development"
    demo = "demo"
    test = "test"
    production = "production"


class SecretKeyMissing(RuntimeError):
    """Production must never run on a key that was made up on the spot."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_", env_file=".env", extra="ignore")

    environment: Environment = Environment.development
    database_url: str = f"sqlite:///./{DEFAULT_VAR_DIR.as_posix()}/shop.db"
    # SQLite waits this long for a writer lock before giving up.
    sqlite_busy_timeout_ms: int = 5000
    database_pool_size: int = 5
    # FastAPI's own OpenTelemetry (spans, metrics and logs of each request); off, it costs a page nothing.
    telemetry: bool = False
    media_dir: Path = DEFAULT_VAR_DIR / "media"
    secret_key: SecretStr | None = None
    # Where a generated key is kept between runs outside production.
    secret_key_file: Path = DEFAULT_VAR_DIR / "secret_key"
    base_url: str = "http://127.0.0.1:8000"
    # Host names the shop answers to; empty means the host of base_url (plus localhost) in production
    # and any host elsewhere.
    allowed_hosts: list[str] = Field(default_factory=list)
    default_currency: str = "MXN"
    # Pesos per unit of each display currency, e.g. {"USD": "18.20"}; shown only as an approximation, and only
    # until the treasurer enters a rate of that currency (shop.marketplaces.rates).
    display_rates: dict[str, Decimal] = Field(
        default_factory=lambda: {"USD": Decimal("18.20"), "EUR": Decimal("21.10")}
    )
    display_rates_date: date = date(2026, 11, 27)
    default_language: str = "es"

    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str = "https://api.stripe.com"
    # A slow or unreachable Stripe must not keep a buyer waiting longer than this.
    stripe_timeout_seconds: float = 10.0
    stripe_max_network_retries: int = 1

    # How long stock is held for a buyer who is paying (card); OXXO holds until the voucher expires.
    reservation_minutes: int = Field(default=30, ge=30, le=24 * 60)
    oxxo_expires_after_days: int = Field(default=3, ge=1, le=7)
    # Bank transfer or paying in person: how long the pieces wait for the treasurer to see the money.
    offline_hold_hours: int = Field(default=72, ge=1)
    # Shown to buyers who pay by transfer: bank, CLABE, account holder. Free text.
    bank_transfer_details: str = ""
    # Parcel weight used for pieces whose weight is not recorded.
    default_item_weight_g: int = 500
    # The workspace on the shared computer: sign out after this much idle time, and after this long in any case.
    workspace_idle_seconds: int = Field(default=600, ge=1)
    workspace_session_hours: int = Field(default=12, ge=1)
    # Payouts to weavers: card money is paid out only after this many days (refunds and disputes come first),
    # the batch proposes weavers who are owed at least the minimum (centavos), and Stripe Connect is opt-in.
    payout_hold_days: int = Field(default=7, ge=0, le=120)
    payout_minimum: int = Field(default=10_000, ge=1)
    stripe_connect_payouts: bool = False
    # Photos of signed payout receipts: private, served only to the treasurer and the council.
    proofs_dir: Path = DEFAULT_VAR_DIR / "proofs"
    # Certificates, audit reports and evidence (PDF or photo): private, served only to the council and the admin.
    certification_dir: Path = DEFAULT_VAR_DIR / "certification"
    # Scanned pages of the assemblies' minutes: private, served only to the council and the admin.
    records_dir: Path = DEFAULT_VAR_DIR / "records"
    max_document_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # Keep every uploaded file (photos and the private files above) in an S3-compatible bucket instead of the
    # folders above, so several machines share them: s3://bucket/prefix?endpoint_url=…&region=… (see
    # shop.storage.location). Credentials from the two settings below, else boto3's usual AWS_* chain.
    storage_url: str | None = None
    storage_access_key_id: str | None = None
    storage_secret_access_key: SecretStr | None = None
    # How long a request waits for the bucket before answering 503 "try again".
    storage_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # Run reservation expiry and the mail outbox inside the web process every N seconds (0: use `shop jobs run`).
    jobs_interval_seconds: float = 0

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_from: str = "J'pas Joloviletik <tienda@example.org>"

    # Redis, for counts of tries that every worker shares (sign-in, orders); empty: each process counts alone.
    redis_url: str | None = None

    max_image_bytes: int = 15 * 1024 * 1024
    max_image_pixels: int = 50_000_000
    page_size: int = 24
    # The standard working week that turns daily and monthly wage benchmarks into an hourly rate (the legal
    # week is 48 hours; a cooperative may choose fewer).
    work_week_hours: int = Field(default=48, ge=1, le=48)
    # Days after a quarter ends during which its indicator values may still be entered without an exception.
    indicator_entry_days: int = Field(default=30, ge=0, le=366)
    # What the dashboard adds to the marketplaces' schedules until confirmed, in basis points of the total:
    # eBay's international fee for a seller in Mexico, and Etsy's payment processing.
    ebay_international_fee_bp: int = Field(default=0, ge=0, le=10_000)
    etsy_processing_fee_bp: int = Field(default=0, ge=0, le=10_000)
    # The IATI export's reporting organisation (its IATI organisation identifier and name) and activity.
    iati_reporting_org_ref: str = ""
    iati_reporting_org_name: str = "The Hunger Project México"
    iati_reporting_org_type: str = "22"  # OrganisationType: national NGO
    iati_activity_id: str = "JPAS-1"
    # How long a worker trusts its cached catalogue pages before asking the database for changes.
    page_cache_seconds: float = 1.0
    page_cache_bytes: int = 16 * 1024 * 1024
    # Product cards kept per worker for the catalogue's revision (shop.web.store.cards), in bytes of HTML.
    card_cache_bytes: int = 4 * 1024 * 1024
    # How often a worker asks whether the speakers changed the workspace's Tzotzil (or its spoken help).
    tzotzil_check_seconds: float = 2.0
    # Prepare every route as a worker starts, not on the first request that walks past it (the tests, which
    # start an app for each test, leave it off).
    prepare_routes_on_start: bool = True

    @field_validator("default_currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if len(value) != 3 or not value.isalpha():
            raise ValueError("currency must be a 3-letter ISO 4217 code")
        return value.upper()

    @field_validator("display_rates")
    @classmethod
    def _positive_rates(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        for code, rate in value.items():
            if rate <= 0:
                raise ValueError(f"display rate for {code} must be positive")
        return {code.upper(): rate for code, rate in value.items()}

    @field_validator("storage_url")
    @classmethod
    def _storage_location(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parse_storage_url(value)
        return value.strip()

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _production_needs_key(self) -> Settings:
        if self.environment is Environment.production and (
            self.secret_key is None or len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH
        ):
            raise SecretKeyMissing(
                f"SHOP_SECRET_KEY must be set, at least {MIN_SECRET_LENGTH} characters long, "
                "when SHOP_ENVIRONMENT=production"
            )
        if self.default_currency != "MXN":
            # Prices, the CSV's price_mxn column and the ledger are in pesos; others are for display only.
            raise ValueError("SHOP_DEFAULT_CURRENCY must be MXN; use SHOP_DISPLAY_RATES to show other currencies")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def checkout_origins(self) -> tuple[str, ...]:
        """Where the checkout form may send the buyer: Stripe's hosted page (or the test double of it)."""
        if self.stripe_secret_key is None:
            return ()
        api = urlsplit(self.stripe_api_base)
        if api.hostname == "api.stripe.com":
            return ("https://checkout.stripe.com",)
        return (f"{api.scheme}://{api.netloc}",)

    @property
    def trusted_hosts(self) -> list[str]:
        if self.allowed_hosts:
            return self.allowed_hosts
        if self.environment is not Environment.production:
            return ["*"]
        return [urlsplit(self.base_url).hostname or "localhost", "localhost", "127.0.0.1"]

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept on disk so sessions survive restarts."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        path = self.secret_key_file
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.touch(mode=0o600)
        path.write_text(key)
        return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
