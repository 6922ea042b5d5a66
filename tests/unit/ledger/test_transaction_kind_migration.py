"""The transaction-kind migration (issue 11): existing postings keep their kinds, an unknown kind is refused
after it, and it downgrades cleanly."""

import pytest
import sqlalchemy as sa

from alembic import command
from shop import migrations
from shop.db import make_engine

BEFORE = "3f8a61c2d4b7"
INSERT = sa.text(
    "INSERT INTO ledger_transactions (kind, description, idempotency_key, created_at)"
    " VALUES (:kind, '', :key, CURRENT_TIMESTAMP)"
)


def test_kinds_are_checked_after_the_upgrade_and_free_again_after_the_downgrade(empty_database_url):
    migrations.upgrade(empty_database_url, BEFORE)
    engine = make_engine(empty_database_url, pool_size=0)
    try:
        with engine.begin() as connection:
            connection.execute(INSERT, {"kind": "sale", "key": "sale:1"})
        migrations.upgrade(empty_database_url)
        migrations.check(empty_database_url)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT kind FROM ledger_transactions")).scalar() == "sale"
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(INSERT, {"kind": "bonus", "key": "bonus:1"})

        command.downgrade(migrations.alembic_config(empty_database_url), BEFORE)
        with engine.begin() as connection:
            connection.execute(INSERT, {"kind": "bonus", "key": "bonus:1"})
            assert connection.execute(sa.text("SELECT count(*) FROM ledger_transactions")).scalar() == 2
    finally:
        engine.dispose()
