"""What the public fair-trade page tells buyers: the certificates a claim can stand on today with their scope,
the fair-price method and its benchmarks, the share of each sale that reaches the weaver (from the split rules),
and how many non-conformities the cooperative is still working on. Weavers are named only with their consent."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Category, Product, ProductStatus, Weaver
from shop.certification.models import (
    Certificate,
    CertificateCategory,
    CertificateProduct,
    CertificateWeaver,
    NonConformity,
    Scheme,
    WageBenchmark,
)
from shop.certification.service import certified_facts
from shop.cooperative.bylaws import weavers_share_on
from shop.split_rules.models import SplitScope
from shop.split_rules.service import shares_in_force


@dataclass(frozen=True)
class PublicCertificate:
    certificate: Certificate
    scheme: Scheme
    categories: list[Category]
    pieces: int  # named one by one, besides the categories
    named_weavers: list[str]  # only those who consented to be shown
    other_weavers: int


@dataclass(frozen=True)
class OtherShare:
    weavers_bp: int
    category: Category | None = None
    product: Product | None = None


@dataclass(frozen=True)
class FairTradeFacts:
    certificates: list[PublicCertificate]
    benchmarks: list[WageBenchmark]
    weavers_bp: int | None  # of each sale, by the default split rule
    other_shares: list[OtherShare] = field(default_factory=list)
    open_findings: int = 0


def _current(session: Session, day: date) -> list[PublicCertificate]:
    ids = [facts.id for facts in certified_facts(session) if facts.stands_on(day)]
    if not ids:
        return []
    categories: dict[int, list[Category]] = defaultdict(list)
    for certificate_id, category in session.execute(
        sa.select(CertificateCategory.certificate_id, Category)
        .join(Category, Category.id == CertificateCategory.category_id)
        .where(CertificateCategory.certificate_id.in_(ids))
        .order_by(Category.name_es)
    ):
        categories[certificate_id].append(category)
    pieces = dict(
        session.execute(
            sa.select(CertificateProduct.certificate_id, sa.func.count())
            .where(CertificateProduct.certificate_id.in_(ids))
            .group_by(CertificateProduct.certificate_id)
        ).all()
    )
    named: dict[int, list[str]] = defaultdict(list)
    hidden: dict[int, int] = defaultdict(int)
    for certificate_id, name, consented in session.execute(
        sa.select(CertificateWeaver.certificate_id, Weaver.name, Weaver.consent_to_publish)
        .join(Weaver, Weaver.id == CertificateWeaver.weaver_id)
        .where(CertificateWeaver.certificate_id.in_(ids))
        .order_by(Weaver.name)
    ):
        if consented:
            named[certificate_id].append(name)
        else:
            hidden[certificate_id] += 1
    rows = session.execute(
        sa.select(Certificate, Scheme)
        .join(Scheme, Scheme.id == Certificate.scheme_id)
        .where(Certificate.id.in_(ids))
        .order_by(Scheme.name, Certificate.valid_from.desc())
    ).all()
    return [PublicCertificate(c, s, categories[c.id], pieces.get(c.id, 0), named[c.id], hidden[c.id]) for c, s in rows]


def _other_shares(session: Session, rules) -> list[OtherShare]:
    categories = {c.id: c for c in session.scalars(sa.select(Category))}
    product_ids = [rule.product_id for rule in rules if rule.scope == SplitScope.product]
    shown = (ProductStatus.active, ProductStatus.sold_out)  # a draft's or an archived piece's title stays private
    products = {
        p.id: p
        for p in session.scalars(sa.select(Product).where(Product.id.in_(product_ids), Product.status.in_(shown)))
    }
    return [
        OtherShare(rule.weavers_bp, categories.get(rule.category_id), products.get(rule.product_id))
        for rule in rules
        if rule.category_id in categories or rule.product_id in products
    ]


def fair_trade_facts(session: Session, day: date) -> FairTradeFacts:
    weavers_bp, others = shares_in_force(session)
    set_by_bylaws = weavers_share_on(session, day)  # the bylaws in force, when they set it, are what sales use
    if set_by_bylaws is not None:
        weavers_bp = set_by_bylaws[0]
        others = [rule for rule in others if rule.weavers_bp != weavers_bp]
    return FairTradeFacts(
        certificates=_current(session, day),
        benchmarks=session.scalars(sa.select(WageBenchmark).order_by(WageBenchmark.amount, WageBenchmark.id)).all(),
        weavers_bp=weavers_bp,
        other_shares=_other_shares(session, others),
        open_findings=session.scalar(
            sa.select(sa.func.count()).select_from(NonConformity).where(NonConformity.closed_on.is_(None))
        ),
    )
