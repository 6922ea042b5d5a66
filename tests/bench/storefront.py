"""Storefront benchmark: 10,000 products, one uvicorn worker, 32 concurrent connections.

    .venv/bin/python tests/bench/storefront.py [--seconds 5] [--rounds 3] [--connections 32] [--database-url URL]

Measures throughput and p50/p99 latency of the listing page, a product page and the API list with the page
cache on and off, and a search with a new word on every request (a cycle of 240 real words of the demo's titles
and descriptions, cache off), each run right after a run of a bare Starlette app serving a body of the same size
as the listing, in the same round, for several rounds; prints medians, each page's ratio to the bare app, the
load average, the listing's weight and the workers' memory (RSS). The products carry the demo's texts.
Targets (issue 16): cache off, listing and API list >= 300 req/s, product page >= 500, search >= 200; every
cached page >= 60% of bare, the listing's p99 < 100 ms; a worker <= 150 MB. It also measures a crawler's first
pass with the cache off (a different piece on every request, and every listing page in each order, each about
once) and the cached listing and product page compressed (gzip), and prints the issue's "before" figures beside
the cache-off ones.

The load comes from wrk when it is installed (apt-get install wrk), else from a small asyncio HTTP/1.1
keep-alive client. Both run on the same cores as the server, so compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from live import spawn  # noqa: E402

from shop.demo.data import PRODUCTS as DEMO_PRODUCTS  # noqa: E402

TARGETS = {"listing_p99_ms": 100.0, "cached_ratio": 0.60, "rss_mb": 150.0}
# The "before" (issue 16), req/s on the same machine and load, for the same paths with the page cache off.
BEFORE = {
    "sqlite": {"listing*": 49, "product*": 65, "api_list*": 28, "search*": 26},
    "postgresql": {"listing*": 43, "product*": 55, "api_list*": 25, "search*": 21},
}
GZIP = "Accept-Encoding: gzip, br"


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- seeding


def seed(database_url: str, media_dir: Path, products: int) -> str:
    """Migrate and fill the catalogue in bulk; returns the slug of a piece on sale to fetch."""
    from PIL import Image as PILImage
    from sqlalchemy import insert

    from shop import migrations
    from shop.catalogue.images import ImageLimits, save_image
    from shop.catalogue.models import Category, Product, ProductImage, ProductWeaver, Weaver
    from shop.clock import utcnow
    from shop.db import make_engine, session_scope
    from shop.storage import on_disk

    migrations.upgrade(database_url)
    engine = make_engine(database_url, pool_size=0)
    rng = random.Random(7)
    limits = ImageLimits(20 * 1024 * 1024, 50_000_000)
    base = media_dir.parent
    files = on_disk(
        media_dir=media_dir, proofs_dir=base / "proofs", certification_dir=base / "certs", records_dir=base / "records"
    )
    with session_scope(engine) as session:
        categories = [
            Category(slug=slug, name_es=es, name_en=en, position=i)
            for i, (slug, es, en) in enumerate(
                [
                    ("huipiles", "Huipiles", "Huipils"),
                    ("rebozos", "Rebozos", "Rebozos"),
                    ("bolsas", "Bolsas", "Bags"),
                    ("manteleria", "Mantelería", "Table linen"),
                    ("accesorios", "Accesorios", "Accessories"),
                ]
            )
        ]
        session.add_all(categories)
        weavers = [
            Weaver(
                slug=f"tejedora-{i}",
                name=f"Tejedora {i}",
                community="Nachij",
                municipio="Zinacantán",
                consent_to_publish=i % 4 != 0,
                consent_date=utcnow().date() if i % 4 != 0 else None,
                bio_es="Teje desde niña en el telar de cintura.",
                bio_en="She has woven on the backstrap loom since childhood.",
            )
            for i in range(8)
        ]
        session.add_all(weavers)
        session.flush()
        images = []
        for i in range(12):
            buffer = io.BytesIO()
            hue = (40 + i * 17) % 255
            PILImage.new("RGB", (1280, 1600), (hue, 30, 60)).save(buffer, "JPEG")
            images.append(save_image(session, buffer.getvalue(), files, limits))
        now = utcnow()
        # The demo's own texts, so searches meet a real vocabulary in both languages.
        rows, shares, photos = [], [], []
        for n in range(1, products + 1):
            text = DEMO_PRODUCTS[rng.randrange(len(DEMO_PRODUCTS))]
            rows.append(
                {
                    "id": n,
                    "slug": f"pieza-{n}",
                    "category_id": categories[n % 5].id,
                    "title_es": f"{text.title_es} {n}",
                    "title_en": f"{text.title_en} {n}",
                    "description_es": text.description_es,
                    "description_en": text.description_en,
                    "technique_es": text.technique_es,
                    "technique_en": text.technique_en,
                    "materials_es": text.materials_es,
                    "materials_en": text.materials_en,
                    "dyes_es": text.dyes_es,
                    "dyes_en": text.dyes_en,
                    "price_amount": rng.randrange(300, 9000) * 100,
                    "currency": "MXN",
                    "kind": "unique",
                    "stock_on_hand": 1,
                    "status": "active" if n % 10 else "sold_out",
                    "created_at": now - timedelta(minutes=n),
                    "updated_at": now - timedelta(minutes=n),
                }
            )
            shares.append({"product_id": n, "weaver_id": weavers[n % 8].id, "share_bp": 10_000})
            photos.append({"product_id": n, "image_id": images[n % 12].id, "position": 0, "alt_es": "", "alt_en": ""})
        for table, data in ((Product, rows), (ProductWeaver, shares), (ProductImage, photos)):
            for start in range(0, len(data), 2000):
                session.execute(insert(table), data[start : start + 2000])
        if engine.dialect.name == "postgresql":
            from sqlalchemy import text

            session.execute(text("SELECT setval('products_id_seq', (SELECT max(id) FROM products))"))
    if engine.dialect.name == "postgresql":
        # The planner's statistics, as autovacuum would have them a minute after a bulk load like this one.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    # A piece on sale (every tenth is sold out), so its page has the buy form and the shipping quote.
    return f"pieza-{products // 2 + 1}"


def search_words(count: int = 240) -> list[str]:
    """Distinct real words of the demo's titles and descriptions (both languages), in a fixed shuffled order:
    each request of the search measurement asks for the next one, so none is served from a page cache."""
    found: dict[str, None] = {}
    for text in DEMO_PRODUCTS:
        for field in (text.title_es, text.title_en, text.description_es, text.description_en):
            for word in re.findall(r"[^\W\d_]{4,}", field.lower()):
                found.setdefault(word)
    words = sorted(found)
    random.Random(11).shuffle(words)
    return words[:count]


# --------------------------------------------------------------------------- serving


def start_server(app_spec: str, port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen:
    return spawn(app_spec, port, env, workers=workers)


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fetch(port: int, path: str) -> bytes:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Accept-Language": "es-MX"})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return body


# --------------------------------------------------------------------------- load


async def _client(
    port: int,
    paths: list[str],
    turn: list[int],
    stop_at: float,
    latencies: list[float],
    errors: list[int],
    headers: tuple[str, ...] = (),
) -> None:
    extra = "".join(f"{header}\r\n" for header in headers)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at:
            path = paths[turn[0] % len(paths)]
            turn[0] += 1
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: es-MX\r\n{extra}\r\n".encode()
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(1)
    finally:
        writer.close()


def python_load(
    port: int, paths: list[str], connections: int, seconds: float, headers: tuple[str, ...] = ()
) -> tuple[int, float, list[float], int]:
    async def run():
        latencies: list[float] = []
        errors: list[int] = []
        turn = [0]
        stop_at = time.perf_counter() + seconds
        started = time.perf_counter()
        clients = (_client(port, paths, turn, stop_at, latencies, errors, headers) for _ in range(connections))
        await asyncio.gather(*clients)
        return len(latencies), time.perf_counter() - started, latencies, len(errors)

    return asyncio.run(run())


WRK_CYCLE = """
paths = {%s}
n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
"""


def wrk_load(
    port: int, paths: list[str], connections: int, seconds: float, headers: tuple[str, ...] = ()
) -> tuple[int, float, float, float, int]:
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{int(seconds)}s", "--latency"]
    for header in ("Accept-Language: es-MX", *headers):
        command += ["-H", header]
    with tempfile.TemporaryDirectory() as folder:
        if len(paths) > 1:  # a new address on every request, from a Lua script
            script = Path(folder) / "cycle.lua"
            script.write_text(WRK_CYCLE % ", ".join(f'"{p}"' for p in paths))
            command += ["-s", str(script)]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{paths[0]}"], capture_output=True, text=True, check=True
        ).stdout

    def ms(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", output).group(1))
    duration = re.search(r"requests in ([\d.]+)(m?s)", output)
    elapsed = float(duration.group(1)) / (1000 if duration.group(2) == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return requests, elapsed, ms("50"), ms("99"), int(bad.group(1)) if bad else 0


def measure(
    name: str, port: int, paths: list[str], connections: int, seconds: float, warmup: float, headers=()
) -> Result:
    if shutil.which("wrk") is not None:
        wrk_load(port, paths, connections, max(1, warmup), headers)
        requests, elapsed, p50, p99, errors = wrk_load(port, paths, connections, seconds, headers)
        return Result(name, requests, elapsed, p50, p99, errors)
    python_load(port, paths, connections, warmup, headers)
    requests, elapsed, latencies, errors = python_load(port, paths, connections, seconds, headers)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return Result(name, requests, elapsed, statistics.median(latencies) * 1000, p99, errors)


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="shop-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    media_dir = workdir / "media"
    started = time.monotonic()
    slug = seed(database_url, media_dir, args.products)
    backend = database_url.split(":")[0]
    print(f"seeded {args.products} products in {time.monotonic() - started:.1f} s ({backend})")

    env = {
        **os.environ,
        "SHOP_DATABASE_URL": database_url,
        "SHOP_MEDIA_DIR": str(media_dir),
        "SHOP_SECRET_KEY": "benchmark-secret-key-of-sufficient-length",
        "SHOP_ENVIRONMENT": "production",
        # As many connections kept as requests in flight: the pool's extra ones are opened and closed per request.
        "SHOP_DATABASE_POOL_SIZE": "16",
        "PYTHONPATH": str(ROOT),
    }
    words = search_words()
    pages = {"listing": ["/es/products"], "product": [f"/es/products/{slug}"], "api_list": ["/api/v1/products"]}
    # Cache off: what every cache miss costs (after a catalogue change, the long tail of pages and searches).
    cold_pages = {f"{name}*": paths for name, paths in pages.items()}
    cold_pages["search*"] = [f"/es/products?q={quote(word)}" for word in words]
    # A crawler's first pass: a different piece on every request, so nothing of its page is kept yet.
    cold_pages["pieces*"] = [f"/es/products/pieza-{1 + n * (args.products // 240)}" for n in range(240)]
    # ... and through the listing: every page in every order, each asked for about once in a run.
    listing_pages = -(-args.products // 24)
    sorts = ("newest", "price_asc", "price_desc")
    cold_pages["listings*"] = [f"/es/products?sort={s}&page={n}" for n in range(1, listing_pages + 1) for s in sorts]
    # What a browser gets: compressed (gzip, or brotli where a page has no per-visitor values).
    headers = {"listing.gz": (GZIP,), "product.gz": (GZIP,)}
    pages_gz = {"listing.gz": pages["listing"], "product.gz": pages["product"]}
    servers = {
        "cached": start_server("shop.main:create_app", (cached_port := free_port()), env),
        "cold": start_server("shop.main:create_app", (cold_port := free_port()), {**env, "SHOP_PAGE_CACHE_BYTES": "0"}),
    }
    try:
        listing_html = fetch(cached_port, pages["listing"][0])
        css_path = re.search(rb'href="(/static/css/[^"]+)"', listing_html).group(1).decode()
        css = fetch(cached_port, css_path)
        # By file, not as tests.bench.bare_app: a dependency ships a top-level "tests" package that would shadow ours.
        bare_env = {**env, "BARE_BODY_BYTES": str(len(listing_html)), "PYTHONPATH": f"{ROOT / 'tests' / 'bench'}"}
        servers["bare"] = start_server("bare_app:app", (bare_port := free_port()), bare_env)
        runs: dict[str, list[tuple[Result, Result]]] = {}
        loads = []
        # Interleaved: each page's run right after a run of the bare app, every round, so a noisy neighbour
        # weighs on both alike; medians over the rounds.
        for _ in range(args.rounds):
            for name, paths in [*pages.items(), *pages_gz.items(), *cold_pages.items()]:
                port = cold_port if name.endswith("*") else cached_port
                bare = measure("bare", bare_port, ["/"], args.connections, args.seconds, args.warmup)
                extra = headers.get(name, ())
                page = measure(name, port, paths, args.connections, args.seconds, args.warmup, extra)
                runs.setdefault(name, []).append((page, bare))
            loads.append(os.getloadavg()[0])
        memory, cold_memory = rss_mb(servers["cached"].pid), rss_mb(servers["cold"].pid)
    finally:
        for process in servers.values():
            stop_server(process)

    tool = "wrk" if shutil.which("wrk") else "asyncio client"
    print(f"\nload: {args.connections} connections, {args.seconds:.0f} s per run, one uvicorn worker, {tool}")
    print(f"{args.rounds} rounds, each page right after the bare app; load average per round: {loads}")
    before = BEFORE.get(backend.split("+")[0], {})
    columns = ("req/s", 9), ("p50 ms", 8), ("p99 ms", 8), ("errors", 7), ("bare/s", 8), ("vs bare", 8), ("before", 7)
    print(f"{'page':<10} " + " ".join(f"{label:>{width}}" for label, width in columns))
    medians = {}
    for name, pairs in runs.items():
        rps = statistics.median(p.rps for p, _ in pairs)
        bare_rps = statistics.median(b.rps for _, b in pairs)
        ratio = statistics.median(p.rps / b.rps for p, b in pairs)
        p50 = statistics.median(p.p50_ms for p, _ in pairs)
        p99 = statistics.median(p.p99_ms for p, _ in pairs)
        errors = sum(p.errors for p, _ in pairs)
        medians[name] = (rps, ratio, p99)
        was = f"{before[name]:>7}" if name in before else f"{'':>7}"
        print(f"{name:<10} {rps:>9.0f} {p50:>8.1f} {p99:>8.1f} {errors:>7} {bare_rps:>8.0f} {ratio:>8.1%} {was}")
    weight = len(listing_html) + len(css)
    print(f"\nlisting weight: {len(listing_html)} B HTML + {len(css)} B CSS = {weight} B", end=" ")
    print(f"({weight / 1024:.1f} KB)")
    print(f"* = page cache off: every request renders the page; search* asks for a new word each time ({len(words)})")
    print("pieces* = a different piece each request (240), cache off; .gz = in gzip or brotli, as browsers ask")
    print(f"listings* = every listing page in each order ({len(cold_pages['listings*'])}), each about once, cache off")
    print("before = the issue's figures (req/s, page cache off), measured before this work")
    print(f"worker RSS after the bench: {memory:.0f} MB (page cache on), {cold_memory:.0f} MB (off)")

    checks = [
        *(
            (f"cached {name} >= 60% of bare", medians[name][1] >= TARGETS["cached_ratio"])
            for name in ("listing", "product", "api_list", "listing.gz", "product.gz")
        ),
        ("listing p99 < 100 ms", medians["listing"][2] < TARGETS["listing_p99_ms"]),
        ("cache off: listing >= 300 req/s", medians["listing*"][0] >= 300),
        ("cache off: API list >= 300 req/s", medians["api_list*"][0] >= 300),
        ("cache off: product page >= 500 req/s", medians["product*"][0] >= 500),
        ("cache off: search, a new word each request, >= 200 req/s", medians["search*"][0] >= 200),
        ("worker RSS <= 150 MB", memory <= TARGETS["rss_mb"]),
        ("listing HTML + CSS <= 40 KB", weight <= 40 * 1024),
    ]
    print()
    for label, ok in checks:
        print(f"{'met ' if ok else 'MISSED'}  {label}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
