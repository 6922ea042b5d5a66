"""The sign-in migration (issue 10) on a database with people in it: usernames that were a weaver's public
slug get a new name, each rename in the audit log, and nothing that points at a person is lost (SQLite
rebuilds the users table to drop its lockout columns)."""

import sqlalchemy as sa
from sqlmodel import Session

from alembic import command
from shop import migrations
from shop.catalogue.models import Weaver
from shop.db import make_engine

BEFORE = "3b8e5f27c1d4"  # the revision before this one


def test_public_slugs_are_renamed_and_audited_and_nothing_else_changes(empty_database_url):
    migrations.upgrade(empty_database_url, BEFORE)
    engine = make_engine(empty_database_url, pool_size=0)
    try:
        with Session(engine) as session:
            weaver = Weaver(slug="maria-perez", name="María Pérez", community="Nachij", municipio="Zinacantán")
            session.add(weaver)
            session.flush()
            insert = sa.text(
                "INSERT INTO users (name, username, weaver_id, language, active, failed_attempts, created_at)"
                " VALUES (:name, :username, :weaver, 'es', true, 3, CURRENT_TIMESTAMP)"
            )
            session.execute(insert, {"name": "María", "username": "maria-perez", "weaver": weaver.id})
            session.execute(insert, {"name": "Ana", "username": "ana", "weaver": None})
            session.execute(sa.text("INSERT INTO user_roles (user_id, role) SELECT id, 'member' FROM users"))
            session.commit()

        migrations.upgrade(empty_database_url)

        with engine.connect() as connection:
            users = dict(connection.execute(sa.text("SELECT name, username FROM users")).all())
            assert users["Ana"] == "ana"
            assert users["María"].startswith("maria-perez-") and len(users["María"]) == len("maria-perez-") + 4
            assert connection.execute(sa.text("SELECT count(*) FROM user_roles")).scalar() == 2  # not cascaded
            columns = {c["name"] for c in sa.inspect(connection).get_columns("users")}
            assert not {"failed_attempts", "locked_until"} & columns
            action, summary = connection.execute(sa.text("SELECT action, summary FROM audit_events")).one()
            assert action == "rename" and users["María"] in summary and "maria-perez" in summary
        migrations.check(empty_database_url)

        command.downgrade(migrations.alembic_config(empty_database_url), BEFORE)
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM user_roles")).scalar() == 2
            assert connection.execute(sa.text("SELECT max(failed_attempts) FROM users")).scalar() == 0
    finally:
        engine.dispose()
