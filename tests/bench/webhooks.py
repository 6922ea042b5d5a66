"""Webhook benchmark: signed Stripe events over HTTP into the shop on PostgreSQL, against a bare baseline.

    .venv/bin/python tests/bench/webhooks.py [--database-url postgresql+psycopg://...] [--events 1000]
        [--ignored 4000] [--rounds 3] [--workers 2]

Seeds orders waiting for card payment (through the real checkout flow, with the fake Stripe the tests use on
loopback), starts the shop with uvicorn and ``--workers`` workers, and in each round measures, back to back:
1. the baseline: a bare Starlette app on the same uvicorn stack and workers that only checks the Stripe
   signature of the same ignored events (the floor for any webhook endpoint);
2. ignored events (a type the shop does not handle), each with its own id;
3. ``checkout.session.completed`` events, each paying a different order (stock taken, ledger posted).
The load comes from a small asyncio HTTP/1.1 keep-alive client, in a process of its own, that sends each
event exactly once; it runs on the same cores, so compare within a round. For each phase it prints events/s,
p50/p99 latency, and the CPU the shop's workers and PostgreSQL's backends spent per event (from /proc). Then,
in this process, it counts the SQL statements one event of each kind runs (and what the jobs then spend to
book one payment's Stripe fee). Medians over the rounds come last, with the load average.

Targets (issue 9): completed events >= 100/s with 2 workers on 2 cores; <= 12 statements per completed event;
ignored events >= 1,000/s. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakestripe import FakeStripe  # noqa: E402
from live import free_port  # noqa: E402
from storefront import start_server, stop_server  # noqa: E402

WEBHOOK = "/api/v1/payments/stripe/webhook"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/shop_bench_webhooks"
TARGETS = {"completed_per_s": 100, "statements_per_completed": 12, "ignored_per_s": 1000}
TICKS = os.sysconf("SC_CLK_TCK")
BASELINE_APP = """
import os
import stripe
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

SECRET = os.environ["SHOP_STRIPE_WEBHOOK_SECRET"]


async def webhook(request):
    payload = await request.body()
    stripe.WebhookSignature.verify_header(payload.decode(), request.headers.get("stripe-signature"), SECRET, 300)
    return JSONResponse({"received": True, "outcome": "ignored"})


app = Starlette(routes=[Route("__WEBHOOK__", webhook, methods=["POST"])])
""".replace("__WEBHOOK__", WEBHOOK)


@dataclass
class Phase:
    name: str
    events: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float  # shop (or baseline) workers plus PostgreSQL backends, per event
    database_ms: float  # of which PostgreSQL's backends

    @property
    def rate(self) -> float:
        return self.events / self.seconds


# --------------------------------------------------------------------------- seeding


def seed(database_url: str, stock: int) -> None:
    from shop import migrations
    from shop.catalogue import service
    from shop.catalogue.schemas import CategoryCreate, ProductCreate, WeaverCreate
    from shop.db import make_engine, session_scope

    migrations.upgrade(database_url)
    engine = make_engine(database_url, pool_size=0)
    with session_scope(engine) as session:
        category = service.create_category(session, CategoryCreate(slug="bolsas", name_es="Bolsas", name_en="Bags"))
        weaver = service.create_weaver(
            session, WeaverCreate(slug="maria", name="María", community="Nachij", municipio="Zinacantán")
        )
        service.create_product(
            session,
            ProductCreate(
                slug="morral",
                title_es="Morral",
                title_en="Bag",
                category_id=category.id,
                kind="series",
                status="active",
                price_amount=85_000,
                weight_g=400,
                stock_on_hand=stock,
                weavers=[{"weaver_id": weaver.id, "share_bp": 10_000}],
            ),
        )
    engine.dispose()


def open_orders(database_url: str, settings, count: int) -> list[str]:
    """``count`` orders waiting for card payment, through the real checkout flow; returns their session ids."""
    from sqlalchemy import select

    from shop.catalogue.models import Product
    from shop.db import make_engine, session_scope
    from shop.orders.models import PaymentMethod
    from shop.orders.schemas import BuyerDetails, OrderItem
    from shop.payments.gateway import StripeGateway

    try:
        from shop.payments.checkout import place  # where the flow lives once it moves into the domain
    except ImportError:
        from shop.web.checkout_flow import place
    from factories import BUYER

    engine = make_engine(database_url, pool_size=1)
    gateway = StripeGateway(settings)
    with session_scope(engine) as session:
        product_id = session.scalar(select(Product.id).where(Product.slug == "morral"))
    sessions = []
    for _ in range(count):
        result = place(
            engine,
            settings,
            gateway,
            items=[OrderItem(product_id=product_id, quantity=1)],
            buyer=BuyerDetails(**BUYER),
            language="es",
            method=PaymentMethod.stripe,
        )
        sessions.append(result.payment_url.rsplit("/", 1)[-1])
    engine.dispose()
    return sessions


def signed_lines(fake: FakeStripe, events: list[dict]) -> str:
    """One line per event: its Stripe-Signature header, a tab, its body (compact JSON, signed as sent)."""
    lines = []
    for event in events:
        payload = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        lines.append(f"{fake.signature_header(payload)}\t{payload}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- measuring


def children(pid: int) -> list[int]:
    """The uvicorn workers of a server (the server itself when it runs with one worker)."""
    try:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        found = []
    return found or [pid]


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """CPU seconds each process has used so far (user and system)."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return found


