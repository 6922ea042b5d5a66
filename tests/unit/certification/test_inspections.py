"""An internal inspection with a sanction takes the weaver's pieces out of the claim from its day; lifting it
brings them back from the day it is lifted."""

from __future__ import annotations

from datetime import date

import pytest
from factories import message_of
from sqlalchemy import select

from shop.certification.inspections import inspect_weaver, lift_sanction
from shop.certification.models import WeaverSanction
from shop.certification.service import claims_on
from shop.errors import InvalidState, NotFound, ValidationFailed


def test_a_sanction_from_an_inspection_holds_from_its_day_until_lifted(session, records):
    huipil = records["huipil"].id
    inspection = inspect_weaver(
        session,
        records["rosa"].id,
        held_on=date(2026, 5, 4),
        inspector="Comité de control interno",
        findings="Usó tinte sintético en una pieza declarada de tinte natural.",
        sanction="Fuera del alcance hasta la siguiente inspección.",
    )
    session.commit()
    sanction = session.scalars(select(WeaverSanction)).one()
    assert (sanction.inspection_id, sanction.starts_on, sanction.lifted_on) == (inspection.id, date(2026, 5, 4), None)
    assert claims_on(session, [huipil], date(2026, 5, 3))[huipil] != ()
    assert claims_on(session, [huipil], date(2026, 5, 4))[huipil] == ()
    lift_sanction(session, sanction.id, on=date(2026, 6, 15))
    session.commit()
    assert sanction.lifted_on == date(2026, 6, 14)
    assert claims_on(session, [huipil], date(2026, 6, 14))[huipil] == ()
    assert claims_on(session, [huipil], date(2026, 6, 15))[huipil] != ()
    with pytest.raises(InvalidState) as twice:
        lift_sanction(session, sanction.id, on=date(2026, 7, 1))
    assert message_of(twice.value) == "This sanction was already lifted."


def test_an_inspection_without_a_sanction_changes_no_claim(session, records):
    inspect_weaver(session, records["rosa"].id, held_on=date(2026, 5, 4), inspector="Comité", findings="Todo en orden.")
    session.commit()
    assert session.scalars(select(WeaverSanction)).all() == []


def test_bad_inspections_and_lifts_are_refused(session, records):
    with pytest.raises(ValidationFailed) as refused:
        inspect_weaver(session, records["rosa"].id, held_on=date(2026, 5, 4), inspector=" ", findings="")
    assert sorted(p.field for p in refused.value.errors) == ["findings", "inspector"]
    with pytest.raises(NotFound):
        inspect_weaver(session, 999_999, held_on=date(2026, 5, 4), inspector="Comité", findings="x")
    inspect_weaver(
        session, records["rosa"].id, held_on=date(2026, 5, 4), inspector="Comité", findings="x", sanction="Fuera"
    )
    sanction = session.scalars(select(WeaverSanction)).one()
    with pytest.raises(ValidationFailed) as early:
        lift_sanction(session, sanction.id, on=date(2026, 5, 4))
    assert message_of(early.value) == "A sanction is lifted after the day it began."
    with pytest.raises(NotFound):
        lift_sanction(session, 999_999, on=date(2026, 6, 1))
