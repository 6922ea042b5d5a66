"""The channels migration (issue 14): existing orders keep their channel, wholesale and marketplace orders are
accepted after it, a marketplace's order number is taken once, and it downgrades cleanly."""

import pytest
import sqlalchemy as sa

from alembic import command
from shop import migrations
from shop.db import make_engine

BEFORE = "b7c8d9e0f1a2"
INSERT = sa.text(
    "INSERT INTO orders (token, number, status, channel, payment_method, language, currency, email, name, phone,"
    " address_line1, address_line2, city, region, postal_code, country, shipping_zone, subtotal, shipping_amount,"
    " total, amount_due_now, amount_paid, amount_refunded, carrier, tracking_number, attention, created_at,"
    " updated_at{extra}) VALUES (:token, :token, 'paid', :channel, 'cash', 'es', 'MXN', '', '', '', '', '', '', '',"
    " '', 'MX', '', 0, 0, 0, 0, 0, 0, '', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP{values})"
)
PLAIN = sa.text(str(INSERT).format(extra="", values=""))
MARKET = sa.text(str(INSERT).format(extra=", marketplace, external_ref", values=", :marketplace, :ref"))


def test_two_channels_more_after_the_upgrade_and_none_after_the_downgrade(empty_database_url):
    migrations.upgrade(empty_database_url, BEFORE)
    engine = make_engine(empty_database_url, pool_size=0)
    try:
        with engine.begin() as connection:
            connection.execute(PLAIN, {"token": "a1", "channel": "in_person"})
        migrations.upgrade(empty_database_url)
        migrations.check(empty_database_url)
        with engine.begin() as connection:
            assert connection.execute(sa.text("SELECT channel FROM orders")).scalar() == "in_person"
            connection.execute(PLAIN, {"token": "w1", "channel": "wholesale"})
            connection.execute(MARKET, {"token": "m1", "channel": "marketplace", "marketplace": "etsy", "ref": "3001"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(MARKET, {"token": "m2", "channel": "marketplace", "marketplace": "etsy", "ref": "3001"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(MARKET, {"token": "m3", "channel": "marketplace", "marketplace": "amazon", "ref": "1"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(PLAIN, {"token": "x1", "channel": "telegram"})
        with engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM orders WHERE channel IN ('wholesale', 'marketplace')"))
        command.downgrade(migrations.alembic_config(empty_database_url), BEFORE)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(PLAIN, {"token": "w2", "channel": "wholesale"})
    finally:
        engine.dispose()
