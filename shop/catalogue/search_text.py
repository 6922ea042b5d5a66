"""How search text becomes index terms, in Python, the way PostgreSQL's ``spanish`` and ``english`` searches do.

PostgreSQL stems with Snowball and leaves out its stop words; SQLite's FTS5 can do neither, so the SQLite index
holds text already analysed here (through the ``shop_search_text`` SQL function its triggers call), and a query
asks for the same stems PostgreSQL would. PyStemmer is pinned to the Snowball release PostgreSQL ships (2.2.0),
and the stop word lists are PostgreSQL's own, so both databases find the same pieces for the same words.

Tokens follow PostgreSQL's parser where shop text meets it: decimals ("1.8") are one term, hyphenated words
("three-panel") are a term of their own besides each part, and words with digits are kept as typed, unstemmed.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from functools import cache
from pathlib import Path

import Stemmer
from sqlalchemy import event
from sqlalchemy.pool import Pool

SQL_FUNCTION = "shop_search_text"
LANGUAGES = ("spanish", "english")
MAX_TERMS = 8
_STOPWORDS = Path(__file__).with_name("stopwords")
_TOKEN = re.compile(r"(?P<decimal>\d+(?:\.\d+)+)|(?P<compound>[^\W\d_]+(?:-[^\W\d_]+)+)|(?P<word>[^\W_]+)")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lower-case and strip accents the way both databases' indexes do."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_words(query: str) -> list[str]:
    return _WORD.findall(fold(query))[:MAX_TERMS]


@cache
def _stopwords(language: str) -> frozenset[str]:
    lines = (_STOPWORDS / f"{language}.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def term(word: str, language: str) -> str | None:
    """The index term of one folded word in ``language``; None for a stop word. Words with digits stay as typed,
    as PostgreSQL's ``simple`` dictionary keeps them."""
    if any(ch.isdigit() for ch in word):
        return word
    if word in _stopwords(language):
        return None
    return _stemmer(language).stemWord(word)


def index_text(text: str | None, language: str) -> str:
    """The terms of ``text`` in ``language``, space separated, for SQLite's FTS table."""
    terms: list[str] = []
    for match in _TOKEN.finditer(fold(text or "")):
        token = match.group()
        if match.lastgroup == "decimal":
            terms.append(token)
            continue
        words = [token, *token.split("-")] if match.lastgroup == "compound" else [token]
        terms.extend(t for t in (term(w, language) for w in words) if t)
    return " ".join(terms)


def query_terms(word: str) -> list[str]:
    """What one query word may stand for: its Spanish and its English stem (as prefixes); none if it is a stop
    word in both languages, which PostgreSQL then ignores.

    A stem that begins with the other ("rebozo" and "reboz") is left out: as prefixes the shorter finds whatever
    the longer finds, and either database would otherwise test each piece for both and rank the word twice (and
    PostgreSQL's planner, taking them for different words, expected twice the pieces)."""
    stems = {t for t in (term(word, language) for language in LANGUAGES) if t}
    return sorted(t for t in stems if not any(other != t and t.startswith(other) for other in stems))


def register(dbapi_connection: sqlite3.Connection) -> None:
    dbapi_connection.create_function(SQL_FUNCTION, 2, index_text, deterministic=True)


@event.listens_for(Pool, "connect")
def _on_connect(dbapi_connection, _record) -> None:
    # Every SQLite connection the shop opens (app, CLI, migrations, seeds) can then write products, whose
    # triggers keep the FTS table in step through this function.
    if isinstance(dbapi_connection, sqlite3.Connection):
        register(dbapi_connection)
