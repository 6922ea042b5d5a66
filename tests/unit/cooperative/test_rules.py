"""Every legal rule the cooperative's records obey (LGSC and the bylaws): CURPs, notice periods, quorum with
proxies, terms, the two-thirds re-election, an odd Consejo de Vigilancia, incompatible seats, and the bylaws
version in force on a date."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.cooperative.rules import (
    BodyKind,
    Bylaws,
    Call,
    Presence,
    Seat,
    bodies_for,
    bylaws_on,
    check_notice,
    check_proxies,
    check_reelection,
    check_seat,
    check_term,
    check_vigilance,
    clean_curp,
    quorum,
    two_thirds,
)
from shop.errors import ValidationFailed
from shop.i18n import translator

ES = translator("es")
BYLAWS = Bylaws(
    effective_from=date(2024, 3, 1),
    term_years=3,
    first_call_quorum_bp=5_100,
    proxies_allowed=True,
    extra_positions=frozenset({"tesorera"}),
)


def refusal(call, *args, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as refused:
        call(*args, **kwargs)
    return refused.value


def test_a_curp_is_checked_for_format_date_and_check_digit():
    assert clean_curp(" boxw310820hnerxn09 ") == "BOXW310820HNERXN09"
    for wrong in ("BOXW310820HNERXN08", "BOXW311320HNERXN09", "BOXW310820", ""):
        assert refusal(clean_curp, wrong).field == "curp"


@pytest.mark.parametrize(
    ("call", "posted", "meets", "announced", "ok"),
    [
        (Call.first, date(2026, 3, 1), date(2026, 3, 8), False, True),  # seven calendar days
        (Call.first, date(2026, 3, 2), date(2026, 3, 8), False, False),  # six
        (Call.second, date(2026, 3, 3), date(2026, 3, 8), True, True),  # five
        (Call.second, date(2026, 3, 4), date(2026, 3, 8), True, False),  # four
        (Call.second, date(2026, 3, 1), date(2026, 3, 8), False, False),  # the first notice did not announce it
    ],
)
def test_notice_periods(call, posted, meets, announced, ok):
    if ok:
        check_notice(call, posted, meets, second_call_announced=announced)
    else:
        refusal(check_notice, call, posted, meets, second_call_announced=announced)


def test_a_late_notice_is_refused_with_its_dates():
    refused = refusal(check_notice, Call.first, date(2026, 3, 2), date(2026, 3, 8))
    assert refused.translated(ES.gettext) == (
        "El aviso se publicó el 2026-03-02 para el 2026-03-08: 6 días. "
        "Una primera convocatoria necesita al menos 7 días naturales."
    )


def test_quorum_counts_proxies_and_a_second_call_meets_with_whoever_attends():
    presence = Presence(present=frozenset(range(1, 15)), proxies={1: frozenset({20, 21}), 2: frozenset({22})})
    first = quorum(presence, active_members=33, bylaws=BYLAWS, call=Call.first)
    assert (first.counted, first.needed, first.met) == (17, 17, True)  # 51% of 33, rounded up
    smaller = Presence(present=frozenset(range(1, 10)))
    assert not quorum(smaller, 33, BYLAWS, Call.first).met
    assert quorum(smaller, 33, BYLAWS, Call.second).met


def test_proxies_follow_the_law_and_the_bylaws():
    presence = Presence(present=frozenset({1, 2}), proxies={1: frozenset({5, 6})})
    check_proxies(presence, BYLAWS, signed_with_witnesses={5, 6})
    no_proxies = Bylaws(date(2024, 3, 1), 3, 5_100, proxies_allowed=False)
    assert refusal(check_proxies, presence, no_proxies, signed_with_witnesses={5, 6}).field == "proxies"
    three = Presence(present=frozenset({1}), proxies={1: frozenset({5, 6, 7})})
    assert "2" in refusal(check_proxies, three, BYLAWS, signed_with_witnesses={5, 6, 7}).translated(ES.gettext)
    refusal(check_proxies, presence, BYLAWS, signed_with_witnesses={5})  # one letter without witnesses
    refusal(check_proxies, Presence(frozenset({1}), {3: frozenset({5})}), BYLAWS, signed_with_witnesses={5})
    refusal(check_proxies, Presence(frozenset({1, 5}), {1: frozenset({5})}), BYLAWS, signed_with_witnesses={5})
    twice = Presence(frozenset({1, 2}), {1: frozenset({5}), 2: frozenset({5})})
    refusal(check_proxies, twice, BYLAWS, signed_with_witnesses={5})


@given(votes=st.integers(0, 60), present=st.integers(0, 60))
def test_two_thirds_is_exact_without_floats(votes, present):
    assert two_thirds(votes, present) == (present > 0 and 3 * votes >= 2 * present)


def test_two_thirds_at_the_edge():
    assert two_thirds(20, 30) and not two_thirds(19, 30) and two_thirds(2, 3) and not two_thirds(0, 0)


def test_a_term_is_at_most_what_the_bylaws_allow():
    check_term(date(2026, 3, 1), date(2029, 3, 1), BYLAWS)
    refused = refusal(check_term, date(2026, 3, 1), date(2029, 3, 2), BYLAWS)
    assert "2029-03-01" in refused.translated(ES.gettext)
    refusal(check_term, date(2026, 3, 1), date(2026, 3, 1), BYLAWS)
    five = Bylaws(date(2024, 1, 1), 5, 5_100, True)
    check_term(date(2024, 2, 29), date(2029, 2, 28), five)  # from a leap day
    with pytest.raises(ValueError, match="five years"):
        Bylaws(date(2024, 1, 1), 6, 5_100, True)  # the law's five years


def test_a_reelection_needs_the_two_thirds_vote():
    earlier = [Seat(7, BodyKind.administration, "presidenta", date(2023, 3, 1), date(2026, 3, 1))]
    again = Seat(7, BodyKind.administration, "presidenta", date(2026, 3, 1), date(2029, 3, 1))
    refused = refusal(check_reelection, again, earlier, votes_for=None, present=None)
    assert refused.field == "votes_for" and "LGSC" in refused.translated(ES.gettext)
    refusal(check_reelection, again, earlier, votes_for=19, present=30)
    check_reelection(again, earlier, votes_for=20, present=30)
    someone_else = Seat(8, BodyKind.administration, "presidenta", date(2026, 3, 1), date(2029, 3, 1))
    check_reelection(someone_else, earlier, votes_for=None, present=None)


def test_positions_come_from_the_law_or_the_bylaws_and_incompatible_seats_are_refused():
    rosa = Seat(7, BodyKind.administration, "tesorera", date(2026, 3, 1), date(2029, 3, 1))
    check_seat(rosa, [], BYLAWS)
    refusal(check_seat, Seat(7, BodyKind.administration, "reina", date(2026, 3, 1), date(2029, 3, 1)), [], BYLAWS)
    watching = Seat(7, BodyKind.vigilance, "vocal", date(2027, 1, 1), date(2030, 1, 1))
    assert refusal(check_seat, watching, [rosa], BYLAWS).field == "person"
    check_seat(watching, [Seat(7, BodyKind.administration, "tesorera", date(2023, 3, 1), date(2026, 3, 1))], BYLAWS)
    commission = Seat(7, BodyKind.commission, "vocal de educación", date(2026, 3, 1), date(2029, 3, 1))
    check_seat(commission, [rosa], BYLAWS)  # a commission may be held beside a council seat


@pytest.mark.parametrize(
    ("members", "alternates", "ok"), [(3, 3, True), (5, 5, True), (4, 4, False), (7, 7, False), (3, 2, False)]
)
def test_the_consejo_de_vigilancia_is_odd_at_most_five_each_with_an_alternate(members, alternates, ok):
    if ok:
        check_vigilance(members, alternates)
    else:
        assert refusal(check_vigilance, members, alternates).field == "vigilance"


def test_a_small_cooperative_has_an_administrator_and_a_vigilance_commissioner():
    assert bodies_for(10) == (BodyKind.administrator, BodyKind.vigilance_commissioner)
    assert bodies_for(11) == (BodyKind.administration, BodyKind.vigilance)


def test_the_bylaws_in_force_change_on_the_resolutions_date():
    later = Bylaws(date(2026, 7, 1), 3, 5_100, False, weavers_bp=8_200, payout_minimum=20_000)
    versions = [BYLAWS, later]
    assert bylaws_on(versions, date(2026, 6, 30)) is BYLAWS
    assert bylaws_on(versions, date(2026, 7, 1)) is later
    assert bylaws_on(versions, date(2024, 2, 29)) is None
