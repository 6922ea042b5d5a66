"""Printed papers the cooperative hands to its members are in Spanish, the language of its books, with the
Tzotzil beside each line where the catalog has a translation of its own (a receipt, a notice, a certificate)."""

from __future__ import annotations

from shop.i18n import translator


class Bilingual:
    """Spanish text, and the Tzotzil beside it when the catalog has a Tzotzil translation of its own."""

    def __init__(self):
        self.es, self.tzo = translator("es"), translator("tzo")

    def __call__(self, message: str, **params) -> tuple[str, str | None]:
        spanish = self.es.gettext(message, **params)
        tzotzil = self.tzo.gettext(message, **params)
        return spanish, (tzotzil if tzotzil != spanish else None)
