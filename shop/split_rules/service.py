"""Split rules: the weavers' part of a sale, keyed by product and category, with a default.

Orders snapshot the rule on each line when placed; the ledger only ever sees the snapshot.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.catalogue.models import Product
from shop.clock import local_today
from shop.cooperative.bylaws import weavers_share_on
from shop.cooperative.models import Resolution
from shop.errors import N_, NotFound, ValidationFailed
from shop.money import BASIS_POINTS, basis_points_percent
from shop.split_rules.models import SplitRule, SplitScope

_RANK = {SplitScope.product: 0, SplitScope.category: 1, SplitScope.default: 2}


def split_rule_for(session: Session, product: Product, day: date | None = None) -> tuple[int, str]:
    """The weavers' part (basis points) for a product sold on ``day`` and the rule's label, to snapshot on an
    order line.

    The most specific rule wins: the product's own (``"product:12"``), else its category's (``"category:3"``),
    else the share the bylaws in force on ``day`` set (``"resolution:7"``, naming the assembly resolution),
    else the default (``"default"``).
    """
    rules = session.scalars(
        select(SplitRule).where(
            (SplitRule.scope == SplitScope.default)
            | ((SplitRule.scope == SplitScope.category) & (SplitRule.category_id == product.category_id))
            | ((SplitRule.scope == SplitScope.product) & (SplitRule.product_id == product.id))
        )
    ).all()
    if not rules:
        by_bylaws = weavers_share_on(session, day or local_today())
        if by_bylaws is not None:
            return by_bylaws
        raise NotFound(N_("No split rule applies: set the default share for the weavers first."))
    rule = min(rules, key=lambda r: (_RANK[r.scope], -(r.id or 0)))
    if rule.scope == SplitScope.product:
        return rule.weavers_bp, f"product:{rule.product_id}"
    if rule.scope == SplitScope.category:
        return rule.weavers_bp, f"category:{rule.category_id}"
    by_bylaws = weavers_share_on(session, day or local_today()) if rule.scope == SplitScope.default else None
    if by_bylaws is not None:
        return by_bylaws
    return rule.weavers_bp, "default"


def set_split_rule(
    session: Session,
    *,
    weavers_bp: int,
    category_id: int | None = None,
    product_id: int | None = None,
    resolution_id: int | None = None,
) -> SplitRule:
    """Set the default rule, a category's, or a product's (whichever target is given), naming the assembly
    resolution that set it. Orders already placed keep the rule they snapshotted."""
    if not 0 <= weavers_bp <= BASIS_POINTS:
        raise ValidationFailed(
            N_("The weavers' share must be between 0%% and 100%%, not %(percent)s%%."),
            field="weavers_bp",
            percent=basis_points_percent(weavers_bp),
        )
    if category_id is not None and product_id is not None:
        raise ValidationFailed(N_("A split rule is for a product or a category, not both."))
    if resolution_id is not None and session.get(Resolution, resolution_id) is None:
        raise NotFound(N_("There is no such resolution."))
    scope = (
        SplitScope.product
        if product_id is not None
        else SplitScope.category
        if category_id is not None
        else SplitScope.default
    )
    rule = session.scalars(
        select(SplitRule)
        .where(
            SplitRule.scope == scope,
            SplitRule.category_id.is_(None) if category_id is None else SplitRule.category_id == category_id,
            SplitRule.product_id.is_(None) if product_id is None else SplitRule.product_id == product_id,
        )
        .order_by(SplitRule.id.desc())
    ).first()
    if rule is None:
        rule = SplitRule(scope=scope, category_id=category_id, product_id=product_id, weavers_bp=weavers_bp)
        session.add(rule)
    else:
        rule.weavers_bp = weavers_bp
    rule.resolution_id = resolution_id
    session.flush()
    return rule


def shares_in_force(session: Session) -> tuple[int | None, list[SplitRule]]:
    """The default weavers' share (None if unset) and the rules that differ from it, for telling buyers."""
    rules = session.scalars(select(SplitRule).order_by(SplitRule.scope, SplitRule.id.desc())).all()
    default = next((rule.weavers_bp for rule in rules if rule.scope == SplitScope.default), None)
    return default, [rule for rule in rules if rule.scope != SplitScope.default and rule.weavers_bp != default]
