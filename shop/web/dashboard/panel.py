"""The partner's dashboard: the income the shop generates for the women, and the programme's pillars. Partner
staff read it, as do the council and the admin. Charts are SVG drawn here, each with its table; every table
prints and downloads as CSV. No weaver is named, and no cell shows fewer than three weavers' income."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from shop.api.http.auth import RecordReaders
from shop.api.http.deps import SessionDep
from shop.catalogue.models import Weaver
from shop.clock import LOCAL_ZONE, local_today, utcnow
from shop.errors import N_, InvalidState, NotFound
from shop.i18n import translator
from shop.indicators import derived, iati, service
from shop.indicators.models import Indicator, IndicatorValue, Target
from shop.indicators.periods import Quarter, quarters_between
from shop.ledger import rollups
from shop.ledger.fair_earnings import fair_earnings
from shop.marketplaces import comparison
from shop.marketplaces.fees import Extra
from shop.spreadsheet import csv_text
from shop.web.dashboard import charts
from shop.web.dashboard.charts import Reference
from shop.web.dashboard.indicators import quarter_of
from shop.web.dashboard.names import NAMES
from shop.web.workspace.render import ws_render

router = APIRouter(prefix="/taller/panel", include_in_schema=False)
MONTHS = 18
LATEST = 20  # sales shown one by one on the page; the CSV has them all
QUARTERS = 8
CHANNEL_NAMES = {
    "online": N_("Online store"),
    "in_person": N_("In person or at a market"),
    "wholesale": N_("Wholesale"),
    "marketplace": N_("eBay and Etsy"),
}


def span(today: date) -> tuple[date, date]:
    """The last eighteen months, this one included: (first day, the day after the last)."""
    first = today.replace(day=1)
    for _ in range(MONTHS - 1):
        first = (
            first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)
        )
    return first, rollups.next_month(today)


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LOCAL_ZONE)


@dataclass(frozen=True)
class Hourly:
    key: str  # a community, or rollups.OTHER
    weavers: int
    median: int  # centavos an hour


def hourly_by_community(session, week_hours: int, between=None) -> tuple[list[Hourly], int | None, list[Reference]]:
    """Median implied hourly earnings by community (three weavers or more, the rest folded), overall, and the
    wage benchmarks as reference lines; over ``between`` (two instants) when given."""
    found = fair_earnings(session, week_hours, between)
    if not found:
        return [], None, []
    communities = dict(
        session.execute(sa.select(Weaver.id, Weaver.community).where(Weaver.id.in_([w.weaver_id for w in found]))).all()
    )
    grouped: dict[str, list[int]] = {}
    for weaver in found:
        grouped.setdefault(communities[weaver.weaver_id], []).append(weaver.hourly)
    rows, folded = [], []
    for community, hourly in sorted(grouped.items()):
        if len(hourly) >= rollups.FEW:
            rows.append(Hourly(community, len(hourly), int(statistics.median_low(hourly))))
        else:
            folded += hourly
    if len(folded) >= rollups.FEW:
        rows.append(Hourly(rollups.OTHER, len(folded), int(statistics.median_low(folded))))
    everyone = [w.hourly for w in found]
    overall = int(statistics.median_low(everyone)) if len(everyone) >= rollups.FEW else None
    references = [Reference(c.benchmark, c.hourly) for c in found[0].against]
    return rows, overall, references


def _rollups(session, request) -> dict:
    """Each of the income page's figures, computed only when asked (a CSV needs one of them)."""
    first, end = span(local_today())
    return {
        "first": lambda: first,
        "months": lambda: rollups.by_month(session, first, local_today()),
        "communities": lambda: rollups.by_community(session, first, end),
        "categories": lambda: rollups.by_category(session, first, end),
        "channels": lambda: rollups.by_channel(session, first, end),
        "hourly": lambda: hourly_by_community(
            session, request.app.state.settings.work_week_hours, (local_midnight(first), local_midnight(end))
        ),
        "compared": lambda: comparison.compare(session, first, end, extra_rates(request)),
        "latest_sales": lambda: comparison.compare(session, first, end, extra_rates(request), limit=LATEST),
        "compared_totals": lambda: comparison.totals(session, first, end, extra_rates(request)),
    }


def _income(session, request) -> dict:
    """The page's figures: every sale one by one is for the CSV alone."""
    return {name: compute() for name, compute in _rollups(session, request).items() if name != "compared"}


def extra_rates(request) -> Extra:
    settings = request.app.state.settings
    return Extra(settings.ebay_international_fee_bp, settings.etsy_processing_fee_bp)


