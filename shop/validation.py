"""Pydantic's input errors as short messages in the person's language, for forms, the API and the CLI."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from shop.errors import N_
from shop.i18n import Translator

# Rules said the way a JSON schema can say them too, so the API's OpenAPI document states them. No text holds a
# NUL character (PostgreSQL refuses it outright); a required text has a character that is not a space.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^[^\x00]*[^\x00\s][^\x00]*$"


def plain(max_length: int, **constraints):
    """A text of at most ``max_length`` characters without NUL characters."""
    return Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=max_length, pattern=NO_NUL, **constraints)
    ]


def filled(max_length: int):
    """A required text: blank is refused like a missing value."""
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=max_length, pattern=NOT_BLANK)]


# Keyed by pydantic's error type.
MESSAGES = {
    "missing": N_("This is required."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "bool_parsing": N_("Choose yes or no."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "greater_than": N_("Must be more than %(gt)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "less_than": N_("Must be less than %(lt)s."),
    "string_too_long": N_("Use at most %(max_length)s characters."),
    "string_too_short": N_("Use at least %(min_length)s characters."),
    "string_pattern_mismatch": N_("Contains characters that are not allowed here."),
    "enum": N_("Choose one of: %(expected)s."),
    "literal_error": N_("Choose one of: %(expected)s."),
    "date_parsing": N_("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": N_("Enter a date as YYYY-MM-DD."),
    "json_invalid": N_("The request body is not valid JSON."),
    "model_attributes_type": N_("The request body must be a JSON object."),
    "dict_type": N_("The request body must be a JSON object."),
    "extra_forbidden": N_("This field is not accepted here."),
    "too_short": N_("Add at least %(min_length)s."),
    "too_long": N_("Use at most %(max_length)s."),
}
FALLBACK = N_("This value is not valid.")
LOCATION_NOISE = {"body", "query", "path", "form", "header", "cookie"}


def describe(error: dict, t: Translator) -> dict:
    """One pydantic error as {"field": "a.b", "message": "..."} in the translator's language."""
    location = [str(part) for part in error.get("loc", ()) if part not in LOCATION_NOISE]
    context = {
        key: ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
        for key, value in (error.get("ctx") or {}).items()
    }
    kind = error.get("type", "")
    if kind == "string_pattern_mismatch" and context.get("pattern") == NOT_BLANK and not str(error["input"]).strip():
        kind = "missing"
    template = MESSAGES.get(kind, FALLBACK)
    try:
        message = t.gettext(template, **context) if "%(" in template else t.gettext(template)
    except (KeyError, ValueError, TypeError):
        message = t.gettext(FALLBACK)
    return {"field": ".".join(location) or None, "message": message}
