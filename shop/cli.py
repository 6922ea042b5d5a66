"""The ``shop`` command: serve, demo, migrate, and move products in and out as CSV.

Each command owns its transaction, exactly as a request does.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import func, select

from shop.config import Environment, Settings, get_settings
from shop.db import make_engine, session_scope
from shop.i18n import STORE_LANGUAGES, negotiate, translator

app = typer.Typer(help="J'pas Joloviletik shop: store and back office.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
export_app = typer.Typer(help="Export data to files.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
user_app = typer.Typer(help="People who use the workspace.", no_args_is_help=True)
app.add_typer(user_app, name="user")
jobs_app = typer.Typer(help="Background work: expired holds, unpaid orders, the mail outbox.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
photos_app = typer.Typer(help="The pieces' photos and the weavers' portraits.", no_args_is_help=True)
app.add_typer(photos_app, name="photos")

Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="TCP port.")]


def _cli_translator():
    """Messages in the operator's own language, taken from LANG (es or en)."""
    lang = os.environ.get("LANG", "").split(".")[0].replace("_", "-")
    return translator(negotiate(lang, STORE_LANGUAGES, get_settings().default_language))


def _engine(settings: Settings):
    return make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms, pool_size=0)


def _serve(host: str, port: int, workers: int, settings: Settings) -> None:
    import uvicorn

    typer.echo(f"J'pas Joloviletik shop at http://{host}:{port}/  (Ctrl+C to stop)")
    uvicorn.run(
        "shop.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="info",
        access_log=settings.environment is not Environment.production,
    )


@app.command()
def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use PostgreSQL for more than one).")] = 1,
) -> None:
    """Serve the shop (run `shop db upgrade` first)."""
    _serve(host, port, workers, get_settings())


@app.command()
def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    load_only: Annotated[bool, typer.Option(help="Prepare the demo data, then exit.")] = False,
) -> None:
    """Migrate, load the demo catalogue if the database is empty, then serve."""
    from shop import migrations

    settings = get_settings()
    migrations.upgrade(settings.database_url)
    _load_demo_if_empty(settings)
    if not load_only:
        # The app is built in this process by uvicorn's factory, which reads settings from the environment.
        os.environ.setdefault("SHOP_ENVIRONMENT", Environment.demo.value)
        # One process does everything in the demo: holds expire and e-mails are written to the log.
        os.environ.setdefault("SHOP_JOBS_INTERVAL_SECONDS", "30")
        os.environ.setdefault(
            "SHOP_BANK_TRANSFER_DETAILS",
            "Demo: Banco Ejemplo · CLABE 002180700123456789 · J'pas Joloviletik S.C. de R.L. de C.V.",
        )
        get_settings.cache_clear()
        if demo_sheet(settings).exists():
            typer.echo(f"The members' workspace is at http://{host}:{port}/taller; who signs in, and how:")
            typer.echo(demo_sheet(settings).read_text())
        _serve(host, port, 1, get_settings())


def demo_sheet(settings: Settings) -> Path:
    """Who signs in to the demo's workspace, and how (secrets drawn at random when the demo was loaded)."""
    return Path(settings.media_dir).parent / "demo-people.txt"


