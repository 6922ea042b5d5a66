"""The pages every shop has: each at its path in its language, linked from every store page's footer, edited by the
admin (and nobody else) with every mistake told, and shown at once in the store, cache or not. The home page shows
only the pictures the admin chose."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from factories import fresh, make_category, make_image, make_product
from workspace_helpers import person, post, signed_in

from shop.accounts.models import Role
from shop.api.http.urls import STORE_PAGE_PATHS
from shop.catalogue import service as catalogue
from shop.storefront import service
from shop.storefront.models import PageSlug, StorePage


@pytest.mark.parametrize("slug", [s.value for s in PageSlug])
def test_each_page_answers_in_both_languages_and_the_other_languages_words_lead_to_it(app, client, slug):
    for lang, other in (("es", "en"), ("en", "es")):
        own = STORE_PAGE_PATHS[slug][lang]
        page = client.get(f"/{lang}{own}")
        assert page.status_code == 200 and f'<html lang="{lang}"' in page.text
        base = app.state.settings.base_url
        assert f'<link rel="canonical" href="{base}/{lang}{own}">' in page.text
        assert f'hreflang="{other}" href="{base}/{other}{STORE_PAGE_PATHS[slug][other]}"' in page.text
        moved = client.get(f"/{lang}{STORE_PAGE_PATHS[slug][other]}", follow_redirects=False)
        assert moved.status_code == 301 and moved.headers["location"] == f"/{lang}{own}"


def test_the_sitemap_lists_every_page_in_both_languages(app, client):
    sitemap = client.get("/sitemap.xml").text
    base = app.state.settings.base_url
    for paths in STORE_PAGE_PATHS.values():
        assert f"<loc>{base}/es{paths['es']}</loc>" in sitemap and f"<loc>{base}/en{paths['en']}</loc>" in sitemap


def test_every_store_page_links_all_of_them_in_its_footer(client, shop_data):
    for path in ("/es/", "/en/products", "/es/cart", "/es/no-existe"):
        html = client.get(path).text
        lang = path[1:3]
        for slug in PageSlug:
            assert f'href="/{lang}{STORE_PAGE_PATHS[slug.value][lang]}"' in html, (path, slug)
        assert f'href="/{lang}/orders/find"' in html


def test_the_admin_edits_a_page_and_the_store_shows_it_at_once(app, client, session):
    before = client.get("/en/returns")
    assert before.status_code == 200 and "30 days" in before.text
    client.get("/en/returns")  # now served from the page cache
    person(session, "rosa", Role.admin)
    rosa = signed_in(app, "rosa")
    form = "/taller/tienda/paginas/returns"
    assert "30 días" in rosa.get(form).text
    body = "## Within 60 days\n\nSend it back <script>alert(1)</script> [mail](mailto:a@b.org) [x](javascript:alert(1))"
    saved = post(
        rosa,
        form,
        {"title_es": "Devoluciones", "body_es": "Dentro de 60 días.", "title_en": "Returns", "body_en": body},
        form_page=form,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/taller/tienda"
    after = client.get("/en/returns").text
    assert "<h2>Within 60 days</h2>" in after and "30 days" not in after
    assert "<script>alert" not in after and "&lt;script&gt;" in after
    assert 'href="mailto:a@b.org"' in after and 'href="javascript' not in after
    assert "Dentro de 60 días." in client.get("/es/devoluciones").text


def test_a_page_with_mistakes_is_refused_whole_and_keeps_what_was_typed(app, session):
    person(session, "rosa", Role.admin)
    rosa = signed_in(app, "rosa")
    form = "/taller/tienda/paginas/about"
    refused = post(
        rosa, form, {"title_es": "", "body_es": "Nuevo texto", "title_en": "About", "body_en": ""}, form_page=form
    )
    assert refused.status_code == 422
    assert refused.text.count("Este dato es obligatorio.") == 2 and "Nuevo texto" in refused.text
    fresh(session)
    about = session.scalar(sa.select(StorePage).where(StorePage.slug == "about", StorePage.lang == "es"))
    assert about.title == "La cooperativa"
    assert rosa.get("/taller/tienda/paginas/nada").status_code == 404


def test_contact_details_show_on_the_contact_page_and_the_privacy_notice(app, client, session):
    person(session, "rosa", Role.admin)
    rosa = signed_in(app, "rosa")
    assert "<strong>2</strong> datos de contacto para las compradoras por llenar" in rosa.get("/taller/inicio").text
    details = {
        "legal_name": "J'pas Joloviletik S.C. de R.L.",
        "email": "tienda@example.org",
        "whatsapp": "+52 967 123 4567",
        "address": "Nachij, Zinacantán, Chiapas",
    }
    refused = post(rosa, "/taller/tienda/contacto", {**details, "email": "tienda@"}, form_page="/taller/tienda")
    assert refused.status_code == 422 and "Escriba un correo electrónico válido." in refused.text
    assert post(rosa, "/taller/tienda/contacto", details, form_page="/taller/tienda").status_code == 303
    assert "por llenar" not in rosa.get("/taller/inicio").text
    for path in ("/es/contacto", "/en/privacy"):
        html = client.get(path).text
        assert 'href="mailto:tienda@example.org"' in html and 'href="https://wa.me/529671234567"' in html
        assert "Nachij, Zinacantán, Chiapas" in html


def test_only_the_admin_edits_the_shops_pages(app, session):
    person(session, "tere", Role.treasurer, Role.council)
    tere = signed_in(app, "tere")
    for path in ("/taller/tienda", "/taller/tienda/paginas/terms", "/taller/tienda/portada"):
        assert tere.get(path).status_code == 403
    assert post(tere, "/taller/tienda/contacto", {"email": "x@example.org"}).status_code == 403


def _front_parts(home: str) -> str:
    """The hero and the category tiles, not the grid of newest pieces (which shows every new piece, as it should)."""
    return home[home.index('<section class="hero">') : home.index('<section aria-labelledby="new">')]


def test_the_home_page_shows_the_chosen_pictures_and_never_the_newest_upload(app, client, session, media_dir):
    bags = make_category(session, slug="bolsas")
    first = make_product(session, category=bags)
    photo = make_image(session, media_dir, color=(200, 30, 30))
    catalogue.add_product_image(session, first, photo, alt_es="Un morral rojo", alt_en="A red bag")
    session.commit()
    home = client.get("/en/").text
    assert f"/media/{photo.key}-" not in _front_parts(home)  # nobody chose it

    person(session, "rosa", Role.admin)
    rosa = signed_in(app, "rosa")
    front = "/taller/tienda/portada"
    assert f"/media/{photo.key}-" in rosa.get(front).text
    chose = {"place": "hero", "image_id": str(photo.id), "alt_es": "Un morral rojo", "alt_en": "A red bag on a loom"}
    assert post(rosa, front, chose, form_page=front).status_code == 303
    place = service.category_place(bags.id)
    assert post(rosa, front, {**chose, "place": place}, form_page=front).status_code == 303
    refused = post(rosa, front, {**chose, "image_id": "999999"}, form_page=front)
    assert refused.status_code == 422 and "Elija una de las fotos que se muestran." in refused.text

    newer = make_product(session, category=bags)
    newest_photo = make_image(session, media_dir, color=(30, 30, 200))
    catalogue.add_product_image(session, newer, newest_photo, alt_es="Nuevo", alt_en="New")
    session.commit()
    home = client.get("/en/").text
    assert 'alt="A red bag on a loom"' in home and f'og:image" content="http://testserver/media/{photo.key}-' in home
    assert photo.key in _front_parts(home) and newest_photo.key not in _front_parts(home)

    assert post(rosa, f"{front}/quitar", {"place": "hero"}, form_page=front).status_code == 303
    assert 'alt="A red bag on a loom"' not in client.get("/en/").text
