"""The partner's dashboard in a real browser: partner staff sign in, read the income page and the pillars page
with their charts and tables, and download a table as CSV; axe finds no serious or critical issue."""

from __future__ import annotations

import re
from datetime import datetime

from factories import make_order, make_weaver, sale_for
from signing_in import sign_in_as
from workspace_helpers import person

from shop.accounts.models import Role
from shop.clock import LOCAL_ZONE, local_today
from shop.indicators import service
from shop.indicators.models import ALL, Measure, Pillar
from shop.indicators.periods import Quarter
from shop.indicators.rules import Kind
from shop.indicators.service import Cell, Person, Spec
from shop.ledger.sales import post_sale


def sold(session, weaver, amount, at):
    order, lines = make_order(session, [(amount, 8000, [(weaver, 10_000)])])
    post_sale(session, sale_for(session, order, lines, money="cash"), booked_at=at)


def test_partner_staff_read_the_dashboard(browser, live_server, session, screenshots, serious_violations, tmp_path):
    today = local_today()
    weavers = [make_weaver(session, community=c) for c in ("Nachij", "Nachij", "Nachij", "Apas")]
    for months_ago in range(6):
        month = (today.month - months_ago - 1) % 12 + 1
        year = today.year - (1 if month > today.month else 0)
        for n, weaver in enumerate(weavers):
            sold(
                session,
                weaver,
                150_000 + 50_000 * n + 20_000 * months_ago,
                datetime(year, month, 10, 12, tzinfo=LOCAL_ZONE),
            )
    quarter = Quarter.of(today)
    workshops = service.define(
        session,
        Spec("MOB-1", "Talleres impartidos", "Workshops held", Pillar.mobilization, Kind.output, Measure.count),
    )
    service.set_target(session, workshops.id, quarter, 6)
    service.enter(
        session,
        workshops.id,
        quarter,
        "Nachij",
        {(ALL, ALL): Cell(7)},
        by=Person(None, "Lucía"),
        today=today,
        entry_days=30,
    )
    person(session, "lucia", Role.partner_staff, name="Lucía Gómez")
    session.commit()
    context, page = sign_in_as(browser, live_server, "lucia", javascript=True)
    try:
        # A click does not wait for the page it leads to: each page is read once its address is in and it has loaded.
        page.get_by_role("link", name="Tablero").click()
        page.wait_for_url(live_server + "/taller/panel")
        assert page.locator("svg.chart").count() >= 5
        assert page.get_by_role("heading", name="Ingresos de las tejedoras por comunidad").is_visible()
        assert page.get_by_text("Otras comunidades").first.is_visible()
        page.screenshot(path=screenshots / "dashboard-income-1024.png", full_page=True)
        assert serious_violations(page) == []
        with page.expect_download() as download:
            page.locator("a[href='/taller/panel/tablas/meses.csv']").click()
        assert download.value.suggested_filename.startswith("panel-meses-")
        page.get_by_role("link", name="Los pilares").click()
        page.wait_for_url(live_server + "/taller/panel/pilares")
        assert page.locator("svg#chart-score").is_visible()
        assert page.get_by_text("Talleres impartidos").is_visible()
        page.screenshot(path=screenshots / "dashboard-pillars-1024.png", full_page=True)
        assert serious_violations(page) == []
        page.get_by_role("link", name=f"Informe trimestral {quarter.key}").click()
        page.wait_for_url(re.compile(r"/taller/panel/informe\?trimestre="))
        assert page.get_by_role("heading", name="Áreas de logro").is_visible()
        assert "Talleres impartidos" in page.locator("article.update").inner_text()
        assert serious_violations(page) == []
        page.get_by_role("link", name="English").click()
        page.wait_for_url(re.compile(r"/taller/panel/informe\?.*lengua=en"))
        assert page.get_by_role("heading", name="Areas of achievement").is_visible()
        page.emulate_media(media="print")
        page.screenshot(path=screenshots / "quarterly-update-en-1024.png", full_page=True)
        assert page.pdf(path=str(tmp_path / "update.pdf"))[:5] == b"%PDF-"
    finally:
        context.close()
    context, page = sign_in_as(browser, live_server, "lucia", width=390, javascript=True)
    try:
        page.goto(live_server + "/taller/panel")
        page.screenshot(path=screenshots / "dashboard-income-390.png", full_page=True)
        assert serious_violations(page) == []
    finally:
        context.close()
