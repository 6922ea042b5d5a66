"""Trainings: completion follows each course's own rule (a number of sessions, a share of them, or the named
required ones), attendance is not completion, and guests are registered with their name, sex and age band."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_weaver
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from shop.cooperative import members, trainings
from shop.cooperative.models import AgeBand, CompletionRule, SessionAttendance, SessionLanguage, Sex, Topic
from shop.cooperative.trainings import Rule, completed
from shop.errors import Conflict, ValidationFailed

SESSIONS = [(1, False), (2, True), (3, False), (4, True), (5, False)]


def test_completion_by_number_share_or_required_sessions():
    assert completed(Rule(CompletionRule.sessions, min_sessions=4), SESSIONS, {1, 2, 3, 4})
    assert not completed(Rule(CompletionRule.sessions, min_sessions=4), SESSIONS, {1, 2, 3, 99})
    assert completed(Rule(CompletionRule.share, min_share_bp=8_000), SESSIONS, {1, 2, 3, 4})  # 4 of 5 = 80%
    assert not completed(Rule(CompletionRule.share, min_share_bp=8_000), SESSIONS, {1, 2, 3})
    assert completed(Rule(CompletionRule.required), SESSIONS, {2, 4})
    assert not completed(Rule(CompletionRule.required), SESSIONS, {1, 2, 3, 5})
    assert not completed(Rule(CompletionRule.required), [(1, False)], {1})  # no session is required: nothing completes
    assert not completed(Rule(CompletionRule.sessions, min_sessions=1), [], {1})


@given(held=st.integers(1, 30), came=st.integers(0, 30), share=st.integers(1, 10_000))
def test_the_share_rule_is_exact_without_floats(held, came, share):
    sessions = [(n, False) for n in range(held)]
    attended = set(range(min(came, held)))
    assert completed(Rule(CompletionRule.share, min_share_bp=share), sessions, attended) == (
        len(attended) * 10_000 >= held * share
    )


def test_ten_women_complete_the_computer_course_and_attendance_is_not_completion(session):
    course = trainings.add_course(
        session, topic=Topic.computer_skills, title="Computación básica", rule=Rule(CompletionRule.sessions, 5)
    )
    held = [
        trainings.add_session(
            session,
            course.id,
            held_on=date(2026, 2, n),
            place="Casa de la cooperativa",
            community="Nachij",
            facilitator="Ana Ruiz",
            language=SessionLanguage.both,
        )
        for n in range(1, 7)
    ]
    women = [
        members.register(session, make_weaver(session).id, curp="", community="Nachij", municipio="Zinacantán")
        for _ in range(12)
    ]
    for n, woman in enumerate(women):
        for s in held[: 5 if n < 10 else 2]:
            trainings.attend(session, s.id, member_id=woman.id)
    with pytest.raises(Conflict):
        trainings.attend(session, held[0].id, member_id=women[0].id)
    trainings.attend_as_guest(session, held[0].id, name="Lucía Gómez", sex=Sex.woman, age_band=AgeBand.from_18_to_29)
    assert trainings.completers(session, course.id) == sorted(w.id for w in women[:10])


def test_bad_courses_sessions_and_guests_are_refused(session):
    with pytest.raises(ValidationFailed) as refused:
        trainings.add_course(session, topic=Topic.vcaw, title="", rule=Rule(CompletionRule.share, min_share_bp=0))
    assert {e.field for e in refused.value.errors} == {"title", "min_share"}
    course = trainings.add_course(
        session, topic=Topic.vcaw, title="VCAW en tsotsil", rule=Rule(CompletionRule.required)
    )
    with pytest.raises(ValidationFailed):
        trainings.add_session(
            session,
            course.id,
            held_on=date(2026, 4, 1),
            place="",
            community="",
            facilitator="",
            language=SessionLanguage.tzo,
        )
    first = trainings.add_session(
        session,
        course.id,
        held_on=date(2026, 4, 1),
        place="Nachij",
        community="Nachij",
        facilitator="Rosa",
        language=SessionLanguage.tzo,
        required=True,
    )
    with pytest.raises(ValidationFailed):
        trainings.attend_as_guest(session, first.id, name=" ", sex=Sex.woman, age_band=AgeBand.from_60)
    session.add(SessionAttendance(session_id=first.id, guest_name="Sin datos"))
    with pytest.raises(IntegrityError):  # a guest needs her sex and age band
        session.flush()