def _load_demo_if_empty(settings: Settings) -> None:
    from shop.catalogue.images import ImageLimits
    from shop.catalogue.models import Product, Weaver
    from shop.clock import local_today, utcnow
    from shop.demo.activity import load_activity
    from shop.demo.certification import load_certification
    from shop.demo.cooperative import load_cooperative
    from shop.demo.load import load_demo
    from shop.demo.people import ADMIN, load_people, write_sheet
    from shop.demo.programme import load_programme
    from shop.storage import file_stores

    engine = _engine(settings)
    try:
        with session_scope(engine) as session:
            if session.scalar(select(func.count()).select_from(Product)):
                typer.echo("The database already has products; the demo data is not loaded again.")
                return
            started = time.monotonic()
            files = file_stores(settings)
            counts = load_demo(session, files, ImageLimits(settings.max_image_bytes, settings.max_image_pixels))
            sheet = load_people(session, list(session.scalars(select(Weaver).order_by(Weaver.name)).all()))
            counts["orders"] = load_activity(session, actor=ADMIN[0], base_url=settings.base_url, now=utcnow())
            counts |= load_certification(
                session,
                today=local_today(),
                store=files.certification,
                limits=ImageLimits(settings.max_document_bytes, settings.max_image_pixels),
            )
            counts |= load_cooperative(session, today=local_today())
            counts |= load_programme(session, today=local_today())
        write_sheet(demo_sheet(settings), sheet)
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        typer.echo(f"Demo data loaded in {time.monotonic() - started:.1f} s: {summary}.")
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Bring the schema up to date (safe to run from several machines at once on PostgreSQL)."""
    from shop import migrations

    migrations.upgrade(get_settings().database_url, revision)
    typer.echo("Database schema is up to date.")


@db_app.command("summaries")
def db_summaries(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Sum them again from the entries.")] = False,
) -> None:
    """Check the ledger's summaries against its entries (the dashboard reads them); rebuild them after data was
    loaded round the shop (a restore, a bulk COPY). Exits 1 when they disagree and were not rebuilt."""
    from shop.ledger import summary

    settings = get_settings()
    engine = _engine(settings)
    try:
        with session_scope(engine) as session:
            if rebuild:
                summary.rebuild(session)
                typer.echo("The ledger's summaries were summed again from its entries.")
                return
            if summary.kept(session) != summary.recomputed(session):
                typer.echo("The ledger's summaries disagree with its entries: run again with --rebuild.", err=True)
                raise typer.Exit(1)
            typer.echo("The ledger's summaries agree with its entries.")
    finally:
        engine.dispose()


@import_app.command("products")
def import_products(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import products from CSV: every row is checked first; any problem means nothing is imported."""
    from shop.catalogue import csv_io

    t = _cli_translator()
    settings = get_settings()
    engine = _engine(settings)
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            total = max(0, sum(1 for _ in handle) - 1)
            handle.seek(0)
            with session_scope(engine) as session:
                with typer.progressbar(length=total, label=t.gettext("Checking"), file=sys.stderr) as bar:
                    checked = csv_io.check_file(session, handle, t, progress=bar.update)
                if checked.errors:
                    for error in checked.errors:
                        where = f"{file.name}:{error.line}"
                        column = f" [{error.field}]" if error.field else ""
                        typer.echo(f"{where}{column}: {error.message}", err=True)
                    bad_lines = len({e.line for e in checked.errors})
                    typer.echo(
                        t.ngettext(
                            "%(num)d row has problems. Nothing was imported.",
                            "%(num)d rows have problems. Nothing was imported.",
                            bad_lines,
                        ),
                        err=True,
                    )
                    raise typer.Exit(code=1)
                with typer.progressbar(length=len(checked.rows), label=t.gettext("Importing"), file=sys.stderr) as bar:
                    created, updated = csv_io.import_rows(session, checked.rows, progress=bar.update)
    except UnicodeDecodeError:
        typer.echo(t.gettext("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."), err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    typer.echo(t.gettext("Imported: %(created)d new, %(updated)d updated.", created=created, updated=updated))


@export_app.command("products")
def export_products(file: Annotated[Path, typer.Argument(dir_okay=False, writable=True)]) -> None:
    """Export every product (any status) to CSV, in the same format `shop import products` reads."""
    from shop.catalogue import csv_io

    t = _cli_translator()
    engine = _engine(get_settings())
    try:
        with session_scope(engine) as session, file.open("w", newline="", encoding="utf-8") as handle:
            count = csv_io.export_products(session, handle)
    finally:
        engine.dispose()
    typer.echo(t.ngettext("Exported %(num)d product.", "Exported %(num)d products.", count))


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Option(prompt=True, help="Full name.")],
    username: Annotated[str, typer.Option(prompt=True, help="For signing in with a password.")],
    role: Annotated[
        list[str], typer.Option(help="admin, council, treasurer, member or partner_staff (repeatable).")
    ] = ("admin",),
    email: Annotated[str, typer.Option(help="Optional.")] = "",
    weaver: Annotated[str, typer.Option(help="Slug of her weaver profile (members).")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters.")
    ] = "",
    pin: Annotated[str, typer.Option(help="4 to 6 digits, for the tiles on enrolled devices.")] = "",
) -> None:
    """Create a person (the first admin, typically) who can then sign in at /taller."""
    from shop.accounts.models import Role
    from shop.accounts.service import create_user
    from shop.catalogue.service import weaver_by_slug
    from shop.errors import DomainError, ValidationFailed

    t = _cli_translator()
    engine = _engine(get_settings())
    try:
        with session_scope(engine) as session:
            roles = []
            for value in role:
                if value not in Role.__members__:
                    typer.echo(t.gettext("Unknown role: %(role)s.", role=value), err=True)
                    raise typer.Exit(code=2)
                roles.append(Role(value))
            weaver_id = None
            if weaver:
                found = weaver_by_slug(session, weaver)
                if found is None:
                    typer.echo(t.gettext("We could not find that weaver."), err=True)
                    raise typer.Exit(code=2)
                weaver_id = found.id
            try:
                user = create_user(
                    session,
                    name=name,
                    username=username,
                    email=email or None,
                    roles=roles,
                    password=password or None,
                    pin=pin or None,
                    weaver_id=weaver_id,
                )
            except DomainError as exc:
                problems = exc.errors if isinstance(exc, ValidationFailed) and exc.errors else [exc]
                for problem in problems:
                    field = f"[{problem.field}] " if problem.field else ""
                    typer.echo(f"{field}{problem.translated(t.gettext)}", err=True)
                raise typer.Exit(code=1) from None
            typer.echo(t.gettext("%(name)s can now sign in.", name=user.name))
    finally:
        engine.dispose()


