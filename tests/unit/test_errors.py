"""A domain error is translated where it is shown, with the messages among its parameters (status names)
translated too, and plain parameters (numbers, names) shown as they are."""

from __future__ import annotations

from shop.errors import N_, InvalidState, Phrase
from shop.i18n import translator


def test_a_phrase_parameter_is_translated_with_the_message_it_fills():
    error = InvalidState(
        N_("Order %(number)s is %(current)s, so it cannot become %(wanted)s."),
        number="JJ-000001",
        current=Phrase(N_("paid")),
        wanted=Phrase(N_("delivered")),
    )
    assert error.translated(translator("es").gettext) == (
        "El pedido JJ-000001 está como “pagado”, así que no puede pasar a “entregado”."
    )
    assert str(error) == "Order JJ-000001 is paid, so it cannot become delivered."


def test_a_plain_parameter_is_never_translated_even_when_it_reads_like_a_message():
    error = InvalidState(N_("There is no order %(number)s."), number="paid")
    assert error.translated(translator("es").gettext) == "No existe el pedido paid."
