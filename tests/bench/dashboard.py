"""The partner's dashboard on a year and a half of a busy shop: 1,000,000 ledger entries on PostgreSQL.

    .venv/bin/python tests/bench/dashboard.py [--entries 1000000] [--rounds 5] [--database-url URL]

Builds the ledger with COPY (a sale is five entries: the money in, the weaver's share, the fund, the fee and
the money the fee took), spread over 24 months, 60 weavers in 6 communities, 5 categories, two channels, with a
dollar rate a day. Then, round after round, times every rollup the dashboard runs (each alone, in SQL, as the
page runs it), the whole income page and the pillars page cold (a new process's first request, its pools and
caches empty) and warm, and a baseline in the same round: the workspace's home page for the same person. Prints
the medians, the load average, and the query plans of the two slowest rollups.

Targets: each rollup under 300 ms; the page's p99 under 500 ms cold.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/shop_bench_dashboard"
TARGETS = {"rollup_ms": 300.0, "page_p99_cold_ms": 500.0}
COMMUNITIES = ["Nachij", "Apas", "Navenchauc", "Zinacantán", "Pasté", "Elanvó"]


def build(url: str, entries: int) -> None:
    import psycopg
    import sqlalchemy as sa
    from postgres_admin import recreate_postgres_database

    from shop import migrations
    from shop.accounts.models import Role
    from shop.accounts.service import create_user
    from shop.catalogue.models import Category, Product, ProductKind, ProductStatus, Weaver
    from shop.db import make_engine, session_scope
    from shop.ledger.chart import account, weaver_code
    from shop.orders.models import Order, PaymentMethod

    recreate_postgres_database(url)
    migrations.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        categories = [Category(slug=f"c{n}", name_es=f"Categoría {n}", name_en=f"Category {n}") for n in range(5)]
        session.add_all(categories)
        weavers = [
            Weaver(
                slug=f"w{n}",
                name=f"Tejedora {n}",
                community=COMMUNITIES[n % 6],
                municipio="Zinacantán",
                bio_es="",
                bio_en="",
                consent_to_publish=n % 3 != 0,
                consent_date=date(2025, 1, 1) if n % 3 != 0 else None,
            )
            for n in range(60)
        ]
        session.add_all(weavers)
        session.flush()
        for code in ("stripe_clearing", "fund", "processor_fees", "shipping_income"):
            account(session, code)
        for weaver in weavers:
            account(session, weaver_code(weaver.id))
        create_user(session, name="Lucía", username="lucia", roles=[Role.partner_staff], password="a long password 1")
        session.add_all(
            Product(
                slug=f"p{n}",
                category_id=categories[n % 5].id,
                title_es=f"Pieza {n}",
                title_en=f"Piece {n}",
                price_amount=50_000 + (n % 40) * 5_000,
                kind=ProductKind.unique,
                status=ProductStatus.sold_out,
            )
            for n in range(1, 401)
        )
        weaver_ids = [w.id for w in weavers]
    accounts = {}
    with session_scope(engine) as session:
        for code, id_ in session.execute(sa.text("SELECT code, id FROM ledger_accounts")):
            accounts[code] = id_
    engine.dispose()

    sales = entries // 5
    start = datetime.now(UTC) - timedelta(days=730)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    stamps = [start + timedelta(seconds=int(730 * 86400 * n / sales)) for n in range(sales)]
    with psycopg.connect(plain, autocommit=False) as connection:
        cursor = connection.cursor()
        template = Order(token="t", number="n", payment_method=PaymentMethod.stripe).model_dump(exclude={"id"})
        columns = list(template)
        orders = io.StringIO()
        for n, stamp in enumerate(stamps, start=1):
            subtotal = 50_000 + (n % 40) * 5_000
            row = template | {
                "token": f"t{n}",
                "number": f"B{n:08d}",
                "status": "delivered",
                "channel": "in_person" if n % 3 == 0 else "online",
                "subtotal": subtotal,
                "shipping_amount": 18_000,
                "total": subtotal + 18_000,
                "amount_due_now": subtotal + 18_000,
                "amount_paid": subtotal + 18_000,
                "created_at": stamp,
                "updated_at": stamp,
            }
            orders.write("\t".join(cell(row[c]) for c in columns) + "\n")
        with cursor.copy(f"COPY orders ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(orders.getvalue())
        cursor.execute("SELECT min(id) FROM orders")
        first_order = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO order_lines (order_id, product_id, product_slug, title_es, title_en, kind, unit_price, "
            "quantity, line_total, amount_due_now, weight_g, weavers_bp, split_rule, fair_trade) "
            "SELECT o.id, (SELECT min(id) FROM products) + (o.id % 400), 'p', 'Pieza', 'Piece', 'unique', "
            "o.subtotal, 1, o.subtotal, o.subtotal, 0, 8000, 'default', '[]' FROM orders o"
        )
        cursor.execute("SELECT min(id) FROM order_lines")
        first_line = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO order_line_weavers (order_line_id, weaver_id, weaver_name, share_bp) "
            "SELECT l.id, %s[1 + l.id %% 60], 'Tejedora', 10000 FROM order_lines l",
            (weaver_ids,),
        )
        transactions = io.StringIO()
        for n, stamp in enumerate(stamps):
            transactions.write(f"sale\tbench\tsale:{n}\t{first_order + n}\t{stamp.isoformat()}\n")
        transactions.seek(0)
        with cursor.copy(
            "COPY ledger_transactions (kind, description, idempotency_key, order_id, created_at) FROM STDIN"
        ) as copy:
            copy.write(transactions.getvalue())
        cursor.execute("SELECT min(id) FROM ledger_transactions")
        first_transaction = cursor.fetchone()[0]
        rows = io.StringIO()
        money, fund, fees = accounts["stripe_clearing"], accounts["fund"], accounts["processor_fees"]
        shipping = accounts["shipping_income"]
        for n in range(sales):
            tx, line = first_transaction + n, first_line + n
            subtotal = 50_000 + ((first_order + n) % 40) * 5_000
            weaver = accounts[f"weaver:{weaver_ids[line % 60]}"]
            share, fee = subtotal * 8 // 10, subtotal // 28
            rows.write(f"{tx}\t{money}\t{subtotal + 18_000 - fee}\tMXN\t\\N\treceived\n")
            rows.write(f"{tx}\t{weaver}\t{-share}\tMXN\t{line}\tweaver\n")
            rows.write(f"{tx}\t{fund}\t{share - subtotal}\tMXN\t{line}\tfund\n")
            rows.write(f"{tx}\t{shipping}\t-18000\tMXN\t\\N\tshipping\n")
            rows.write(f"{tx}\t{fees}\t{fee}\tMXN\t\\N\tfee\n")
        with cursor.copy(
            "COPY ledger_entries (transaction_id, account_id, amount, currency, order_line_id, memo) FROM STDIN"
        ) as copy:
            copy.write(rows.getvalue())
        cursor.execute(
            "INSERT INTO exchange_rates (day, currency, mxn_micro, source, created_at) "
            "SELECT d::date, 'USD', 17000000 + (extract(doy FROM d)::int * 7919) %% 3000000, 'bench', now() "
            "FROM generate_series(%s::date, current_date, interval '1 day') d",
            (start.date(),),
        )
        connection.commit()
    from shop.ledger import summary

    engine = make_engine(url)
    started = time.perf_counter()
    with session_scope(engine) as session:  # COPY went round the postings' summaries: sum them once
        summary.rebuild(session)
    print(f"summaries rebuilt from the entries in {time.perf_counter() - started:.1f} s")
    engine.dispose()
    with psycopg.connect(plain, autocommit=True) as connection:
        cursor = connection.cursor()
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM ledger_entries")
        print(f"built: {cursor.fetchone()[0]:,} ledger entries, {sales:,} sales over 24 months")


def cell(value) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(getattr(value, "value", value))


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def rollups(session, request_like):
    from shop.clock import local_today
    from shop.indicators import derived
    from shop.indicators.periods import Quarter
    from shop.indicators.service import quarter_score
    from shop.ledger import rollups as r
    from shop.ledger.fair_earnings import fair_earnings
    from shop.marketplaces import comparison
    from shop.marketplaces.fees import Extra
    from shop.web.dashboard.panel import span

    first, end = span(local_today())
    quarter = Quarter.of(local_today()).previous()
    return {
        "by_month": lambda: r.by_month(session, first, local_today()),
        "by_community": lambda: r.by_community(session, first, end),
        "by_category": lambda: r.by_category(session, first, end),
        "by_channel": lambda: r.by_channel(session, first, end),
        "fair_earnings": lambda: fair_earnings(session, 48),
        "latest_20_compared": lambda: comparison.compare(session, first, end, Extra(), limit=20),
        "compared_totals": lambda: comparison.totals(session, first, end, Extra()),
        "quarter_gross": lambda: derived.gross_sales(session, quarter),
        "quarter_median": lambda: derived.median_earnings(session, quarter),
        "quarter_score": lambda: quarter_score(session, quarter),
    }


def pages(url: str, rounds: int) -> dict[str, list[float]]:
    """Each round: a new app (cold: empty pools and caches), the income and pillars pages, then warm again, and
    the home page as the baseline, one after the other."""
    from fastapi.testclient import TestClient
    from workspace_helpers import sign_in

    from shop.config import Settings
    from shop.main import create_app

    found: dict[str, list[float]] = {k: [] for k in ("home", "income_cold", "income_warm", "pillars_warm")}
    for n in range(rounds):
        a_sale_posted(url, n)  # so the cold page is also the first after a change
        app = create_app(Settings(database_url=url, environment="test", page_cache_seconds=0))
        with TestClient(app) as client:
            assert sign_in(client, "lucia").status_code == 303
            found["income_cold"].append(timed(lambda: client.get("/taller/panel").raise_for_status()))
            found["home"].append(timed(lambda: client.get("/taller/inicio").raise_for_status()))
            found["income_warm"].append(timed(lambda: client.get("/taller/panel").raise_for_status()))
            found["pillars_warm"].append(timed(lambda: client.get("/taller/panel/pilares").raise_for_status()))
    return found


def a_sale_posted(url: str, n: int) -> None:
    """One more sale through the ledger's own writer (which keeps the summaries), on the first order's line."""
    import sqlalchemy as sa

    from shop.db import make_engine, session_scope
    from shop.ledger.models import Account, LedgerTransaction, TransactionKind
    from shop.ledger.posting import post
    from shop.ledger.schemas import EntryLine
    from shop.orders.models import OrderLine

    engine = make_engine(url)
    with session_scope(engine) as session:
        line = session.scalar(sa.select(OrderLine).order_by(OrderLine.id).limit(1))
        weaver = session.scalar(sa.select(Account.code).where(Account.weaver_id.is_not(None)).limit(1))
        legs = [
            EntryLine("stripe_clearing", 10_000),
            EntryLine(weaver, -8_000, order_line_id=line.id),
            EntryLine("fund", -2_000, order_line_id=line.id),
        ]
        key = f"bench:{n}:{session.scalar(sa.select(sa.func.count(LedgerTransaction.id)))}"
        post(session, kind=TransactionKind.sale, key=key, entries=legs, order_id=line.order_id)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("SHOP_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reuse", action="store_true", help="skip building: measure the existing database")
    args = parser.parse_args()
    if not args.reuse:
        build(args.database_url, args.entries)
    from shop.db import make_engine, session_scope

    engine = make_engine(args.database_url)
    times: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        with session_scope(engine, writes=False) as session:
            baseline = timed(lambda: session.execute(__import__("sqlalchemy").text("SELECT 1")).all())
            times.setdefault("baseline_select_1", []).append(baseline)
            for name, run in rollups(session, None).items():
                times.setdefault(name, []).append(timed(run))
    page_times = pages(args.database_url, args.rounds)
    print(f"load average: {os.getloadavg()}")
    print(f"{'measure':24} {'median ms':>10} {'max ms':>10}")
    for name, values in {**times, **page_times}.items():
        print(f"{name:24} {statistics.median(values):10.1f} {max(values):10.1f}")
    slow = sorted((n for n in times if n != "baseline_select_1"), key=lambda n: -statistics.median(times[n]))[:2]
    over = [n for n in times if n != "baseline_select_1" and statistics.median(times[n]) > TARGETS["rollup_ms"]]
    print(f"rollups over {TARGETS['rollup_ms']:.0f} ms: {over or 'none'}")
    cold = max(page_times["income_cold"])
    print(f"income page cold, worst of {args.rounds}: {cold:.0f} ms (target {TARGETS['page_p99_cold_ms']:.0f} ms)")
    print(f"slowest rollups: {slow}; their plans follow (EXPLAIN ANALYZE of each statement they run)")
    import sqlalchemy as sa
    from sqlalchemy import event

    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    with session_scope(engine, writes=False) as session:
        for name in slow:
            statements.clear()
            rollups(session, None)[name]()
            heaviest = statements[:3]
            print(f"--- {name}: {len(statements)} statements")
            for statement, parameters in heaviest:
                plan = session.connection().exec_driver_sql("EXPLAIN ANALYZE " + statement, parameters).all()
                print("\n".join(row[0] for row in plan[:25]))
    event.remove(engine, "before_cursor_execute", keep)
    engine.dispose()
    del sa


if __name__ == "__main__":
    main()
