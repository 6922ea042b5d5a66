import csv

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from shop.catalogue import csv_io
from shop.catalogue.models import Product
from shop.cli import app
from shop.config import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch, settings):
    monkeypatch.setenv("SHOP_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SHOP_MEDIA_DIR", str(settings.media_dir))
    monkeypatch.setenv("SHOP_SECRET_KEY", "cli-test")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def write_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=csv_io.COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def product_row(**values):
    row = {
        "slug": "camino-mesa",
        "category": "huipiles",
        "status": "active",
        "kind": "series",
        "price_mxn": "950",
        "stock_on_hand": "4",
        "weavers": "maria-perez",
        "title_es": "Camino de mesa",
        "title_en": "Table runner",
    }
    row.update(values)
    return row


def test_import_reports_bad_rows_and_imports_nothing(cli_env, shop_data, session, tmp_path):
    path = tmp_path / "products.csv"
    write_csv(
        path,
        [product_row(), product_row(slug="x", price_mxn="cheap"), product_row(slug="y", weavers="nadie")],
    )
    result = runner.invoke(app, ["import", "products", str(path)])
    assert result.exit_code == 1
    assert "products.csv:3 [price_mxn]: Enter an amount such as 1850 or 1850.50." in result.output
    assert "products.csv:4 [weavers]: Unknown weaver “nadie”." in result.output
    assert "2 rows have problems. Nothing was imported." in result.output
    assert session.scalar(select(func.count()).select_from(Product).where(Product.slug == "camino-mesa")) == 0


