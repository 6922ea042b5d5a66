"""Decode Stripe's form encoding (``a[b][0][c]=v``) into nested dicts and lists, the way Stripe's API does."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")

# Dicts under these keys keep their keys even when they look like list indexes ("metadata[0]=x").
_FREE_FORM_KEYS = frozenset({"metadata"})


def parse_form(text: str) -> dict[str, Any]:
    """Parse an ``application/x-www-form-urlencoded`` string (a body or a query string) into nested params.

    ``line_items[0][price_data][unit_amount]=185000`` gives ``{"line_items": [{"price_data": {"unit_amount":
    "185000"}}]}``. Both ``expand[]=x`` and ``expand[0]=x`` give lists. Every leaf stays a string, as on the wire.
    """
    return parse_pairs(parse_qsl(text, keep_blank_values=True))


def parse_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if match is None:  # something odd like "a]b": keep it flat rather than guess
            root[key] = value
            continue
        parts = [match.group(1), *_SEGMENT.findall(match.group(2))]
        node = root
        for part in parts[:-1]:
            name = part if part != "" else str(len(node))
            child = node.get(name)
            if not isinstance(child, dict):
                child = {}
                node[name] = child
            node = child
        last = parts[-1]
        node[last if last != "" else str(len(node))] = value
    return _listify(root, None)


def _listify(value: Any, key: str | None) -> Any:
    if not isinstance(value, dict):
        return value
    converted = {name: _listify(child, name) for name, child in value.items()}
    if key not in _FREE_FORM_KEYS and converted and all(name.isdigit() for name in converted):
        return [converted[name] for name in sorted(converted, key=int)]
    return converted