def cpu_seconds(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def backend_pids(database_url: str) -> list[int]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname="postgres") as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (url.database,)).fetchall()
    return [pid for (pid,) in rows]


async def _send_all(port: int, requests: list[bytes], connections: int) -> tuple[float, list[float], int]:
    """Send every request once over ``connections`` keep-alive connections; returns (seconds, latencies, errors)."""
    queue = list(reversed(requests))
    latencies: list[float] = []
    errors = 0

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while queue:
                request = queue.pop()
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                errors += not head.startswith(b"HTTP/1.1 200")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return time.perf_counter() - started, latencies, errors


def client_main(port: int, lines_file: str, connections: int) -> None:
    """Run as its own process (``--client``), so the load does not share this process's GIL with the fake."""
    requests = []
    for line in Path(lines_file).read_text().splitlines():
        signature, body = line.split("\t", 1)
        data = body.encode()
        requests.append(
            f"POST {WEBHOOK} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Stripe-Signature: {signature}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
    seconds, latencies, errors = asyncio.run(_send_all(port, requests, connections))
    latencies.sort()
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "seconds": seconds,
                "p50": statistics.median(latencies) * 1000,
                "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
                "errors": errors,
            }
        )
    )


def load(port: int, lines_file: Path, connections: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--client", str(port), str(lines_file), str(connections)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def phase(name: str, port: int, lines: str, workdir: Path, connections: int, server_pids, database_url: str) -> Phase:
    lines_file = workdir / f"{name.replace(' ', '-')}.txt"
    lines_file.write_text(lines)
    before = cpu_seconds(server_pids), cpu_by_pid(backend_pids(database_url))
    found = load(port, lines_file, connections)
    # Backends the pool opened during the phase count from their start (a process that ended is missed).
    after = cpu_by_pid(backend_pids(database_url))
    workers = cpu_seconds(server_pids) - before[0]
    database = sum(spent - before[1].get(pid, 0.0) for pid, spent in after.items())
    requests = found["requests"]
    per_event = 1000 / requests
    return Phase(
        name,
        requests,
        found["seconds"],
        found["p50"],
        found["p99"],
        found["errors"],
        (workers + database) * per_event,
        database * per_event,
    )


def statements_per_event(settings, fake: FakeStripe, database_url: str) -> dict[str, float]:
    """SQL statements one event runs in the shop, counted in this process on the same database."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from shop.main import create_app

    app = create_app(settings)
    counted: list[str] = []
    event.listen(app.state.engine, "before_cursor_execute", lambda *args: counted.append(args[2]))
    sessions = open_orders(database_url, settings, 12)
    found = {}
    with TestClient(app, base_url=settings.base_url) as client:
        for kind, make in (
            ("completed", lambda n: fake.complete_session(sessions[n])),
            ("ignored", lambda n: fake.unknown_event("customer.created")),
        ):
            per_event = []
            for n in range(12):
                payload = json.dumps(make(n), separators=(",", ":"))
                headers = {"Stripe-Signature": fake.signature_header(payload), "Content-Type": "application/json"}
                counted.clear()
                response = client.post(WEBHOOK, content=payload, headers=headers)
                assert response.status_code == 200, response.text
                per_event.append(len(counted))
            found[kind] = statistics.median(per_event[2:])  # the first ones warm caches
    app.state.engine.dispose()
    return found


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--events", type=int, default=1000, help="completed events per round")
    parser.add_argument("--ignored", type=int, default=4000, help="ignored events per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    from postgres_admin import recreate_postgres_database

    from shop.config import Environment, Settings

    recreate_postgres_database(args.database_url)
    seed(args.database_url, stock=(args.events + 20) * args.rounds + 100)
    workdir = Path(tempfile.mkdtemp(prefix="shop-webhooks-bench-"))
    (workdir / "baseline.py").write_text(BASELINE_APP)

    with FakeStripe() as fake:
        port, base_port = free_port(), free_port()
        settings = Settings(
            environment=Environment.production,
            database_url=args.database_url,
            media_dir=workdir / "media",
            secret_key="webhook-benchmark-secret-key-long-enough",
            base_url=f"http://127.0.0.1:{port}",
            stripe_secret_key="sk_test_bench",
            stripe_webhook_secret=fake.webhook_secret,
            stripe_api_base=fake.url,
            stripe_max_network_retries=0,
            database_pool_size=10,
        )
        env = {
            **os.environ,
            "SHOP_DATABASE_URL": args.database_url,
            "SHOP_MEDIA_DIR": str(workdir / "media"),
            "SHOP_SECRET_KEY": settings.secret_key.get_secret_value(),
            "SHOP_ENVIRONMENT": "production",
            "SHOP_BASE_URL": settings.base_url,
            "SHOP_STRIPE_SECRET_KEY": "sk_test_bench",
            "SHOP_STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
            "SHOP_STRIPE_API_BASE": fake.url,
            "SHOP_STRIPE_MAX_NETWORK_RETRIES": "0",
            "SHOP_DATABASE_POOL_SIZE": "10",
            "PYTHONPATH": f"{ROOT}{os.pathsep}{workdir}",
        }
        print(f"seeding {args.events * args.rounds} orders through the checkout flow …", flush=True)
        sessions = open_orders(args.database_url, settings, args.events * args.rounds)
        shop = start_server("shop.main:create_app", port, env, workers=args.workers)
        baseline = start_server("baseline:app", base_port, env, workers=args.workers)
        time.sleep(2)
        rounds: list[list[Phase]] = []
        try:
            for r in range(args.rounds):
                ignored = signed_lines(fake, [fake.unknown_event("customer.created") for _ in range(args.ignored)])
                completed_events = [fake.complete_session(s) for s in sessions[r * args.events : (r + 1) * args.events]]
                completed = signed_lines(fake, completed_events)
                shop_pids, base_pids = children(shop.pid), children(baseline.pid)
                measured = [
                    phase("baseline", base_port, ignored, workdir, 32, base_pids, args.database_url),
                    phase("ignored", port, ignored, workdir, 32, shop_pids, args.database_url),
                    phase("completed", port, completed, workdir, args.connections, shop_pids, args.database_url),
                ]
                rounds.append(measured)
                print(f"\nround {r + 1} (load average {os.getloadavg()[0]:.2f})")
                for p in measured:
                    print(
                        f"  {p.name:<10} {p.rate:>8.1f} events/s   p50 {p.p50_ms:>7.1f} ms   p99 {p.p99_ms:>7.1f} ms"
                        f"   CPU {p.cpu_ms:>6.2f} ms/event ({p.database_ms:.2f} in PostgreSQL)   errors {p.errors}",
                        flush=True,
                    )
        finally:
            stop_server(shop)
            stop_server(baseline)
        statements = statements_per_event(settings, fake, args.database_url)

    print(f"\nPostgreSQL, {args.workers} uvicorn workers, {os.cpu_count()} cores; medians of {args.rounds} rounds")
    for index, name in enumerate(("baseline", "ignored", "completed")):
        rate = statistics.median(r[index].rate for r in rounds)
        cpu = statistics.median(r[index].cpu_ms for r in rounds)
        p99 = statistics.median(r[index].p99_ms for r in rounds)
        versus = statistics.median(r[index].rate / r[0].rate for r in rounds)
        print(
            f"  {name:<10} {rate:>8.1f} events/s ({versus:>5.0%} of baseline)"
            f"   p99 {p99:>7.1f} ms   CPU {cpu:.2f} ms/event"
        )
    print(f"  statements per event: completed {statements['completed']:.0f}, ignored {statements['ignored']:.0f}")
    print(f"  targets: {TARGETS}")
    print(f"  load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--client"]:
        client_main(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())
