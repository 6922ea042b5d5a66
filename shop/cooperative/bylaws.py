"""The bylaws' values as versioned data: an assembly resolution adopts a version from a date, and every rule
asks which version was in force on the day it judges."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.cooperative.models import BylawsVersion, Resolution
from shop.cooperative.rules import Bylaws, bylaws_on
from shop.errors import N_, Conflict, NotFound, ValidationFailed


def as_rules(version: BylawsVersion) -> Bylaws:
    return Bylaws(
        effective_from=version.effective_from,
        term_years=version.term_years,
        first_call_quorum_bp=version.first_call_quorum_bp,
        proxies_allowed=version.proxies_allowed,
        extra_positions=frozenset(p.strip() for p in version.extra_positions.splitlines() if p.strip()),
        payout_minimum=version.payout_minimum,
        weavers_bp=version.weavers_bp,
    )


def version_on(session: Session, day: date) -> BylawsVersion | None:
    """The stored version in force on ``day`` (the latest that had taken effect), or None before any."""
    return session.scalars(
        sa.select(BylawsVersion)
        .where(BylawsVersion.effective_from <= day)
        .order_by(BylawsVersion.effective_from.desc())
    ).first()


def weavers_share_on(session: Session, day: date) -> tuple[int, str] | None:
    """The weavers' share of new sales the bylaws in force on ``day`` set, labelled with the resolution that set
    it ("resolution:12"; the founding bylaws: "bylaws:founding"), or None if they leave it to the split rules."""
    version = version_on(session, day)
    if version is None or version.weavers_bp is None:
        return None
    label = f"resolution:{version.resolution_id}" if version.resolution_id else "bylaws:founding"
    return version.weavers_bp, label


def payout_minimum_on(session: Session, day: date) -> tuple[int, BylawsVersion] | None:
    """The payout minimum the bylaws in force on ``day`` set, with the version (and so the resolution) behind it."""
    version = version_on(session, day)
    if version is None or version.payout_minimum is None:
        return None
    return version.payout_minimum, version


def in_force(session: Session, day: date) -> Bylaws:
    """The bylaws in force on ``day``; refused when none had been adopted by then."""
    found = bylaws_on((as_rules(v) for v in session.scalars(sa.select(BylawsVersion))), day)
    if found is None:
        raise NotFound(N_("No bylaws were in force on %(day)s: record the founding bylaws first."), day=day.isoformat())
    return found


def adopt(session: Session, values: Bylaws, *, resolution_id: int | None, founding: bool = False) -> BylawsVersion:
    """A new version of the bylaws from ``values.effective_from``, set by an assembly resolution (the founding
    bylaws alone may have none)."""
    if resolution_id is None and not founding:
        raise ValidationFailed(
            N_("A change to the bylaws needs the assembly resolution that made it."), field="resolution"
        )
    if resolution_id is not None and session.get(Resolution, resolution_id) is None:
        raise NotFound(N_("There is no such resolution."))
    taken = session.scalar(sa.select(BylawsVersion.id).where(BylawsVersion.effective_from == values.effective_from))
    if taken is not None:
        raise Conflict(
            N_("Another version of the bylaws already takes effect on %(day)s."),
            field="effective_from",
            day=values.effective_from.isoformat(),
        )
    version = BylawsVersion(
        effective_from=values.effective_from,
        resolution_id=resolution_id,
        term_years=values.term_years,
        first_call_quorum_bp=values.first_call_quorum_bp,
        proxies_allowed=values.proxies_allowed,
        extra_positions="\n".join(sorted(values.extra_positions)),
        payout_minimum=values.payout_minimum,
        weavers_bp=values.weavers_bp,
    )
    session.add(version)
    session.flush()
    return version
