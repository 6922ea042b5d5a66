"""What the fair-trade claim costs a product page that is not in the page cache (the slow path: the first
visit, and every page on the first visit after local midnight, when the cache forgets its pages).

    .venv/bin/python tests/bench/fair_trade_claim.py [--products 2000] [--rounds 5] [--requests 60]

Seeds the storefront benchmark's catalogue, with an SPP certificate over three of its five categories, every
weaver in scope, a licence, and sanctions on two weavers. With the page cache off, each round times, one after
the other on the same warm process, the whole product page (request to last byte) and the claim lookup alone
(``claims_on`` for the product and its related pieces, what the page asks), and the same page on the same
data with no certificate at all. Prints the medians per round, the claim's share of the page, and the load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from storefront import seed  # noqa: E402


def certify(database_url: str) -> None:
    import sqlalchemy as sa

    from shop.catalogue.models import Category, Weaver
    from shop.certification.claim import CertificateStatus, ClaimKind
    from shop.certification.models import (
        Certificate,
        CertificateCategory,
        CertificateWeaver,
        LabelLicence,
        Scheme,
        WeaverSanction,
    )
    from shop.db import make_engine, session_scope

    engine = make_engine(database_url, pool_size=0)
    with session_scope(engine) as session:
        scheme = Scheme(
            name="SPP",
            owner="SPP Global",
            standard_name="Norma General SPP",
            claim_kind=ClaimKind.product,
            wording_es="Producto certificado SPP",
            wording_en="SPP certified product",
            renewal_grace_days=30,
            needs_licence=True,
        )
        session.add(scheme)
        session.flush()
        certificate = Certificate(
            scheme_id=scheme.id,
            certifier="Certimex",
            number="SPP-1",
            status=CertificateStatus.certified,
            valid_from=date(2020, 1, 1),
            expires_on=date(2099, 12, 31),
        )
        session.add(certificate)
        session.flush()
        for category_id in session.scalars(sa.select(Category.id).order_by(Category.id).limit(3)):
            session.add(CertificateCategory(certificate_id=certificate.id, category_id=category_id))
        weavers = session.scalars(sa.select(Weaver.id)).all()
        session.add_all(CertificateWeaver(certificate_id=certificate.id, weaver_id=w) for w in weavers)
        session.add(
            LabelLicence(
                certificate_id=certificate.id, reference="L-1", signed_on=date(2020, 1, 1), valid_from=date(2020, 1, 1)
            )
        )
        session.add_all(
            WeaverSanction(weaver_id=w, reason="bench", starts_on=date(2020, 1, 1), lifted_on=date(2020, 6, 1))
            for w in weavers[:2]
        )
    engine.dispose()


def uncertify(database_url: str) -> None:
    import sqlalchemy as sa

    from shop.db import make_engine

    engine = make_engine(database_url, pool_size=0)
    with engine.begin() as connection:
        for table in ("certificate_categories", "certificate_weavers", "label_licences", "weaver_sanctions"):
            connection.execute(sa.text(f"DELETE FROM {table}"))
        connection.execute(sa.text("DELETE FROM certificates"))
        connection.execute(sa.text("DELETE FROM certification_schemes"))
    engine.dispose()


def client_for(database_url: str, media_dir: Path):
    from fastapi.testclient import TestClient

    from shop.config import Environment, Settings
    from shop.main import create_app

    settings = Settings(
        environment=Environment.test,
        database_url=database_url,
        media_dir=media_dir,
        secret_key="bench-secret-key-not-for-production-use",
        page_cache_bytes=0,
    )
    return TestClient(create_app(settings))


def timed_ms(call, count: int) -> float:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()

    from shop.catalogue.browse import public_product, related_products
    from shop.certification.service import claims_on

    with tempfile.TemporaryDirectory() as folder:
        certified_url = f"sqlite:///{folder}/certified.db"
        plain_url = f"sqlite:///{folder}/plain.db"
        media = Path(folder) / "media"
        slug = seed(certified_url, media, args.products)
        certify(certified_url)
        import shutil

        shutil.copyfile(f"{folder}/certified.db", f"{folder}/plain.db")
        uncertify(plain_url)
        certified, plain = client_for(certified_url, media), client_for(plain_url, media)
        path = f"/es/products/{slug}"
        assert "Producto certificado SPP" in certified.get(path).text, "the benchmark's product must carry the claim"
        assert "Producto certificado SPP" not in plain.get(path).text
        engine = certified.app.state.engine

        def claim_lookup() -> None:
            from sqlmodel import Session

            with Session(engine) as session:
                product = public_product(session, slug)
                ids = [product.id, *(p.id for p in related_products(session, product))]
                claims_on(session, ids)

        def lookup_only() -> None:
            from sqlmodel import Session

            with Session(engine) as session:
                product = public_product(session, slug)
                [product.id, *(p.id for p in related_products(session, product))]

        print(f"load average before: {os.getloadavg()}")
        rows = []
        for number in range(1, args.rounds + 1):
            page = timed_ms(lambda: certified.get(path), args.requests)
            without = timed_ms(lambda: plain.get(path), args.requests)
            claim = timed_ms(claim_lookup, args.requests) - timed_ms(lookup_only, args.requests)
            rows.append((page, without, claim))
            print(
                f"round {number}: page with claim {page:.2f} ms, same page with no certificate {without:.2f} ms, "
                f"claims_on alone {claim:.2f} ms"
            )
        page, without, claim = (statistics.median(column) for column in zip(*rows, strict=True))
        print(
            f"median: page {page:.2f} ms, no certificate {without:.2f} ms (ratio {page / without:.2f}), "
            f"claims_on {claim:.2f} ms = {100 * claim / page:.1f}% of the page"
        )
        print(f"load average after: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
