"""Search benchmark: single searches of the listing over 10,000 products, on SQLite and on PostgreSQL.

    .venv/bin/python tests/bench/search.py [--products 10000] [--rounds 1] [--postgres-url URL]

Seeds each database (storefront.seed, then the demo's Spanish and English texts and weavers spread over the
pieces, written by a bulk UPDATE so the search triggers index them), prints EXPLAIN ANALYZE of the listing's
search statement (its page and its count in one) for a common and a rare word, then p50/p99 of the listing's
search (``public_product_rows``, what the pages and the API run) for a cycle of every word (>= 200) of the demo's
titles and descriptions, one search at a time, then with 32 searching at once (each on its own connection):
from 32 threads of this process, and on PostgreSQL also from pgbench (a C client: the database's own share,
with no Python in the way; up to 128 of the words, the most pgbench takes, when pgbench is installed), once as
fast as the searches go (latency is then the queue: 32 over the searches a second) and then at a steady 300
and 600 searches a second, each timed from when it was due.
Targets (issue 16): on PostgreSQL, p50 under 10 ms one at a time, p99 under 50 ms at 32 connections (read from
pgbench's run as fast as they go; the machine's two cores then hold 32 searches and pgbench itself).
PostgreSQL is skipped without --postgres-url; the database
named there is dropped and made again.
"""

from __future__ import annotations

import argparse
import glob
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from postgres_admin import recreate_postgres_database  # noqa: E402
from storefront import seed  # noqa: E402

from shop.catalogue.browse import SEARCH_CAP, ProductQuery, list_categories, public_product_rows  # noqa: E402
from shop.catalogue.models import Product, ProductWeaver, Weaver  # noqa: E402
from shop.catalogue.search_text import query_words  # noqa: E402
from shop.db import make_engine, session_scope  # noqa: E402
from shop.demo.data import PRODUCTS, WEAVERS  # noqa: E402

TARGET_P50_MS = 10.0
TARGET_CROWD_P99_MS = 50.0  # 32 connections from pgbench, searching back to back
COMMON, RARE = "telar", "quetzal"
# pgbench's later runs ask for these many searches a second: 1.5 and 3 times the storefront's target for search*,
# which one worker, rendering the pages, does not reach on this machine.
PGBENCH_RATES = (300, 600)


def demo_texts(session, products: int) -> None:
    """Give the seeded pieces the demo's real texts, round robin, and the weavers the demo's names."""
    fields = ("title", "description", "technique", "materials", "dyes")
    rows = [
        {
            "b_id": n,
            **{
                f"{f}_{lang}": getattr(PRODUCTS[n % len(PRODUCTS)], f"{f}_{lang}")
                for f in fields
                for lang in ("es", "en")
            },
        }
        for n in range(1, products + 1)
    ]
    values = {name: sa.bindparam(name) for name in rows[0] if name != "b_id"}
    table = Product.__table__
    statement = sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(values)
    session.connection().execute(statement, rows)
    # A word only three pieces hold, to show the full-text index at work for rare words.
    rare = sa.update(table).where(table.c.id.in_([7, 4_007, 8_007])).values(title_en=f"Table runner with a {RARE}")
    session.connection().execute(rare)
    for weaver, data in zip(session.scalars(sa.select(Weaver).order_by(Weaver.id)), WEAVERS, strict=False):
        weaver.name = data.name
    session.flush()


def vocabulary() -> list[str]:
    words: set[str] = set()
    for product in PRODUCTS:
        for text in (product.title_es, product.title_en, product.description_es, product.description_en):
            words.update(query_words(text))
    return sorted(words)


