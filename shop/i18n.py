"""Languages: which one a person gets, the gettext catalogs, and locale-aware formatting.

Message ids are English. Catalogs are read from the ``.po`` files under version control and compiled in
memory at start-up, so a stale ``.mo`` can never be served. Tzotzil (``tzo``) falls back to Spanish, and
Babel has no CLDR data for it, so it is formatted as es_MX.

Tzotzil is written by the cooperative's own speakers in the database (``shop.translations``). Each app compiles
the reviewed texts into a catalog of its own and makes it the one its requests use (``use_catalogs``); outside a
request (a command, a test without an app) the Tzotzil ``.po`` under version control, which holds the sourced
words the database was seeded with, is used instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from shop.clock import LOCAL_ZONE
from shop.money import format_money

LOCALE_DIR = Path(__file__).parent / "locale"
STORE_LANGUAGES = ("es", "en")
WORKSPACE_LANGUAGES = ("es", "tzo")
FORMAT_LOCALES = {"es": "es_MX", "en": "en_US", "tzo": "es_MX"}
FALLBACKS = {"tzo": "es"}
LANGUAGE_NAMES = {"es": "Español", "en": "English", "tzo": "Bats'i k'op"}
# CLDR's English short and medium forms ("12/6/26", "Dec 6, 2026") read differently on each side of the
# Atlantic; the store writes the day first and the month in letters ("6 Dec 2026") so nobody can misread it.
ENGLISH_DATES = {"short": "d MMM y", "medium": "d MMM y"}
ENGLISH_DATETIMES = {"short": "d MMM y, HH:mm", "medium": "d MMM y, HH:mm"}


# The catalogs an app compiled from its database, for the request being answered (see ``use_catalogs``).
_ACTIVE: ContextVar[Mapping[str, NullTranslations] | None] = ContextVar("active_catalogs", default=None)


def _compiled(catalog: Catalog) -> Translations:
    # write_mo fills an untranslated plural with the English text, which would hide the fallback language.
    for message in list(catalog):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and not all(strings):
            catalog.delete(message.id, message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def _load_catalog(lang: str) -> NullTranslations:
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=None if lang == "tzo" else lang)
    return _compiled(catalog)


@cache
def _from_files(lang: str) -> NullTranslations:
    loaded = _load_catalog(lang)
    fallback = FALLBACKS.get(lang)
    if fallback is not None:
        loaded.add_fallback(translations(fallback))
    return loaded


def translations(lang: str) -> NullTranslations:
    active = _ACTIVE.get()
    if active is not None and lang in active:
        return active[lang]
    return _from_files(lang)


def compile_messages(lang: str, messages: Mapping[str | tuple[str, str], str | tuple[str, ...]]) -> NullTranslations:
    """A catalog made of ``messages`` (msgid, or (singular, plural), to its text or texts), falling back as the
    language does to the files under version control."""
    catalog = Catalog(locale=None, domain="messages")
    for msgid, text in messages.items():
        catalog.add(msgid, text)
    compiled = _compiled(catalog)
    fallback = FALLBACKS.get(lang)
    if fallback is not None:
        compiled.add_fallback(_from_files(fallback))
    return compiled


@contextmanager
def use_catalogs(catalogs: Mapping[str, NullTranslations]) -> Iterator[None]:
    """Within this block (and the threads it starts work in), these catalogs replace the files' ones."""
    token = _ACTIVE.set(catalogs)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


@dataclass(frozen=True)
class Translator:
    """Everything a page or message needs to speak one language."""

    lang: str

    @property
    def locale(self) -> str:
        return FORMAT_LOCALES.get(self.lang, "es_MX")

    def gettext(self, message: str, **params) -> str:
        text = translations(self.lang).gettext(message)
        return text % params if params else text

    def ngettext(self, singular: str, plural: str, num: int, **params) -> str:
        text = translations(self.lang).ngettext(singular, plural, num)
        return text % {"num": num, **params}

    def money(self, amount: int, currency: str, *, trim_cents: bool = True) -> str:
        return format_money(amount, currency, self.locale, trim_cents=trim_cents)

    def number(self, value) -> str:
        return format_decimal(value, locale=self.locale)

    def date(self, value: date | datetime, fmt: str = "medium") -> str:
        if isinstance(value, datetime):
            value = value.astimezone(LOCAL_ZONE).date()
        if self.lang == "en":
            fmt = ENGLISH_DATES.get(fmt, fmt)
        return babel_format_date(value, format=fmt, locale=self.locale)

    def datetime(self, value: datetime, fmt: str = "medium") -> str:
        if self.lang == "en":
            fmt = ENGLISH_DATETIMES.get(fmt, fmt)
        return babel_format_datetime(value, format=fmt, tzinfo=LOCAL_ZONE, locale=self.locale)

    def time(self, value: datetime) -> str:
        """The hour of the day in the cooperative's time zone, on the 24-hour clock ("15:45"), which never
        ends a sentence with a doubled full stop the way "3:45 p.m." does."""
        return babel_format_time(value, format="H:mm", tzinfo=LOCAL_ZONE, locale=self.locale)

    def language_name(self, code: str) -> str:
        names = {
            "tzo": self.gettext("Tzotzil"),
            "tzh": self.gettext("Tzeltal"),
            "es": self.gettext("Spanish"),
            "en": self.gettext("English"),
        }
        if code in names:
            return names[code]
        try:
            return Locale.parse(code).get_display_name(self.locale) or code
        except (ValueError, LookupError):
            return code


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags from an Accept-Language header, most preferred first."""
    if not header:
        return []
    weighted = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(header: str | None, supported: tuple[str, ...], default: str) -> str:
    """The supported language the header prefers most (``es-MX`` gets ``es``), else ``default``.

    Babel matches the tags but does not read headers, so the q-values come from :func:`parse_accept_language`.
    Its aliases are turned off: they map a bare ``es`` to ``es_ES``, a locale we never offer. Babel's
    ``Locale.negotiate`` is not used because it parses the result into a CLDR locale, which ``tzo`` has not.
    """
    return negotiate_locale(parse_accept_language(header), supported, sep="-", aliases=None) or default
