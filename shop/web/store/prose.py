"""The admin's Markdown for the store's own pages, as safe HTML: raw HTML is escaped, links other than web, mail
and phone links are dropped by markdown-it's own check, pictures are not allowed (the page has its own), and headings
start below the page's title."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def prose(text: str) -> Markup:
    parser = _parser()
    tokens = parser.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag == "h1":
            token.tag = "h2"
    return Markup(parser.renderer.render(tokens, parser.options, {}))  # noqa: S704  (html off: input is escaped)