@user_app.command("api-key")
def user_api_key(
    username: Annotated[str, typer.Argument(help="Whose key: it acts with her roles.")],
    name: Annotated[str, typer.Option(help="What the key is for.")] = "API",
) -> None:
    """Create a personal API key (shown once) for the management API."""
    import sqlalchemy as sa

    from shop.accounts.models import User
    from shop.accounts.sessions import create_api_key
    from shop.clock import utcnow

    engine = _engine(get_settings())
    try:
        with session_scope(engine) as session:
            user = session.scalar(sa.select(User).where(User.username == username.lower()))
            if user is None:
                typer.echo(f"No such user: {username}", err=True)
                raise typer.Exit(code=1)
            _, raw = create_api_key(session, user, name, utcnow())
    finally:
        engine.dispose()
    typer.echo(raw)


@photos_app.command("thumbnails")
def photos_thumbnails() -> None:
    """Make the thumbnails that photos stored earlier lack (AVIF, and 480 and 960 wide) from their originals.

    Pages offer a photo's new files once they are all written. Safe to run again, and while the shop serves.
    """
    from shop.catalogue.images import derive_missing, images_behind
    from shop.storage import file_stores

    settings = get_settings()
    engine = _engine(settings)
    files = file_stores(settings)
    updated = written = 0
    unreadable: list[str] = []
    after = 0
    try:
        while True:
            # A transaction per batch, so a long run that stops keeps what it did.
            with session_scope(engine) as session:
                batch = images_behind(session, after_id=after)
                for image in batch:
                    made = derive_missing(session, image, files)
                    if made is None:
                        unreadable.append(image.key)
                    else:
                        updated, written = updated + 1, written + made
            if not batch:
                break
            after = batch[-1].id
    finally:
        engine.dispose()
    typer.echo(f"Photos brought up to date: {updated} ({written} files written).")
    if unreadable:
        typer.echo(
            f"Photos whose original cannot be read, which keep the thumbnails they had: {len(unreadable)} ("
            + ", ".join(unreadable)
            + ").",
            err=True,
        )


@jobs_app.command("run")
def jobs_run(
    every: Annotated[float, typer.Option(help="Keep running, once every this many seconds (0: run once).")] = 0,
) -> None:
    """Release expired holds, cancel orders not paid in time, settle Stripe refunds left pending, send queued
    e-mail. Safe on several machines."""
    from shop.jobs import run_once
    from shop.payments.gateway import StripeGateway

    settings = get_settings()
    engine = _engine(settings)
    gateway = StripeGateway(settings) if settings.stripe_secret_key is not None else None
    try:
        while True:
            summary = run_once(engine, settings, gateway=gateway)
            typer.echo(", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in summary.items()))
            if every <= 0:
                break
            time.sleep(every)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


if __name__ == "__main__":
    app()