def test_import_then_export(cli_env, shop_data, session, tmp_path):
    path = tmp_path / "products.csv"
    write_csv(
        path,
        [
            product_row(),
            product_row(
                slug="huipil-rombos",
                title_en="Renamed huipil",
                kind="unique",
                stock_on_hand="1",
                price_mxn="6800.00",
            ),
        ],
    )
    result = runner.invoke(app, ["import", "products", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported: 1 new, 1 updated." in result.output
    out = tmp_path / "export.csv"
    result = runner.invoke(app, ["export", "products", str(out)])
    assert result.exit_code == 0 and "Exported 6 products." in result.output
    rows = {r["slug"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["camino-mesa"]["price_mxn"] == "950.00"
    assert rows["huipil-rombos"]["title_en"] == "Renamed huipil"
    assert rows["bolsa-compartida"]["weavers"] == "maria-perez:60; juana-diaz:40"


def test_import_refuses_a_file_that_is_not_utf8(cli_env, shop_data, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(csv_io.COLUMNS).encode() + "\nñ,\xff\n".encode("latin-1"))
    result = runner.invoke(app, ["import", "products", str(path)])
    assert result.exit_code == 1
    assert "not UTF-8" in result.output


def test_db_upgrade_is_idempotent(cli_env):
    for _ in range(2):
        result = runner.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "up to date" in result.output


def test_db_summaries_are_checked_and_rebuilt_after_rows_written_round_the_shop(cli_env, session):
    import sqlalchemy as sa
    from factories import make_order, make_weaver, sale_for

    from shop.ledger.models import MonthTotal
    from shop.ledger.sales import post_sale

    order, lines = make_order(session, [(100_000, 8000, [(make_weaver(session), 10_000)])])
    post_sale(session, sale_for(session, order, lines))
    session.commit()
    assert runner.invoke(app, ["db", "summaries"]).exit_code == 0
    session.execute(sa.delete(MonthTotal))  # as a restore that left the summaries out would
    session.commit()
    checked = runner.invoke(app, ["db", "summaries"])
    assert checked.exit_code == 1 and "--rebuild" in checked.output
    rebuilt = runner.invoke(app, ["db", "summaries", "--rebuild"])
    assert rebuilt.exit_code == 0 and "summed again" in rebuilt.output
    assert runner.invoke(app, ["db", "summaries"]).exit_code == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(MonthTotal)) == 3  # the money, her share, the fund


def test_demo_loads_once_then_leaves_data_alone(cli_env, session, settings):
    """The one test that runs the real loader; the others start from a copy of what it leaves (mark demo)."""
    from shop.cli import demo_sheet
    from shop.orders.models import Order

    result = runner.invoke(app, ["demo", "--load-only"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    count = session.scalar(select(func.count()).select_from(Product))
    assert count >= 24
    assert session.scalar(select(func.count()).select_from(Order).where(Order.number.not_like("JJ-H%"))) == 3
    assert demo_sheet(settings).stat().st_mode & 0o077 == 0  # only its owner may read it
    result = runner.invoke(app, ["demo", "--load-only"])
    assert result.exit_code == 0
    assert "not loaded again" in result.output
    assert session.scalar(select(func.count()).select_from(Product)) == count


@pytest.mark.demo
def test_the_demo_people_sign_in_with_the_secrets_on_their_sheet(cli_env, session, settings):
    import re
    from datetime import UTC, datetime

    from shop.accounts.models import User
    from shop.accounts.sessions import enroll_device
    from shop.accounts.signin import Outcome, sign_in_with_password, sign_in_with_pin
    from shop.catalogue.models import Weaver
    from shop.cli import demo_sheet

    sheet = demo_sheet(settings)
    assert sheet.stat().st_mode & 0o077 == 0  # only its owner may read it
    text = sheet.read_text()
    now = datetime.now(UTC)
    staff = re.findall(r"^([^:]+): ([^,]+), username (\S+), password (\S+)$", text, re.M)
    # A treasurer and a council member who is not her: a batch of payouts needs both to be paid.
    assert [role for _, role, _, _ in staff] == [
        "admin and treasurer",
        "council (approves payouts)",
        "partner staff (the dashboard and the indicators)",
    ]
    for _, _, username, password in staff:
        assert sign_in_with_password(session, username, password, now).outcome is Outcome.ok
        assert sign_in_with_password(session, username, password + "x", now).outcome is Outcome.wrong
    council = session.scalar(select(User).where(User.username == staff[1][2]))
    assert [r.role for r in council.roles] == ["council"]
    name, username, pin = re.search(r"^(María[^:]+): member, username (\S+), PIN (\d{4})$", text, re.M).groups()
    maria = session.scalar(select(User).where(User.name == name))
    assert maria.weaver_id is not None and maria.username == username
    device, _ = enroll_device(session, "Computadora", council, now)
    assert sign_in_with_pin(session, maria.id, pin, now, device_id=device.id).outcome is Outcome.ok
    assert len(re.findall(r": member, username \S+, PIN \d{4}$", text, re.M)) == 8
    # Sign-in names are not the weavers' public slugs.
    slugs = set(session.scalars(select(Weaver.slug)))
    assert slugs and not slugs & set(session.scalars(select(User.username)))


@pytest.mark.demo
def test_the_demo_gives_the_workspace_something_to_show(cli_env, session):
    from shop.ledger.balances import balance
    from shop.orders.models import Channel, Order, OrderStatus

    history = session.scalars(select(Order).where(Order.number.like("JJ-H%"))).all()  # the dashboard's past sales
    orders = session.scalars(select(Order).where(Order.number.not_like("JJ-H%"))).all()
    assert sorted((o.channel, o.status) for o in orders) == sorted(
        [
            (Channel.in_person, OrderStatus.paid),  # a sale at the shop, in cash
            (Channel.online, OrderStatus.paid),  # to pack
            (Channel.online, OrderStatus.pending_payment),  # a transfer to confirm
        ]
    )
    sale = next(o for o in orders if o.channel is Channel.in_person)
    past_cash = sum(o.total for o in history if o.channel in (Channel.in_person, Channel.wholesale))
    assert balance(session, "cash") == sale.total + past_cash
    # Eighteen months of sales on every channel; the marketplaces' for the last year, with their own numbers.
    assert {o.channel for o in history} == set(Channel)
    sold_on_marketplaces = [o for o in history if o.channel is Channel.marketplace]
    assert {o.marketplace for o in sold_on_marketplaces} == {"ebay", "etsy"}
    assert all(o.external_ref for o in sold_on_marketplaces)


@pytest.mark.demo
def test_the_demo_shows_a_certificate_in_force_an_application_and_fair_prices(cli_env, session, settings):
    from shop.catalogue.models import Category, Product
    from shop.certification.claim import CertificateStatus
    from shop.certification.models import Certificate, CertificationAudit, FairPriceWorksheet, NonConformity
    from shop.certification.service import claims_on
    from shop.certification.worksheets import below_fair_minimum

    certificates = {c.number: c for c in session.scalars(select(Certificate))}
    assert {n: c.status for n, c in certificates.items()} == {
        "CMX-SPP-0142": CertificateStatus.certified,
        "WFTO-SOL-2026-31": CertificateStatus.applicant,
    }
    (audit,) = session.scalars(select(CertificationAudit)).all()
    (finding,) = session.scalars(select(NonConformity)).all()
    assert (audit.certificate_id, finding.severity.value) == (certificates["CMX-SPP-0142"].id, "major")
    assert finding.closed_on is not None and (settings.certification_dir / finding.evidence_path).is_file()
    products = session.scalars(select(Product)).all()
    sheets = session.scalar(select(func.count()).select_from(FairPriceWorksheet))
    assert sheets == len(products) - 2  # most pieces, and two left without, to show both cases
    assert below_fair_minimum(session, settings.work_week_hours)  # the report has something to show
    certified = set(session.scalars(select(Category.id).where(Category.slug.in_(["huipiles", "rebozos"]))))
    claims = claims_on(session, [p.id for p in products])
    assert all(claims[p.id] for p in products if p.category_id in certified)
    assert not any(claims[p.id] for p in products if p.category_id not in certified)


@pytest.mark.demo
def test_the_demo_shows_todays_bodies_and_the_trainings(cli_env, session):
    from shop.clock import local_today
    from shop.cooperative.governance import holders_on
    from shop.cooperative.models import Course, Member, SessionAttendance, SessionLanguage, Topic
    from shop.cooperative.trainings import completers

    holders = holders_on(session, local_today())
    assert len(holders) == 30 and len({h.term.member_id for h in holders}) == 30  # thirty women, a position each
    assert session.scalar(select(func.count()).select_from(Member)) == 30
    computing = session.scalar(select(Course).where(Course.topic == Topic.computer_skills))
    assert len(completers(session, computing.id)) == 10
    vcaw = session.scalar(select(Course).where(Course.topic == Topic.vcaw))
    assert len(completers(session, vcaw.id)) == 18
    from shop.cooperative.models import CourseSession

    languages = set(session.scalars(select(CourseSession.language).where(CourseSession.course_id == vcaw.id)))
    assert languages == {SessionLanguage.tzo}
    guests = session.scalar(
        select(func.count()).select_from(SessionAttendance).where(SessionAttendance.member_id.is_(None))
    )
    assert guests == 1


def test_shop_serve_answers_over_real_http(settings, tmp_path):
    """`shop serve` starts uvicorn on the asked host and port, against the configured database."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "SHOP_DATABASE_URL": settings.database_url,
        "SHOP_MEDIA_DIR": str(tmp_path / "media"),
        "SHOP_SECRET_KEY": "serve-test",
    }
    shop = Path(sys.executable).with_name("shop")
    process = subprocess.Popen([str(shop), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/es/products", timeout=5) as response:
            assert "J'pas Joloviletik" in response.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.demo
def test_the_demo_gives_the_dashboard_eighteen_months_indicators_and_an_approved_quarter(cli_env, session):
    from shop.clock import local_today
    from shop.indicators.models import Approval, Indicator, Target
    from shop.indicators.periods import Quarter
    from shop.indicators.service import quarter_score
    from shop.ledger import rollups
    from shop.orders.models import Channel, Order
    from shop.partnerships.models import Partnership

    today = local_today()
    first = today.replace(day=1)
    for _ in range(17):
        first = (first.replace(day=1) - __import__("datetime").timedelta(days=1)).replace(day=1)
    months = rollups.by_month(session, first, today)
    assert len(months) == 18 and all(m.gross > 0 for m in months[:-1])
    channels = set(session.scalars(select(Order.channel).distinct()))
    assert {Channel.online, Channel.in_person} <= channels
    communities = rollups.by_community(session, first, rollups.next_month(today))
    assert len([c for c in communities if c.key]) >= 2
    assert session.scalar(select(func.count()).select_from(Indicator)) >= 8
    assert session.scalar(select(func.count()).select_from(Target)) >= 48
    approved = Quarter.of(today).previous()
    assert session.scalar(select(func.count()).select_from(Approval).where(Approval.period == approved.key)) == 3
    assert quarter_score(session, approved).total_weight > 0
    assert session.scalar(select(func.count()).select_from(Partnership)) == 4
    from shop.web.dashboard.panel import hourly_by_community

    rows, overall, references = hourly_by_community(session, 48)
    assert len(rows) >= 3 and all(r.weavers >= 3 for r in rows) and overall > 0
    assert any("mínimo" in r.label for r in references) and any("pobreza" in r.label for r in references)
