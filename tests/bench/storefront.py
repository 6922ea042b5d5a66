"""Storefront benchmark: 10,000 products, one uvicorn worker, 32 concurrent connections.

    .venv/bin/python tests/bench/storefront.py [--seconds 10] [--connections 32] [--database-url URL]

Measures throughput and p50/p99 latency of the listing page, a product page and the API list, and of a
bare Starlette app serving a body of the same size as the listing, in the same run, on the same machine.
Prints each figure, the ratios to the bare app, the listing's weight and the worker's memory (RSS).
Targets: listing >= 40% of the bare app's throughput, p99 < 100 ms, RSS < 150 MB.

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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from live import spawn  # noqa: E402

TARGETS = {"listing_p99_ms": 100.0, "listing_ratio": 0.40, "rss_mb": 150.0}


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
    """Migrate and fill the catalogue in bulk; returns the slug of a product to fetch."""
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
        words_es = ["rombos", "flores", "grecas", "añil", "cochinilla", "lana", "algodón", "brocado"]
        words_en = ["diamonds", "flowers", "frets", "indigo", "cochineal", "wool", "cotton", "brocade"]
        rows, shares, photos = [], [], []
        for n in range(1, products + 1):
            w = rng.randrange(len(words_es))
            rows.append(
                {
                    "id": n,
                    "slug": f"pieza-{n}",
                    "category_id": categories[n % 5].id,
                    "title_es": f"Pieza {n} de {words_es[w]}",
                    "title_en": f"Piece {n} with {words_en[w]}",
                    "description_es": "Tejida a mano en telar de cintura por una integrante. " * 4,
                    "description_en": "Handwoven on the backstrap loom by a member of the cooperative. " * 3,
                    "technique_es": "Telar de cintura, brocado",
                    "technique_en": "Backstrap loom, brocade",
                    "materials_es": "Algodón",
                    "materials_en": "Cotton",
                    "dyes_es": "",
                    "dyes_en": "",
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
    engine.dispose()
    return f"pieza-{products // 2}"


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


async def _client(port: int, path: str, stop_at: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: es-MX\r\n\r\n".encode()
    try:
        while time.perf_counter() < stop_at:
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


def python_load(port: int, path: str, connections: int, seconds: float) -> tuple[int, float, list[float], int]:
    async def run():
        latencies: list[float] = []
        errors: list[int] = []
        stop_at = time.perf_counter() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(_client(port, path, stop_at, latencies, errors) for _ in range(connections)))
        return len(latencies), time.perf_counter() - started, latencies, len(errors)

    return asyncio.run(run())


def wrk_load(port: int, path: str, connections: int, seconds: float) -> tuple[int, float, float, float, int]:
    output = subprocess.run(
        [
            "wrk",
            "-t",
            "1",
            "-c",
            str(connections),
            "-d",
            f"{int(seconds)}s",
            "--latency",
            "-H",
            "Accept-Language: es-MX",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
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


def measure(name: str, port: int, path: str, connections: int, seconds: float, warmup: float) -> Result:
    use_wrk = shutil.which("wrk") is not None
    if use_wrk:
        wrk_load(port, path, connections, max(1, warmup))
        requests, elapsed, p50, p99, errors = wrk_load(port, path, connections, seconds)
        return Result(name, requests, elapsed, p50, p99, errors)
    python_load(port, path, connections, warmup)
    requests, elapsed, latencies, errors = python_load(port, path, connections, seconds)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return Result(name, requests, elapsed, statistics.median(latencies) * 1000, p99, errors)


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
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
        "PYTHONPATH": str(ROOT),
    }
    pages = {"listing": "/es/products", "product": f"/es/products/{slug}", "api_list": "/api/v1/products"}
    port = free_port()
    shop = start_server("shop.main:create_app", port, env)
    try:
        listing_html = fetch(port, pages["listing"])
        css_path = re.search(rb'href="(/static/css/[^"]+)"', listing_html).group(1).decode()
        css = fetch(port, css_path)
        results = {
            name: measure(name, port, path, args.connections, args.seconds, args.warmup) for name, path in pages.items()
        }
        memory = rss_mb(shop.pid)
    finally:
        stop_server(shop)

    # The same pages with the page cache off: what every cache miss costs (after a catalogue change,
    # or for the long tail of pages and searches).
    cold_port = free_port()
    cold = start_server("shop.main:create_app", cold_port, {**env, "SHOP_PAGE_CACHE_BYTES": "0"})
    try:
        uncached = {
            f"{name}*": measure(f"{name}*", cold_port, path, args.connections, args.seconds, args.warmup)
            for name, path in pages.items()
        }
        cold_memory = rss_mb(cold.pid)
    finally:
        stop_server(cold)

    bare_port = free_port()
    bare = start_server("tests.bench.bare_app:app", bare_port, {**env, "BARE_BODY_BYTES": str(len(listing_html))})
    try:
        results["bare"] = measure("bare", bare_port, "/", args.connections, args.seconds, args.warmup)
    finally:
        stop_server(bare)

    tool = "wrk" if shutil.which("wrk") else "asyncio client"
    print(f"\nload: {args.connections} connections, {args.seconds:.0f} s per page, one uvicorn worker, {tool}")
    print(f"{'page':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs bare':>8}")
    bare_rps = results["bare"].rps
    for result in [*results.values(), *uncached.values()]:
        print(
            f"{result.name:<10} {result.rps:>9.0f} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f} "
            f"{result.errors:>7} {result.rps / bare_rps:>8.0%}"
        )
    weight = len(listing_html) + len(css)
    print(f"\nlisting weight: {len(listing_html)} B HTML + {len(css)} B CSS = {weight} B", end=" ")
    print(f"({weight / 1024:.1f} KB)")
    print("* = page cache off: every request renders the page from the database")
    print(f"worker RSS after load: {memory:.0f} MB (page cache on), {cold_memory:.0f} MB (off)")

    listing = results["listing"]
    checks = [
        ("listing throughput >= 40% of bare", listing.rps / bare_rps >= TARGETS["listing_ratio"]),
        ("listing p99 < 100 ms", listing.p99_ms < TARGETS["listing_p99_ms"]),
        ("worker RSS < 150 MB", memory < TARGETS["rss_mb"]),
        ("listing HTML + CSS <= 40 KB", weight <= 40 * 1024),
    ]
    print()
    for label, ok in checks:
        print(f"{'met ' if ok else 'MISSED'}  {label}")
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
