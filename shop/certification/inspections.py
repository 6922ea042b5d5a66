"""The internal control system: inspecting a weaver, and the sanction that takes her pieces out of every
certificate's scope until it is lifted (read by the claim function through ``WeaverSanction``)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.certification.models import InternalInspection, WeaverSanction
from shop.errors import N_, InvalidState, NotFound, ValidationFailed


def inspect_weaver(
    session: Session, weaver_id: int, *, held_on: date, inspector: str, findings: str, sanction: str = ""
) -> InternalInspection:
    """Record an inspection; a sanction, when given, applies from the day of the inspection."""
    if session.get(Weaver, weaver_id) is None:
        raise NotFound(N_("There is no such weaver."))
    problems = []
    if not inspector.strip():
        problems.append(ValidationFailed(N_("Write who inspected."), field="inspector"))
    if not findings.strip():
        problems.append(ValidationFailed(N_("Write what the inspection found."), field="findings"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    inspection = InternalInspection(
        weaver_id=weaver_id, held_on=held_on, inspector=inspector.strip(), findings=findings.strip()
    )
    session.add(inspection)
    session.flush()
    if sanction.strip():
        session.add(
            WeaverSanction(weaver_id=weaver_id, inspection_id=inspection.id, reason=sanction.strip(), starts_on=held_on)
        )
        session.flush()
    return inspection


def lift_sanction(session: Session, sanction_id: int, *, on: date) -> WeaverSanction:
    """From ``on`` the weaver is back in scope: the sanction's last day is the day before."""
    sanction = session.get(WeaverSanction, sanction_id, with_for_update=True)
    if sanction is None:
        raise NotFound(N_("There is no such sanction."))
    if sanction.lifted_on is not None:
        raise InvalidState(N_("This sanction was already lifted."))
    if on <= sanction.starts_on:
        raise ValidationFailed(N_("A sanction is lifted after the day it began."), field="lifted_on")
    sanction.lifted_on = on - timedelta(days=1)
    session.flush()
    return sanction
