"""The exchange rates screen: partner staff, the treasurer and the admin enter a day's rate, parsed exactly; bad
rates, a day to come and a day already entered are refused with their reason; the council only reads."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from factories import fresh
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.clock import local_today
from shop.marketplaces.models import ExchangeRate

PAGE = "/taller/panel/tipos-de-cambio"


def test_a_days_rate_is_entered_exactly_once_and_bad_ones_are_refused(app, session):
    person(session, "tere", Role.treasurer)
    tere = signed_in(app, "tere")
    today = local_today().isoformat()
    good = {"day": today, "currency": "USD", "rate": "17.234567", "source": "Banco de México, FIX"}
    assert post(tere, PAGE, good, form_page=PAGE).status_code == 303
    assert "17.234567" in tere.get(PAGE).text
    for changes, message in (
        ({}, "ya está registrado"),
        ({"rate": "17.2345678"}, "seis decimales"),
        ({"rate": "diecisiete"}, "como 17.2345"),
        ({"rate": "0"}, "no puede ser correcto"),
        ({"rate": "NaN"}, "seis decimales"),
        ({"day": (local_today() + timedelta(days=1)).isoformat()}, "cuando ya llegó su día"),
        ({"day": "mañana"}, "AAAA-MM-DD"),
        ({"currency": "GBP"}, "Elija la moneda"),  # dollars and euros only
    ):
        refused = post(tere, PAGE, {**good, **changes}, form_page=PAGE)
        assert refused.status_code == 422 and message in refused.text, (changes, refused.text[-3000:])
    fresh(session)
    (rate,) = session.scalars(sa.select(ExchangeRate)).all()
    assert (rate.mxn_micro, rate.currency, rate.source) == (17_234_567, "USD", "Banco de México, FIX")


def test_the_council_reads_the_rates_and_a_member_sees_none(app, session):
    from factories import make_weaver

    person(session, "carmen", Role.council)
    carmen = signed_in(app, "carmen")
    page = carmen.get(PAGE)
    assert page.status_code == 200 and "Guardar el tipo de cambio" not in page.text
    assert post(carmen, PAGE, {"day": local_today().isoformat(), "rate": "17"}, form_page=PAGE).status_code == 403
    person(session, "xunka", Role.member, weaver=make_weaver(session))
    assert signed_in(app, "xunka").get(PAGE).status_code == 403
