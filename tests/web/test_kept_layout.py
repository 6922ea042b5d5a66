"""The layout's parts that are the same on every page in a language are rendered once, and again when the
language's catalog changes (the speakers' Tzotzil is edited live)."""

from __future__ import annotations

from shop.i18n import compile_messages, use_catalogs
from shop.web.templating import kept_part

FOOTER = "_layout_footer.html"
PRICES = "Prices are in Mexican pesos (MXN). Amounts in other currencies are approximate and for reference only."


def test_a_part_is_rendered_once_per_language():
    spanish, english = kept_part(FOOTER, "es"), kept_part(FOOTER, "en")
    assert kept_part(FOOTER, "es") is spanish and kept_part(FOOTER, "en") is english
    assert PRICES in english and PRICES not in spanish and "pesos mexicanos" in spanish
    assert 'href="/es/contacto"' in spanish and 'href="/en/contact"' in english


def test_a_new_catalog_renders_the_part_again():
    before = kept_part(FOOTER, "en")
    with use_catalogs({"en": compile_messages("en", {PRICES: "Prices are in pesos."})}):
        changed = kept_part(FOOTER, "en")
        assert "Prices are in pesos." in changed and PRICES not in changed
        assert kept_part(FOOTER, "en") is changed
    assert kept_part(FOOTER, "en") == before


def test_every_store_page_carries_the_layout_in_its_language(client, shop_data):
    english = client.get("/en/products").text
    spanish = client.get("/es/products").text
    assert english.count(PRICES) == 1 and "pesos mexicanos" in spanish
    assert english.count('<ul class="langs"') == 2  # the language switch, in the header and the footer
    assert '<link rel="stylesheet" href="/static/css/store.css?v=' in english
    assert '<meta property="og:locale" content="en_US">' in english
