"""Every string the code and templates show has a Spanish translation with the same placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NN_": (1, 2)}
METHODS = [("shop/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def used_messages() -> set[str | tuple[str, str]]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else tuple(message[:2]))
    return found


@pytest.fixture(scope="module")
def spanish():
    with (ROOT / "shop/locale/es/LC_MESSAGES/messages.po").open("rb") as handle:
        return read_po(handle)


def test_every_shown_string_is_translated_to_spanish(spanish):
    missing = []
    for message in used_messages():
        msgid = message if isinstance(message, str) else message[0]
        entry = spanish.get(msgid)
        strings = (entry.string if isinstance(entry.string, tuple) else (entry.string,)) if entry else ()
        if not entry or entry.fuzzy or not all(strings):
            missing.append(msgid)
    assert missing == [], "run pybabel extract/update and translate: " + "; ".join(sorted(missing))


def test_spanish_keeps_every_placeholder(spanish):
    for entry in spanish:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            assert set(PLACEHOLDER.findall(text)) <= wanted | {"%(num)d"}, entry.id
            assert set(PLACEHOLDER.findall(text)) | {"%(num)d"} >= wanted - {"%(num)d"}, entry.id


def test_no_message_is_translated_twice():
    """A second entry for the same message silently replaces the first; appending one by mistake hides it."""
    text = (ROOT / "shop/locale/es/LC_MESSAGES/messages.po").read_text()
    # Join wrapped entries (msgid "" followed by continuation lines) before counting.
    joined = re.sub(r'"\n"', "", text)
    ids = re.findall(r'^msgid "(.+)"$', joined, flags=re.M)
    assert len(ids) > 1000
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_template_lists_every_shown_string():
    """messages.pot is what a new translator starts from: a string missing from it would never reach her."""
    with (ROOT / "shop/locale/messages.pot").open("rb") as handle:
        template = {entry.id if isinstance(entry.id, str) else tuple(entry.id[:2]) for entry in read_po(handle)}
    missing = sorted(str(m) for m in used_messages() - template)
    assert missing == [], "run the README's pybabel extract: " + "; ".join(missing)
