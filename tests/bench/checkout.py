"""Checkout benchmark: orders per second, webhook events per second, and oversell under contention.

    .venv/bin/python tests/bench/checkout.py [--database-url postgresql+psycopg://...] [--orders 400]

Starts the shop with uvicorn (its Stripe pointed at the fake Stripe server the tests use, on loopback) and:
1. places orders through POST /api/v1/checkout (16 concurrent clients, card/OXXO via Stripe);
2. pays them all by sending signed ``checkout.session.completed`` webhooks (16 concurrent), each of which
   fetches the payment's fee from Stripe, takes the stock and posts the ledger split;
3. sends 50 concurrent buyers at one hot product with 5 units, and counts orders placed beyond the stock
   (the oversell), which must be 0.
Figures are printed; nothing here is a pass/fail test. Default database: a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from factories import BUYER  # noqa: E402
from fakestripe import FakeStripe  # noqa: E402
from live import free_port  # noqa: E402
from storefront import rss_mb, start_server, stop_server  # noqa: E402


def seed(database_url: str, series_units: int) -> None:
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
        common = {
            "category_id": category.id,
            "kind": "series",
            "status": "active",
            "price_amount": 85_000,
            "weight_g": 400,
            "weavers": [{"weaver_id": weaver.id, "share_bp": 10_000}],
        }
        service.create_product(
            session,
            ProductCreate(slug="morral", title_es="Morral", title_en="Bag", stock_on_hand=series_units, **common),
        )
        service.create_product(
            session, ProductCreate(slug="ultimo", title_es="Último", title_en="Last", stock_on_hand=5, **common)
        )
    engine.dispose()


async def timed_requests(make_request, count: int, concurrency: int):
    """Run ``count`` requests with ``concurrency`` in flight; returns (seconds, latencies, responses)."""
    latencies: list[float] = []
    responses: list[httpx.Response] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            n = queue.get_nowait()
            started = time.perf_counter()
            response = await make_request(client, n)
            latencies.append(time.perf_counter() - started)
            responses.append(response)

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, responses


def buy(client: httpx.AsyncClient, base: str, slug: str, method: str, n: int):
    """One buyer's order: each has her own e-mail and client address (uvicorn trusts X-Forwarded-For from
    loopback), as real buyers do, so the shop's limits on orders per buyer do not refuse the benchmark."""
    buyer = {**BUYER, "email": f"buyer{n}@example.org"}
    body = {"lines": [{"slug": slug, "quantity": 1}], "buyer": buyer, "payment_method": method}
    forwarded = f"198.18.{n // 250}.{n % 250 + 1}"
    return client.post(f"{base}/api/v1/checkout", json=body, headers={"X-Forwarded-For": forwarded})


def report(name: str, seconds: float, latencies: list[float], ok: int, total: int) -> None:
    latencies = sorted(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(
        f"{name:<28} {total / seconds:>8.1f}/s   p50 {statistics.median(latencies) * 1000:>7.1f} ms"
        f"   p99 {p99:>7.1f} ms   ok {ok}/{total}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--buyers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (use PostgreSQL for more than one)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="shop-checkout-bench-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    if args.database_url and database_url.startswith("postgresql"):
        sys.path.insert(0, str(ROOT / "tests"))
        from postgres_admin import recreate_postgres_database

        recreate_postgres_database(database_url)
    seed(database_url, series_units=args.orders * 2)

    with FakeStripe() as fake:
        port = free_port()
        env = {
            **os.environ,
            "SHOP_DATABASE_URL": database_url,
            "SHOP_MEDIA_DIR": str(workdir / "media"),
            "SHOP_SECRET_KEY": "checkout-benchmark-secret-key-long-enough",
            "SHOP_ENVIRONMENT": "production",
            "SHOP_BASE_URL": f"http://127.0.0.1:{port}",
            "SHOP_STRIPE_SECRET_KEY": "sk_test_bench",
            "SHOP_STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
            "SHOP_STRIPE_API_BASE": fake.url,
            "SHOP_STRIPE_MAX_NETWORK_RETRIES": "0",
            "SHOP_DATABASE_POOL_SIZE": "20",
            "PYTHONPATH": str(ROOT),
        }
        if args.workers > 1:
            env["WEB_CONCURRENCY"] = str(args.workers)
        server = start_server("shop.main:create_app", port, env, workers=args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            seconds, latencies, responses = asyncio.run(
                timed_requests(lambda c, n: buy(c, base, "morral", "stripe", n), args.orders, args.concurrency)
            )
            placed = [r for r in responses if r.status_code == 201]
            backend = database_url.split(":")[0]
            print(f"\n{backend}, one machine, {args.workers} uvicorn worker(s), {args.concurrency} clients")
            report("orders placed (API)", seconds, latencies, len(placed), len(responses))

            sessions = [r.json()["payment_url"].rsplit("/", 1)[-1] for r in placed]
            signed = [fake.sign(fake.complete_session(session_id)) for session_id in sessions]

            async def deliver(client, n):
                payload, headers = signed[n]
                return await client.post(
                    f"{base}/api/v1/payments/stripe/webhook",
                    content=payload,
                    headers={**headers, "Content-Type": "application/json"},
                )

            seconds, latencies, responses = asyncio.run(timed_requests(deliver, len(signed), args.concurrency))
            paid = [r for r in responses if r.status_code == 200 and r.json()["outcome"] == "paid"]
            report("webhooks: paid + ledger", seconds, latencies, len(paid), len(responses))

            seconds, latencies, responses = asyncio.run(
                timed_requests(lambda c, n: buy(c, base, "ultimo", "offline", n), args.buyers, args.buyers)
            )
            won = sum(r.status_code == 201 for r in responses)
            told = sum(r.status_code == 409 and r.json()["error"] == "just_sold" for r in responses)
            other = len(responses) - won - told
            report(f"{args.buyers} buyers, 5 units", seconds, latencies, won, len(responses))
            print(
                f"hot product: {won} orders placed, {told} told 'just sold', {other} other answers; "
                f"oversell = {max(0, won - 5)}"
            )
            print(f"worker RSS: {rss_mb(server.pid):.0f} MB")
        finally:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
