"""The partner's dashboard: partner staff read the income page and the pillars page, each chart an SVG with its
table, each table as CSV; a community of fewer than three earning weavers is folded into "other", and no
weaver's name appears anywhere on it."""

from __future__ import annotations

from datetime import datetime

from factories import make_order, make_weaver, sale_for
from workspace_helpers import person, signed_in

from shop.accounts.models import Role
from shop.clock import LOCAL_ZONE, local_today
from shop.ledger.sales import post_sale


def sold(session, weaver, amount, at):
    order, lines = make_order(session, [(amount, 8000, [(weaver, 10_000)])])
    post_sale(session, sale_for(session, order, lines, money="cash"), booked_at=at)


def test_partner_staff_read_income_with_small_communities_folded_and_no_names(app, session):
    today = local_today()
    this_month = datetime(today.year, today.month, 1, 12, tzinfo=LOCAL_ZONE)
    nachij = [make_weaver(session, name=f"Xunka Nachij {n}", community="Nachij") for n in range(3)]
    apas = [make_weaver(session, name=f"Xunka Apas {n}", community="Apas", consent=False) for n in range(2)]
    for n, weaver in enumerate(nachij + apas):
        sold(session, weaver, 10_000 * (n + 1), this_month)
    from shop.marketplaces.models import ExchangeRate

    session.add(ExchangeRate(day=this_month.date(), currency="USD", mxn_micro=17_000_000))
    session.commit()
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    page = reader.get("/taller/panel")
    assert page.status_code == 200
    html = page.text
    assert html.count('<svg class="chart"') == 5 and "Otras comunidades" in html and "Nachij" in html
    assert "Apas" not in html  # two weavers: folded into "other"
    assert "Xunka" not in html
    # By hand: Nachij earns 80% of 10,000 + 20,000 + 30,000; the other two 80% of 40,000 + 50,000.
    assert "$480 MXN" in html and "$720 MXN" not in html and "menos de 3" in html
    for table in ("meses", "comunidades", "categorias", "canales", "horas", "ventas"):
        answer = reader.get(f"/taller/panel/tablas/{table}.csv")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        assert "Apas" not in answer.text and "Xunka" not in answer.text
    sales = reader.get("/taller/panel/tablas/ventas.csv").text.splitlines()
    # The 100-peso sale (USD 5.88): eBay 13.25% = 13.25 + USD 0.30 = 5.10 → 18.35; Etsy 6.5% + USD 0.20 → 9.90.
    assert any(row.endswith(",10000,0,8000,1835,990") for row in sales), sales
    assert "$18.35 MXN" in html and "$9.90 MXN" in html
    communities = reader.get("/taller/panel/tablas/comunidades.csv").text.splitlines()
    assert communities[1:] == ["Nachij,48000,3", "other,,2"]  # two weavers: the amount is not told
    assert reader.get("/taller/panel/tablas/otra.csv").status_code == 404
    pillars = reader.get("/taller/panel/pilares")
    assert pillars.status_code == 200 and '<svg class="chart" id="chart-score"' in pillars.text
    assert reader.get("/taller/panel/tablas/pilares.csv").text.startswith("\ufeffquarter,code")


def test_members_and_the_treasurer_do_not_see_the_dashboard(app, session):
    person(session, "tere", Role.treasurer)
    assert signed_in(app, "tere").get("/taller/panel").status_code == 403


def test_the_quarterly_update_tells_achievements_challenges_and_income_in_spanish_and_english(app, session):
    from shop.indicators import service
    from shop.indicators.models import ALL, Measure, Pillar
    from shop.indicators.periods import Quarter
    from shop.indicators.rules import Kind
    from shop.indicators.service import Cell, Person, Spec

    quarter = Quarter.of(local_today())
    start = datetime.combine(quarter.starts_on, datetime.min.time(), LOCAL_ZONE).replace(hour=12)
    for n in range(3):
        sold(session, make_weaver(session, community="Nachij"), 100_000 * (n + 1), start)
    lucia = Person(None, "Lucía")

    def indicator(code, es, en, target, actual):
        made = service.define(session, Spec(code, es, en, Pillar.mobilization, Kind.output, Measure.count))
        service.set_target(session, made.id, quarter, target)
        service.enter(
            session, made.id, quarter, "", {(ALL, ALL): Cell(actual)}, by=lucia, today=local_today(), entry_days=30
        )

    indicator("MOB-1", "Talleres impartidos", "Workshops held", 6, 7)
    indicator("MOB-2", "Catalizadoras formadas", "Catalysts trained", 10, 4)
    session.commit()
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    spanish = reader.get(f"/taller/panel/informe?trimestre={quarter.key}").text
    achieved, challenged = spanish.split("Áreas de logro")[1].split("Áreas de reto")
    assert "Talleres impartidos" in achieved and "Catalizadoras formadas" in challenged.split("Ingresos generados")[0]
    # By hand: 80% of 1,000 + 2,000 + 3,000 pesos to three weavers; the median 1,600.
    assert "Para las tejedoras: $4,800 MXN, a 3 tejedoras." in spanish
    assert "Ingreso mediano por tejedora: $1,600 MXN." in spanish
    english = reader.get(f"/taller/panel/informe?trimestre={quarter.key}&lengua=en").text
    assert "Areas of achievement" in english and "Workshops held" in english and "Catalysts trained" in english
    assert "Paid to the weavers: MX$4,800, to 3 weavers." in english
    assert "The payment processor took MX$0." in english


def test_the_iati_file_downloads_once_the_partner_is_identified(app, session, settings):
    from pathlib import Path

    from lxml import etree

    from shop.indicators import service
    from shop.indicators.models import Measure, Pillar
    from shop.indicators.periods import Quarter
    from shop.indicators.rules import Kind
    from shop.indicators.service import Spec

    made = service.define(
        session, Spec("MOB-1", "Talleres", "Workshops", Pillar.mobilization, Kind.output, Measure.count)
    )
    service.set_target(session, made.id, Quarter.of(local_today()), 6)
    session.commit()
    person(session, "lucia", Role.partner_staff)
    reader = signed_in(app, "lucia")
    refused = reader.get("/taller/panel/iati.xml")
    assert refused.status_code == 409 and "SHOP_IATI_REPORTING_ORG_REF" in refused.text
    for page in ("/taller/indicadores", "/taller/panel/pilares"):  # no link that could only be refused
        shown = reader.get(page).text
        assert 'href="/taller/panel/iati.xml"' not in shown and "SHOP_IATI_REPORTING_ORG_REF" in shown, page
    settings.iati_reporting_org_ref = "MX-RFC-THP000000XX0"
    for page in ("/taller/indicadores", "/taller/panel/pilares"):
        assert 'href="/taller/panel/iati.xml"' in reader.get(page).text, page
    answer = reader.get("/taller/panel/iati.xml")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/xml")
    schema = Path(__file__).resolve().parents[1] / "iati" / "2.03" / "iati-activities-schema.xsd"
    etree.XMLSchema(etree.parse(str(schema))).assertValid(etree.fromstring(answer.content))
    assert b"MX-RFC-THP000000XX0-JPAS-1" in answer.content and b"Workshops" in answer.content
