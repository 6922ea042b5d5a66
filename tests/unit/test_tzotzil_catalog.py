"""The Tzotzil (tzo) catalog uses only sourced words, each marked for review by a speaker, in one spelling;
everything else falls back to Spanish, and tzo is formatted as es_MX."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from shop.i18n import translations, translator

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "shop/locale/tzo/LC_MESSAGES/messages.po"
COOPERATIVE = "J'pas Joloviletik"

# The sourced words of the project's TZOTZIL.md table (kept here so the test passes on a clean clone), with their
# source codes. W: WOLD vocabulary 33 (Zinacantán Tzotzil, after Laughlin 1975), MC: the "Bats'i k'op (Jobel)"
# interface translation, CP: Cuarto Poder on Zinacantán weavers. Spelled as in the table; the catalog writes
# "ts" for the table's "tz" (see spelled()).
SOURCED: dict[str, set[str]] = {
    "ochan me": {"MC"},
    "ja'": {"W 17-55"},
    "mu'yuk": {"W 17-56", "MC"},
    "lek": {"MC"},
    "biil": {"W 18-28", "MC"},
    "sbi": {"W 18-28", "MC"},
    "lumero": {"W 23-39"},
    "och": {"W 10-57"},
    "lok'": {"W 10-474"},
    "pat": {"MC"},
    "k'ex": {"W 12-93"},
    "tsjel": {"MC"},
    "yaketajan": {"MC"},
    "tak'in": {"W 11-43"},
    "tojol": {"W 11-87", "W 11-78"},
    "ich' tojel": {"W 11-79"},
    "toj": {"W 11-65"},
    "chon": {"W 11-82"},
    "man": {"W 11-81"},
    "lavi": {"W 14-47"},
    "k'ak'al": {"W 14-41"},
    "u": {"W 14-71"},
    "jabil": {"W 14-73"},
    "k'ej": {"W 11-17"},
    "tsk'ej": {"MC"},
    "k'ejebal": {"MC"},
    "voso": {"MC"},
    "tak'i": {"W 10-63"},
    "k'ot": {"W 10-55"},
    "kolta": {"W 19-58"},
    "kolaval": {"MC"},
    "k'u epal": {"W 17-63"},
    "jun": {"W 13-01"},
    "cha'": {"W 13-02"},
    "ox": {"W 13-03"},
    "antz": {"W 2-22"},
    "abtelil": {"W 9-12"},
    "chan": {"W 17-24"},
    "chanubtas": {"W 17-25"},
    "jal": {"W 6-33"},
    "jolobil": {"W 6-34", "CP"},
    "jalometik": {"CP"},
    "k'u'il": {"W 6-12"},
    "tzekil": {"W 6-46"},
    "no": {"W 6-38"},
    "bon": {"W 15-61"},
    "tzajal": {"W 15-64", "W 15-65", "W 15-66", "W 15-67", "W 15-68", "MC"},
    "yaxal": {"W 15-64", "W 15-65", "W 15-66", "W 15-67", "W 15-68", "MC"},
    "ik'al": {"W 15-64", "W 15-65", "W 15-66", "W 15-67", "W 15-68", "MC"},
    "sakil": {"W 15-64", "W 15-65", "W 15-66", "W 15-67", "W 15-68", "MC"},
    "tzotz": {"W 6-22"},
    "tuxnuk'": {"W 6-24"},
    "moral": {"MC"},
}
# How the README's extract command finds strings (as tests/unit/test_catalogs.py does).
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NN_": (1, 2)}
METHODS = [("shop/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
SOURCE = re.compile(r"^source: (.+)$")
CODE = re.compile(r"^(W \d+-\d+|MC|CP)$")


def spelled(word: str) -> str:
    """The catalog's spelling of a table word: "ts" for "tz"."""
    return word.replace("tz", "ts")


ALLOWED_WORDS = {spelled(w) for phrase in SOURCED for w in phrase.split()}


def words_of(text: str) -> list[str]:
    return [w.strip('.,;:!?¡¿()«»“”"') for w in text.lower().split() if w.strip('.,;:!?¡¿()«»“”"')]


@pytest.fixture(scope="module")
def catalog():
    with CATALOG.open("rb") as handle:
        return read_po(handle)


def translated(catalog):
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(strings):
            yield message, [s for s in strings if s]


