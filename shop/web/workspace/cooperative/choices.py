"""The lists the cooperative's forms choose from: members by name, assemblies by date, resolutions by their
assembly and number."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.cooperative.assemblies import active_on
from shop.cooperative.models import Assembly, Member, Resolution


def member_names(session: Session) -> dict[int, str]:
    rows = session.execute(
        sa.select(Member.id, Weaver.name).join(Weaver, Weaver.id == Member.weaver_id).order_by(Weaver.name)
    ).all()
    return dict(rows)


def member_options(session: Session, *, active_on_day: date | None = None) -> list[tuple[int, str]]:
    """Members by name; only those active on ``active_on_day`` when given."""
    names = member_names(session)
    if active_on_day is None:
        return list(names.items())
    active = active_on(session, active_on_day)
    return [(member_id, name) for member_id, name in names.items() if member_id in active]


def assembly_options(session: Session) -> list[tuple[int, str]]:
    rows = session.scalars(sa.select(Assembly).order_by(Assembly.meets_on.desc()).limit(200)).all()
    return [(a.id, f"{a.meets_on.isoformat()} · {a.place}") for a in rows]


def resolution_options(session: Session) -> list[tuple[int, str]]:
    """The latest resolutions, each named by its assembly's date, its number and the start of its text."""
    rows = session.execute(
        sa.select(Resolution, Assembly.meets_on)
        .join(Assembly, Assembly.id == Resolution.assembly_id)
        .order_by(Assembly.meets_on.desc(), Resolution.number.desc())
        .limit(200)
    ).all()
    return [(r.id, f"{day.isoformat()} · {r.number}. {r.text[:70]}") for r, day in rows]
