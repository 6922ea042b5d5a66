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
