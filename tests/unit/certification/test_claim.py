"""The claim function: a product carries a fair-trade claim on a day exactly when a certificate stands that day,
its licence is valid where needed, the product is in scope, and all its weavers are in scope and not sanctioned."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.certification.claim import (
    CertificateFacts,
    CertificateStatus,
    ClaimKind,
    Period,
    ProductFacts,
    SchemeTerms,
    claims_for,
)

SPP = SchemeTerms(
    name="Símbolo de Pequeños Productores",
    kind=ClaimKind.product,
    wording_es="Producto certificado SPP",
    wording_en="SPP certified product",
    renewal_grace_days=30,
)
WFTO = SchemeTerms(
    name="WFTO Guarantee System",
    kind=ClaimKind.organisation,
    wording_es="Hecho por una organización de comercio justo verificada",
    wording_en="Made by a verified fair-trade organisation",
    needs_licence=True,
)
HUIPIL = ProductFacts(id=7, category_id=2, weavers=frozenset({11, 12}))
FROM, TO = date(2026, 3, 1), date(2027, 2, 28)


def certificate(**changes) -> CertificateFacts:
    facts = CertificateFacts(
        number="SPP-2026-041",
        scheme=SPP,
        status=CertificateStatus.certified,
        valid_from=FROM,
        expires_on=TO,
        categories=frozenset({2}),
        weavers=frozenset({11, 12, 13}),
    )
    return replace(facts, **changes)


def holds(cert: CertificateFacts, day: date, product: ProductFacts = HUIPIL, sanctions=None) -> bool:
    return bool(claims_for(product, day, [cert], sanctions))


def test_a_standing_certificate_gives_its_schemes_claim_and_words():
    (claim,) = claims_for(HUIPIL, date(2026, 6, 1), [certificate()])
    assert (claim.scheme, claim.certificate, claim.kind) == (SPP.name, "SPP-2026-041", ClaimKind.product)
    assert (claim.wording("es"), claim.wording("en")) == ("Producto certificado SPP", "SPP certified product")


@pytest.mark.parametrize("status", [s for s in CertificateStatus if s is not CertificateStatus.certified])
def test_only_a_certified_certificate_holds(status):
    assert not holds(certificate(status=status), date(2026, 6, 1))


def test_the_validity_boundaries_are_days_both_included_and_the_grace_follows_the_expiry():
    cert = certificate()
    assert not holds(cert, FROM - timedelta(days=1))
    assert holds(cert, FROM)
    assert holds(cert, TO)
    assert holds(cert, TO + timedelta(days=30))  # the scheme's renewal grace
    assert not holds(cert, TO + timedelta(days=31))
    no_grace = certificate(scheme=replace(SPP, renewal_grace_days=0))
    assert holds(no_grace, TO) and not holds(no_grace, TO + timedelta(days=1))


def test_the_product_is_in_scope_by_itself_or_by_its_category_and_not_otherwise():
    assert holds(certificate(categories=frozenset(), products=frozenset({7})), date(2026, 6, 1))
    assert not holds(certificate(categories=frozenset({3}), products=frozenset({8})), date(2026, 6, 1))
    uncategorised = replace(HUIPIL, category_id=None)
    assert not holds(certificate(), date(2026, 6, 1), uncategorised)


def test_every_weaver_of_the_product_must_be_in_scope():
    assert not holds(certificate(weavers=frozenset({11})), date(2026, 6, 1))


def test_a_sanctioned_weaver_takes_the_claim_away_until_the_sanction_is_lifted():
    sanctions = {12: [Period(date(2026, 5, 1), date(2026, 5, 31))]}
    assert holds(certificate(), date(2026, 4, 30), sanctions=sanctions)
    assert not holds(certificate(), date(2026, 5, 1), sanctions=sanctions)
    assert not holds(certificate(), date(2026, 5, 31), sanctions=sanctions)
    assert holds(certificate(), date(2026, 6, 1), sanctions=sanctions)
    still = {12: [Period(date(2026, 5, 1))]}  # not lifted yet
    assert not holds(certificate(), date(2027, 1, 1), sanctions=still)
    elsewhere = {99: [Period(date(2026, 5, 1))]}  # another weaver's sanction
    assert holds(certificate(), date(2026, 5, 2), sanctions=elsewhere)


def test_a_scheme_that_needs_a_licence_holds_only_while_one_is_valid():
    wfto = certificate(scheme=WFTO, number="WFTO-MX-118")
    assert not holds(wfto, date(2026, 6, 1))
    licensed = replace(wfto, licences=(Period(date(2026, 4, 1), date(2026, 9, 30)),))
    assert not holds(licensed, date(2026, 3, 31))
    assert holds(licensed, date(2026, 4, 1)) and holds(licensed, date(2026, 9, 30))
    assert not holds(licensed, date(2026, 10, 1))


def test_a_renewal_takes_over_from_the_certificate_it_supersedes():
    old = certificate(status=CertificateStatus.superseded)
    new = certificate(number="SPP-2027-007", valid_from=TO + timedelta(days=1), expires_on=date(2028, 2, 29))
    assert [c.certificate for c in claims_for(HUIPIL, TO + timedelta(days=1), [old, new])] == ["SPP-2027-007"]
    assert claims_for(HUIPIL, TO, [old, new]) == ()  # the old one no longer speaks, even on its own dates


def test_a_decided_renewal_ends_the_old_certificate_and_its_grace_from_its_first_day():
    old = certificate(superseded_from=TO + timedelta(days=10))
    assert holds(old, TO + timedelta(days=9))  # in the grace, before the renewal begins
    assert not holds(old, TO + timedelta(days=10))
    assert not holds(certificate(superseded_from=date(2026, 6, 1)), date(2026, 6, 1))  # even within its own dates


def test_one_claim_per_scheme_in_a_stable_order():
    wfto = certificate(scheme=WFTO, number="WFTO-MX-118", licences=(Period(FROM),))
    twice = [certificate(), certificate(number="SPP-2026-042"), wfto]
    assert [c.scheme for c in claims_for(HUIPIL, date(2026, 6, 1), twice)] == [SPP.name, WFTO.name]
    assert [c.scheme for c in claims_for(HUIPIL, date(2026, 6, 1), reversed(twice))] == [SPP.name, WFTO.name]


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))


@given(
    day=days,
    status=st.sampled_from(list(CertificateStatus)),
    grace=st.integers(min_value=0, max_value=90),
    in_products=st.booleans(),
    in_categories=st.booleans(),
    scoped_weavers=st.sets(st.integers(min_value=10, max_value=14)),
    sanction=st.one_of(st.none(), st.tuples(days, st.one_of(st.none(), days))),
    licence=st.one_of(st.none(), st.tuples(days, st.one_of(st.none(), days))),
    needs_licence=st.booleans(),
    taken_over=st.one_of(st.none(), days),
)
def test_the_claim_holds_exactly_when_every_condition_does(
    day, status, grace, in_products, in_categories, scoped_weavers, sanction, licence, needs_licence, taken_over
):
    scheme = replace(SPP, renewal_grace_days=grace, needs_licence=needs_licence)
    cert = certificate(
        scheme=scheme,
        status=status,
        products=frozenset({7}) if in_products else frozenset(),
        categories=frozenset({2}) if in_categories else frozenset(),
        weavers=frozenset(scoped_weavers),
        licences=() if licence is None else (Period(*licence),),
        superseded_from=taken_over,
    )
    sanctions = {} if sanction is None else {12: [Period(*sanction)]}
    standing = (
        status is CertificateStatus.certified
        and FROM <= day <= TO + timedelta(days=grace)
        and (taken_over is None or day < taken_over)
    )
    licensed = not needs_licence or (
        licence is not None and licence[0] <= day and (licence[1] is None or day <= licence[1])
    )
    in_scope = (in_products or in_categories) and {11, 12} <= scoped_weavers
    free = sanction is None or not (sanction[0] <= day and (sanction[1] is None or day <= sanction[1]))
    assert holds(cert, day, sanctions=sanctions) == (standing and licensed and in_scope and free)
