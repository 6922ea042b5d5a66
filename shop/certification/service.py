"""Reading the certification records into the claim function's facts, so every place that shows a claim (store
pages, JSON-LD, OpenGraph, the JSON API, the order snapshot) asks ``claims_on`` and nothing else."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from shop import clock
from shop.catalogue.models import Product, ProductWeaver
from shop.certification.certificates import DECIDED
from shop.certification.claim import CertificateFacts, CertificateStatus, Claim, Period, ProductFacts, SchemeTerms
from shop.certification.claim import claims_for as decide
from shop.certification.models import (
    Certificate,
    CertificateCategory,
    CertificateProduct,
    CertificateWeaver,
    LabelLicence,
    Scheme,
    WeaverSanction,
)


def local_today() -> date:
    """The cooperative's date now: certificates are valid by the day in Chiapas, not in UTC."""
    return clock.local_today()


def terms(scheme: Scheme) -> SchemeTerms:
    return SchemeTerms(
        name=scheme.name,
        kind=scheme.claim_kind,
        wording_es=scheme.wording_es,
        wording_en=scheme.wording_en,
        renewal_grace_days=scheme.renewal_grace_days,
        needs_licence=scheme.needs_licence,
    )


def certified_facts(session: Session) -> list[CertificateFacts]:
    """Every certificate that could stand on some day (those certified), with its scope, licences and the day a
    decided renewal takes over, in four queries whatever their number."""
    rows = session.execute(
        sa.select(Certificate, Scheme)
        .join(Scheme, Scheme.id == Certificate.scheme_id)
        .where(Certificate.status == CertificateStatus.certified)
        .order_by(Certificate.valid_from.desc(), Certificate.id.desc())
    ).all()
    ids = [certificate.id for certificate, _ in rows]
    if not ids:
        return []
    # The three scope tables in one round trip: a store page asks this on every cache miss.
    scope = sa.union_all(
        sa.select(sa.literal("product"), CertificateProduct.certificate_id, CertificateProduct.product_id).where(
            CertificateProduct.certificate_id.in_(ids)
        ),
        sa.select(sa.literal("category"), CertificateCategory.certificate_id, CertificateCategory.category_id).where(
            CertificateCategory.certificate_id.in_(ids)
        ),
        sa.select(sa.literal("weaver"), CertificateWeaver.certificate_id, CertificateWeaver.weaver_id).where(
            CertificateWeaver.certificate_id.in_(ids)
        ),
    )
    members: dict[tuple[str, int], set[int]] = defaultdict(set)
    for kind, certificate_id, member in session.execute(scope):
        members[kind, certificate_id].add(member)

    def scope_of(kind: str, certificate_id: int) -> frozenset[int]:
        return frozenset(members.get((kind, certificate_id), ()))

    renewal = aliased(Certificate)
    taken_over = dict(
        session.execute(
            sa.select(renewal.supersedes_id, renewal.valid_from).where(
                renewal.supersedes_id.in_(ids), renewal.status.in_(DECIDED)
            )
        ).all()
    )
    licences: dict[int, list[Period]] = defaultdict(list)
    for licence in session.scalars(sa.select(LabelLicence).where(LabelLicence.certificate_id.in_(ids))):
        licences[licence.certificate_id].append(Period(licence.valid_from, licence.valid_until))
    return [
        CertificateFacts(
            number=certificate.number,
            scheme=terms(scheme),
            status=certificate.status,
            valid_from=certificate.valid_from,
            expires_on=certificate.expires_on,
            products=scope_of("product", certificate.id),
            categories=scope_of("category", certificate.id),
            weavers=scope_of("weaver", certificate.id),
            licences=tuple(licences[certificate.id]),
            superseded_from=taken_over.get(certificate.id),
            id=certificate.id,
        )
        for certificate, scheme in rows
    ]


def sanctions_of(session: Session, weaver_ids: Iterable[int]) -> dict[int, list[Period]]:
    found: dict[int, list[Period]] = defaultdict(list)
    statement = sa.select(WeaverSanction).where(WeaverSanction.weaver_id.in_(list(weaver_ids)))
    for sanction in session.scalars(statement):
        found[sanction.weaver_id].append(Period(sanction.starts_on, sanction.lifted_on))
    return dict(found)


def product_facts(session: Session, product_ids: Iterable[int]) -> dict[int, ProductFacts]:
    """Each product's category and weavers, in one query."""
    categories: dict[int, int | None] = {}
    weavers: dict[int, set[int]] = defaultdict(set)
    for pid, category_id, weaver_id in session.execute(
        sa.select(Product.id, Product.category_id, ProductWeaver.weaver_id)
        .outerjoin(ProductWeaver, ProductWeaver.product_id == Product.id)
        .where(Product.id.in_(list(product_ids)))
    ):
        categories[pid] = category_id
        if weaver_id is not None:
            weavers[pid].add(weaver_id)
    return {pid: ProductFacts(pid, category, frozenset(weavers[pid])) for pid, category in categories.items()}


def claims_on(session: Session, product_ids: Iterable[int], day: date | None = None) -> dict[int, tuple[Claim, ...]]:
    """The claims each product carries on ``day`` (today in Chiapas by default); a product with none maps to ()."""
    day = day or local_today()
    ids = list(product_ids)
    certificates = [facts for facts in certified_facts(session) if facts.stands_on(day)]
    if not certificates:  # nothing stands today: no product's scope needs reading
        return dict.fromkeys(ids, ())
    products = product_facts(session, ids)
    sanctions = sanctions_of(session, {w for p in products.values() for w in p.weavers})
    return {pid: decide(product, day, certificates, sanctions) for pid, product in products.items()}
