"""The demo data, loaded once per test run and copied for each test that needs it.

Drawing and saving the demo's images takes half a minute, so the run loads it once, into template databases
(SQLite files, or PostgreSQL databases used as CREATE DATABASE templates) and one media directory:

- ``catalogue``: what ``load_demo`` leaves, for the tests of the catalogue it draws;
- ``full``: that plus the demo people and orders, what ``shop demo`` leaves, and its sign-in sheet.

The test that ``shop demo`` loads once and then leaves the data alone still runs the real loader.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from factories import files_in
from postgres_admin import clone_postgres_database, recreate_postgres_database
from sqlalchemy import event, select
from sqlalchemy.engine import make_url

from shop import migrations
from shop.catalogue.images import ImageLimits
from shop.catalogue.models import Weaver
from shop.clock import local_today, utcnow
from shop.config import Settings
from shop.db import make_engine, session_scope
from shop.demo.activity import load_activity
from shop.demo.certification import load_certification
from shop.demo.cooperative import load_cooperative
from shop.demo.load import load_demo
from shop.demo.people import ADMIN, load_people, write_sheet
from shop.demo.programme import load_programme
from shop.storage import LocalStore

LIMITS = ImageLimits(max_bytes=15 * 1024 * 1024, max_pixels=50_000_000)
CERTIFICATION = "certification"  # the demo's certification documents, beside the media directory, as in tests
SHEET = "demo-people.txt"  # beside the media directory, where ``shop.cli.demo_sheet`` looks for it


@dataclass(frozen=True)
class DemoTemplate:
    catalogue: str  # an SQLite file, or a PostgreSQL URL
    full: str
    media_dir: Path
    sheet: Path
    counts: dict[str, int]  # what load_demo returned
    commits_by_loader: int  # commits made while load_demo ran (its caller owns the transaction)


def _url(database: str) -> str:
    return database if "://" in database else f"sqlite:///{database}"


def build(migrated_database: str, directory: Path, postgres_url: str | None) -> DemoTemplate:
    """Load the demo once: the catalogue first (kept as a template), then the people and orders."""
    if postgres_url:
        catalogue = _named(postgres_url, "demo_catalogue")
        full = _named(postgres_url, "demo")
        recreate_postgres_database(full)
        migrations.upgrade(full)
    else:
        catalogue, full = str(directory / "catalogue.db"), str(directory / "demo.db")
        shutil.copyfile(migrated_database, full)
    media_dir, sheet = directory / "media", directory / SHEET
    engine = make_engine(_url(full))
    commits = []
    with session_scope(engine) as session:
        event.listen(session, "after_commit", lambda _session: commits.append(1))
        counts = load_demo(session, files_in(media_dir), LIMITS)
        commits_by_loader = len(commits)
    assert len(commits) == 1  # the one by session_scope, the owner of the transaction
    engine.dispose()
    if postgres_url:
        clone_postgres_database(full, catalogue)
    else:
        shutil.copyfile(full, catalogue)
    # The rest of what `shop demo` does after the catalogue (shop.cli._load_demo_if_empty).
    engine = make_engine(_url(full))
    with session_scope(engine) as session:
        lines = load_people(session, list(session.scalars(select(Weaver).order_by(Weaver.name)).all()))
        load_activity(session, actor=ADMIN[0], base_url=Settings.model_fields["base_url"].default, now=utcnow())
        load_certification(session, today=local_today(), store=LocalStore(directory / CERTIFICATION), limits=LIMITS)
        load_cooperative(session, today=local_today())
        load_programme(session, today=local_today())
    engine.dispose()
    write_sheet(sheet, lines)
    return DemoTemplate(catalogue, full, media_dir, sheet, counts, commits_by_loader)


def copy(template: str, database_url: str) -> None:
    """Make the (not yet opened) database at ``database_url`` a copy of a template."""
    if "://" in template:
        clone_postgres_database(template, database_url)
    else:
        shutil.copyfile(template, make_url(database_url).database)


def copy_files(template: DemoTemplate, media_dir: Path) -> None:
    """The template's images into ``media_dir``, and its sign-in sheet beside it."""
    shutil.copytree(template.media_dir, media_dir, dirs_exist_ok=True)
    shutil.copytree(template.media_dir.parent / CERTIFICATION, media_dir.parent / CERTIFICATION, dirs_exist_ok=True)
    shutil.copy2(template.sheet, media_dir.parent / SHEET)


def _named(url: str, suffix: str) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{suffix}").render_as_string(hide_password=False)