@router.get("")
def income(request: Request, session: SessionDep, who: RecordReaders):
    t = translator(getattr(request.state, "lang", None) or "es")
    found = _income(session, request)
    money = lambda amount: t.money(amount, "MXN")  # noqa: E731
    other = t.gettext(N_("Other communities"))
    months = found["months"]
    hourly_rows, overall, references = found["hourly"]
    drawn = {
        "months": charts.columns(
            "chart-months",
            t.gettext(N_("Sales and weavers' earnings by month")),
            [(m.key[2:], m.gross) for m in months],
            shown=money,
        ),
        "earnings": charts.columns(
            "chart-earnings",
            t.gettext(N_("Weavers' earnings by month")),
            [(m.key[2:], m.weavers) for m in months],
            shown=money,
        ),
        "communities": charts.bars(
            "chart-communities",
            t.gettext(N_("Weavers' earnings by community")),
            [(c.key or other, c.amount) for c in found["communities"] if not c.hidden],
            shown=money,
        ),
        "categories": charts.bars(
            "chart-categories",
            t.gettext(N_("Sales by category")),
            [(c.key or t.gettext(N_("Other")), c.amount) for c in found["categories"]],
            shown=money,
        ),
        "channels": charts.bars(
            "chart-channels",
            t.gettext(N_("Sales by channel")),
            [(t.gettext(CHANNEL_NAMES.get(str(c.key), N_("Other"))), c.amount) for c in found["channels"]],
            shown=money,
        ),
        "hourly": charts.bars(
            "chart-hourly",
            t.gettext(N_("Implied earnings an hour, median, against the wage benchmarks")),
            [(h.key or other, h.median) for h in hourly_rows],
            shown=money,
            references=references,
        ),
    }
    return ws_render(
        request,
        "dashboard/income.html",
        {
            **found,
            "charts": drawn,
            "overall_hourly": overall,
            "hourly_rows": hourly_rows,
            "references": references,
            "channel_names": CHANNEL_NAMES,
            "few": rollups.FEW,
        },
    )


@router.get("/pilares")
def pillars(request: Request, session: SessionDep, who: RecordReaders, trimestre: str = ""):
    t = translator(getattr(request.state, "lang", None) or "es")
    quarter = quarter_of(trimestre)
    rows = service.quarter_rows(session, quarter)
    score = service.score_of(rows)
    trend = [(quarter, score)]
    for _ in range(QUARTERS - 1):  # the quarters before, each read once
        earlier = trend[0][0].previous()
        trend.insert(0, (earlier, service.quarter_score(session, earlier)))
    chart = charts.columns(
        "chart-score",
        t.gettext(N_("Weighted score of targets met, by quarter")),
        [(q.key, s.bp if s.total_weight else 0) for q, s in trend],
        shown=lambda bp: f"{bp // 100}%",
        references=[Reference(t.gettext(N_("self-reliant")), 8_000)],
    )
    return ws_render(
        request,
        "dashboard/pillars.html",
        {
            "quarter": quarter,
            "score": score,
            "trend": trend,
            "groups": service.by_pillar(rows),
            "chart": chart,
            **NAMES,
        },
    )


TABLES = ("meses", "comunidades", "categorias", "canales", "horas", "ventas", "pilares", "valores")