def explain(session, word: str) -> None:
    """EXPLAIN ANALYZE (or QUERY PLAN on SQLite) of each statement the listing runs for ``word``."""
    statements: list[str] = []
    connection = session.connection()

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "products" in statement and ("count(" in statement or "LIMIT" in statement):
            statements.append((statement, parameters))

    sa.event.listen(connection, "before_cursor_execute", capture)
    public_product_rows(session, ProductQuery(q=word), list_categories(session))
    sa.event.remove(connection, "before_cursor_execute", capture)
    postgres = session.get_bind().dialect.name == "postgresql"
    for statement, parameters in statements:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        print(f"-- {word!r}: {statement.split()[0]} {'count' if 'count(' in statement else 'page'}")
        for row in rows:
            print("   ", " | ".join(str(col) for col in row))


def measure(session, words: list[str], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per search: the whole listing call, and the part spent in the database (its statements)."""
    timings: dict[str, list[float]] = {"listing": [], "database": []}
    spent: list[float] = []

    def before(_conn, _cursor, _statement, _parameters, context, _many):
        context.shop_started = time.perf_counter()

    def after(_conn, _cursor, _statement, _parameters, context, _many):
        spent.append(time.perf_counter() - context.shop_started)

    engine = session.get_bind()
    categories = list_categories(session)  # kept per catalogue revision by the pages
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    capped = 0
    for _ in range(rounds):
        for word in words:
            spent.clear()
            started = time.perf_counter()
            page = public_product_rows(session, ProductQuery(q=word), categories)
            timings["listing"].append((time.perf_counter() - started) * 1000)
            timings["database"].append(sum(spent) * 1000)
            capped += page.more
            session.expunge_all()
    sa.event.remove(engine, "before_cursor_execute", before)
    sa.event.remove(engine, "after_cursor_execute", after)
    timings["capped"] = [capped]
    return timings


def crowd(engine, words: list[str], threads: int = 32) -> list[float]:
    """Milliseconds per search with ``threads`` searching at once, each on its own connection, every word each."""
    import threading

    results: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def searcher(offset: int) -> None:
        mine = []
        with session_scope(engine, writes=False) as session:
            categories = list_categories(session)
            start.wait()
            for word in words[offset:] + words[:offset]:
                began = time.perf_counter()
                public_product_rows(session, ProductQuery(q=word), categories)
                mine.append((time.perf_counter() - began) * 1000)
                session.expunge_all()
        with lock:
            results.extend(mine)

    workers = [threading.Thread(target=searcher, args=(n * 7,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def pgbench_crowd(
    engine, words: list[str], workdir: Path, clients: int = 32, seconds: int = 15, rate: int | None = None
) -> dict | None:
    """p50/p99 ms and searches a second of ``clients`` connections searching at once from pgbench, each running
    the listing's own statement for one of ``words`` (with its values written in): one after another as fast as
    they go, or, with ``rate``, that many a second in all, each timed from when it was due (pgbench -R, so a
    search kept waiting counts its wait). None without pgbench."""
    pgbench = shutil.which("pgbench") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))), None)
    if pgbench is None:
        return None
    folder = workdir / f"pgbench-{rate or 'all'}"
    folder.mkdir(exist_ok=True)
    statements: list[tuple[str, dict]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "LIMIT" in statement:
            statements.append((statement, parameters))

    scripts = []
    with session_scope(engine, writes=False) as session:
        categories = list_categories(session)
        connection = session.connection()
        client_side = psycopg.ClientCursor(connection.connection.driver_connection)
        sa.event.listen(connection, "before_cursor_execute", capture)
        for n, word in enumerate(words[:: -(-len(words) // 128)]):  # pgbench takes at most 128 scripts
            statements.clear()
            public_product_rows(session, ProductQuery(q=word), categories)
            if statements:
                script = folder / f"search-{n:03}.sql"
                script.write_text(client_side.mogrify(*statements[-1]).replace("\n", " ") + ";\n")
                scripts.append(script)
        sa.event.remove(connection, "before_cursor_execute", capture)
    url = engine.url
    command = [pgbench, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-l", "-h", url.host or "127.0.0.1"]
    command += ["-p", str(url.port or 5432), "-U", url.username or "postgres"]
    if rate:
        command += ["-R", str(rate)]
    for script in scripts:
        command += ["-f", script.name]
    subprocess.run([*command, url.database], cwd=folder, capture_output=True, check=True)
    latencies = [
        int(line.split()[2]) / 1000 for log in folder.glob("pgbench_log.*") for line in log.read_text().splitlines()
    ]
    p50, p99 = percentiles(latencies)
    return {"p50": p50, "p99": p99, "per_second": len(latencies) / seconds, "words": len(scripts)}


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.99) - 1)]


def run(database_url: str, products: int, rounds: int, workdir: Path) -> tuple[float, float | None]:
    """The database's p50 of single searches, and pgbench's p99 as fast as the searches go (None without it)."""
    started = time.monotonic()
    seed(database_url, workdir / "media", products)
    engine = make_engine(database_url, pool_size=32)
    with session_scope(engine) as session:
        demo_texts(session, products)
    if engine.dialect.name == "postgresql":
        # Every row was just rewritten: the dead versions and the statistics as autovacuum leaves them a minute
        # after such a bulk write, as ``seed`` does after its load.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE products")
    with session_scope(engine) as session:
        count = session.scalar(sa.select(sa.func.count()).select_from(ProductWeaver))
    backend = engine.dialect.name
    print(f"\n== {backend}: {products} products ({count} attributions) seeded in {time.monotonic() - started:.1f} s")
    words = vocabulary()
    with session_scope(engine) as session:
        for word in (COMMON, RARE):
            explain(session, word)
        measure(session, words[:20], 1)  # warm the caches
        timings = measure(session, words, rounds)
    together = crowd(engine, words)
    from_pgbench = {}
    if engine.dialect.name == "postgresql":
        from_pgbench = {rate: pgbench_crowd(engine, words, workdir, rate=rate) for rate in (None, *PGBENCH_RATES)}
    engine.dispose()
    searches = len(words) * rounds
    for part in ("listing", "database"):
        p50, p99 = percentiles(timings[part])
        print(f"{backend}: {searches} searches of {len(words)} words, {part}: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(f"{backend}: {timings['capped'][0]} searches counted '{SEARCH_CAP:,}+'")
    p50, p99 = percentiles(together)
    print(f"{backend}: 32 searching at once, {len(together)} searches: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    for rate, found in from_pgbench.items():
        if found is None:
            print("pgbench is not installed: 32 connections measured from this process only")
            break
        pace = f"{rate} searches/s asked" if rate else "as fast as they go"
        print(
            f"{backend}: 32 connections searching at once from pgbench, {pace}, {found['words']} words: "
            f"p50 {found['p50']:.2f} ms, p99 {found['p99']:.2f} ms, {found['per_second']:.0f} searches/s"
        )
    p50 = percentiles(timings["database"])[0]
    crowd_p99 = from_pgbench[None]["p99"] if from_pgbench.get(None) else None
    return p50, crowd_p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres-url", help="a PostgreSQL database to drop and fill; skipped when not given")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="shop-search-bench-"))
    run(f"sqlite:///{workdir / 'bench.db'}", args.products, args.rounds, workdir)
    if not args.postgres_url:
        print("PostgreSQL skipped (no --postgres-url)")
        return 0
    recreate_postgres_database(args.postgres_url)
    p50, crowd_p99 = run(args.postgres_url, args.products, args.rounds, workdir)
    met = p50 < TARGET_P50_MS
    print(f"target: PostgreSQL p50 < {TARGET_P50_MS} ms: {'met' if met else 'NOT met'}")
    if crowd_p99 is not None:
        met = met and crowd_p99 < TARGET_CROWD_P99_MS
        verdict = "met" if crowd_p99 < TARGET_CROWD_P99_MS else "NOT met"
        print(f"target: PostgreSQL p99 < {TARGET_CROWD_P99_MS} ms, 32 connections back to back (pgbench): {verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