def test_the_catalog_exists_for_tzotzil(catalog):
    assert CATALOG.exists()
    assert catalog.locale_identifier == "tzo"
    header = CATALOG.read_text(encoding="utf-8")
    assert '"Language: tzo\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert len(list(translated(catalog))) >= 5


def test_every_translation_is_marked_for_review_and_names_its_source(catalog):
    for message, _ in translated(catalog):
        comments = [c.strip() for c in message.user_comments]
        assert "review by a speaker" in comments, message.id
        assert not message.fuzzy, f"{message.id}: fuzzy entries are hidden; use the comment instead"
        sources = [SOURCE.match(c).group(1) for c in comments if SOURCE.match(c)]
        assert sources, f"{message.id}: name the source, e.g. '# source: W 17-55'"
        codes = {code.strip() for source in sources for code in re.split(r"[;,]", source)}
        assert all(CODE.match(code) for code in codes), (message.id, codes)


def test_only_sourced_words_are_used(catalog):
    by_word = {}
    for phrase, codes in SOURCED.items():
        for word in phrase.split():
            by_word.setdefault(spelled(word), set()).update(codes)
    for message, strings in translated(catalog):
        comments = " ".join(message.user_comments)
        for text in strings:
            for word in words_of(text.replace(COOPERATIVE, "")):
                assert word in ALLOWED_WORDS, f"{message.id!r} → {text!r}: “{word}” is not a sourced word"
                assert any(code in comments for code in by_word[word]), (
                    f"{message.id!r}: “{word}” comes from {sorted(by_word[word])}, not from what the comment names"
                )


def test_one_spelling_ts_and_the_ascii_apostrophe(catalog):
    for message, strings in translated(catalog):
        for text in strings:
            assert "tz" not in text.replace(COOPERATIVE, "").lower(), f"{message.id!r}: write ts, not tz"
            assert not set(text) & {"ʼ", "’", "‘", "`", "´"}, f"{message.id!r}: use the ASCII apostrophe"


def test_placeholders_are_kept(catalog):
    for message, strings in translated(catalog):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", text)) <= wanted | {"%(num)d"}, message.id


def test_translated_words_show_and_the_rest_falls_back_to_spanish():
    tzo, es = translator("tzo"), translator("es")
    assert tzo.gettext("Back") == "Pat"
    assert tzo.gettext("Save") == "Tsk'ej"
    assert tzo.gettext("Welcome") == "Ochan me"
    assert tzo.gettext("Price") == "Tojol"
    assert es.gettext("Sold out") == "Agotado"
    assert tzo.gettext("Sold out") == "Agotado"  # untranslated: Spanish, never English
    assert translations("tzo").gettext("Sold out") == "Agotado"
    # Plurals without a Tzotzil translation fall back to Spanish too.
    assert tzo.ngettext("%(num)d piece", "%(num)d pieces", 3) == es.ngettext("%(num)d piece", "%(num)d pieces", 3)
    assert tzo.ngettext("%(num)d piece", "%(num)d pieces", 3) != "3 pieces"


def test_tzotzil_is_formatted_as_spanish_of_mexico():
    tzo, es = translator("tzo"), translator("es")
    assert tzo.locale == "es_MX"
    moment = datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
    assert tzo.date(moment) == es.date(moment) == "1 mar 2026"
    assert tzo.datetime(moment, "short") == es.datetime(moment, "short")
    assert tzo.money(123_450, "MXN") == es.money(123_450, "MXN")
    assert tzo.number(1234.5) == es.number(1234.5)


def test_the_catalog_lists_every_workspace_string_with_its_files(catalog):
    """The translation screen lists what this catalog lists: a workspace string missing here could never be
    translated, and a stale file reference names the wrong screen."""
    from shop.translations.strings import screen_of

    in_code: dict[str, set[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        in_code.setdefault(msgid, set()).add(filename)
    wanted = {m: files for m, files in in_code.items() if any(screen_of(f) for f in files)}
    listed = {}
    for message in catalog:
        if message.id:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            listed[msgid] = {filename for filename, _ in message.locations}
    missing = sorted(set(wanted) - set(listed))
    assert missing == [], "refresh shop/locale/tzo (README, Translations): " + "; ".join(missing[:20])
    stale = sorted(m for m in wanted if listed[m] != wanted[m])
    assert stale == [], "refresh shop/locale/tzo (README, Translations): " + "; ".join(stale[:20])
    assert len(wanted) > 2000