@router.get("/tablas/{name}.csv")
def table_csv(
    request: Request,
    session: SessionDep,
    who: RecordReaders,
    name: Annotated[str, Path(max_length=20)],
    trimestre: str = "",
):
    if name not in TABLES:
        raise NotFound(N_("There is no such table."))
    if name == "valores":
        text = csv_text(
            [
                "code",
                "indicator",
                "quarter",
                "community",
                "sex",
                "age_band",
                "value",
                "numerator",
                "denominator",
                "updated_by",
                "updated_at",
            ],
            (
                (
                    i.code,
                    i.name_es,
                    v.period,
                    v.community or "all",
                    v.sex or "all",
                    v.age_band or "all",
                    v.value,
                    v.numerator,
                    v.denominator,
                    v.updated_by,
                    v.updated_at.isoformat(timespec="seconds"),
                )
                for v, i in session.execute(
                    sa.select(IndicatorValue, Indicator)
                    .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
                    .order_by(
                        Indicator.code,
                        IndicatorValue.period,
                        IndicatorValue.community,
                        IndicatorValue.sex,
                        IndicatorValue.age_band,
                    )
                )
            ),
        )
    elif name == "pilares":
        quarter = quarter_of(trimestre)
        text = csv_text(
            ["quarter", "code", "indicator", "pillar", "kind", "weight", "target", "actual", "met"],
            (
                (
                    quarter.key,
                    r.indicator.code,
                    r.indicator.name_es,
                    r.indicator.pillar.value,
                    r.indicator.kind.value,
                    r.indicator.weight,
                    r.target,
                    r.actual.value if r.actual else None,
                    None if r.met is None else ("yes" if r.met else "no"),
                )
                for r in service.quarter_rows(session, quarter)
            ),
        )
    else:
        figures = _rollups(session, request)
        text = {
            "meses": lambda: csv_text(
                [
                    "month",
                    "sales_centavos",
                    "weavers_centavos",
                    "fund_centavos",
                    "fees_centavos",
                    "weavers_earning",
                    "median_centavos",
                ],
                ((m.key, m.gross, m.weavers, m.fund, m.fees, m.earning, m.median) for m in figures["months"]()),
            ),
            "comunidades": lambda: csv_text(
                ["community", "weavers_centavos", "weavers_earning"],
                ((c.key or "other", None if c.hidden else c.amount, c.weavers) for c in figures["communities"]()),
            ),
            "categorias": lambda: csv_text(
                ["category", "sales_centavos"], ((c.key or "other", c.amount) for c in figures["categories"]())
            ),
            "canales": lambda: csv_text(
                ["channel", "sales_centavos"], ((str(c.key) or "other", c.amount) for c in figures["channels"]())
            ),
            "ventas": lambda: csv_text(
                [
                    "order",
                    "day",
                    "channel",
                    "total_centavos",
                    "fee_centavos",
                    "weavers_centavos",
                    "ebay_centavos",
                    "etsy_centavos",
                ],
                (
                    (c.order_number, c.day.isoformat(), c.channel, c.total, c.fee, c.weavers, c.ebay, c.etsy)
                    for c in figures["compared"]()
                ),
            ),
            "horas": lambda: csv_text(
                ["community", "weavers", "median_centavos_an_hour"],
                ((h.key or "other", h.weavers, h.median) for h in figures["hourly"]()[0]),
            ),
        }[name]()
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="panel-{name}-{local_today().isoformat()}.csv"',
            "Cache-Control": "no-store",
        },
    )


UPDATE_LANGUAGES = ("es", "en")


@router.get("/informe")
def quarterly_update(
    request: Request, session: SessionDep, who: RecordReaders, trimestre: str = "", lengua: str = "es"
):
    """One page for the partner's board, in Spanish or English: what met its target, what fell short, and the
    income the quarter generated for the weavers."""
    lang = lengua if lengua in UPDATE_LANGUAGES else "es"
    quarter = quarter_of(trimestre) if trimestre else Quarter.of(local_today()).previous()
    judged = service.quarter_rows(session, quarter)
    rows = [r for r in judged if r.met is not None]
    earners = derived.weavers_earning(session, quarter).total
    income = {
        "gross": derived.gross_sales(session, quarter).total,
        "weavers": derived.weavers_earnings(session, quarter).total,
        "earning": earners,
        "median": derived.median_earnings(session, quarter).total if earners >= rollups.FEW else None,
        "channels": comparison.totals(session, quarter.starts_on, quarter.next().starts_on, extra_rates(request)),
    }
    return ws_render(
        request,
        "dashboard/update.html",
        {
            "quarter": quarter,
            "achieved": [r for r in rows if r.met],
            "challenges": [r for r in rows if not r.met],
            "score": service.score_of(judged),
            "income": income,
            "update_lang": lang,
            "few": rollups.FEW,
            **NAMES,
        },
        lang=lang,
    )


@router.get("/iati.xml")
def iati_export(request: Request, session: SessionDep, who: RecordReaders):
    """The indicators' results as an IATI 2.03 activity file, from the first quarter with a target or a value."""
    settings = request.app.state.settings
    if not settings.iati_reporting_org_ref:
        raise InvalidState(N_("Set the partner's IATI organisation identifier (SHOP_IATI_REPORTING_ORG_REF) first."))
    first = session.scalar(sa.select(sa.func.min(Target.period)))
    entered = session.scalar(sa.select(sa.func.min(IndicatorValue.period)))
    today = Quarter.of(local_today())
    start = min((Quarter.parse(p) for p in (first, entered) if p), default=today)
    activity = iati.Activity(
        identifier=f"{settings.iati_reporting_org_ref}-{settings.iati_activity_id}",
        reporting_ref=settings.iati_reporting_org_ref,
        reporting_name=settings.iati_reporting_org_name,
        reporting_type=settings.iati_reporting_org_type,
        title="J'pas Joloviletik: income generation and women's leadership",
        description="Results of the programme with the J'pas Joloviletik weavers' cooperative, Chiapas, Mexico.",
        started_on=start.starts_on,
    )
    body = iati.activities_xml(session, activity, quarters_between(start, today), utcnow())
    return Response(
        body,
        media_type="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="iati-{local_today().isoformat()}.xml"',
            "Cache-Control": "no-store",
        },
    )
