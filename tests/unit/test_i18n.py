from datetime import UTC, date, datetime

import pytest

from shop.i18n import negotiate, parse_accept_language, translations, translator


def test_accept_language_is_ordered_by_quality_then_position():
    header = "fr-CH, fr;q=0.9, en;q=0.8, es-MX;q=0.85, *;q=0.5"
    assert parse_accept_language(header) == ["fr-ch", "fr", "es-mx", "en"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("de-DE,en;q=0.5", "en"),
        ("de-DE", "es"),
        ("", "es"),
        (None, "es"),
        ("en;q=0", "es"),
        ("en;q=abc", "es"),
        ("en-GB", "en"),
        ("EN-gb;q=0.8, es-MX;q=0.9", "es"),
        ("es-419", "es"),
        ("fr, en;q=0, es;q=0.1", "es"),
        ("*", "es"),
        ("*;q=1, en;q=0.1", "en"),
        (";;,=,q=1", "es"),
        ("\u00e9\u00e9, \x00", "es"),
        ("tzo", "es"),
    ],
)
def test_negotiate_picks_a_supported_language(header, expected):
    assert negotiate(header, ("es", "en"), "es") == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [("tzo", "tzo"), ("tzo-MX, es;q=0.5", "tzo"), ("es-MX, tzo;q=0.5", "es"), ("en", "es"), ("tzh", "es")],
)
def test_negotiate_offers_tzotzil_where_it_is_supported(header, expected):
    assert negotiate(header, ("es", "tzo"), "es") == expected


def test_negotiate_falls_back_to_the_default_it_is_given():
    assert negotiate("fr-FR, de;q=0.9", ("es", "en"), "en") == "en"
    assert negotiate("en-US", ("es", "en"), "es") == "en"


def test_spanish_catalog_translates_store_strings():
    assert translator("es").gettext("Sold out") == "Agotado"
    assert translator("en").gettext("Sold out") == "Sold out"


def test_plural_forms_follow_the_number():
    es = translator("es")
    assert es.ngettext("%(num)d left", "%(num)d left", 1) == "Queda 1"
    assert es.ngettext("%(num)d left", "%(num)d left", 3) == "Quedan 3"


def test_tzotzil_falls_back_to_spanish():
    # Strings without a reviewed Tzotzil translation show in Spanish, never in English.
    assert translations("tzo").gettext("Sold out") == "Agotado"
    assert translator("tzo").locale == "es_MX"


def test_dates_show_in_mexico_city_time():
    late_evening = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)  # 21:30 on 1 March in Mexico City
    assert translator("en").date(late_evening) == "1 Mar 2026"
    assert translator("es").date(date(2026, 11, 27)) == "27 nov 2026"


def test_english_dates_put_the_day_first_and_the_month_in_letters():
    evening = datetime(2026, 12, 7, 1, 5, tzinfo=UTC)  # 19:05 on 6 December in Mexico City
    en = translator("en")
    assert en.date(evening, "short") == "6 Dec 2026"
    assert en.date(date(2026, 12, 6)) == "6 Dec 2026"
    assert en.datetime(evening, "short") == "6 Dec 2026, 19:05"
    assert en.datetime(evening) == "6 Dec 2026, 19:05"
    # Long forms and explicit patterns are left as asked; Spanish keeps its own day-first forms.
    assert en.date(date(2026, 12, 6), "long") == "December 6, 2026"
    assert translator("es").date(date(2026, 12, 6)) == "6 dic 2026"
