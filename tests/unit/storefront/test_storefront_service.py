"""The store's own pages, contact details and front pictures: seeded by the migration, checked on the way in, and
only ever a photo of a piece the store shows."""

from __future__ import annotations

import pytest
from factories import make_category, make_image, make_product

from shop.catalogue import service as catalogue
from shop.errors import NotFound, ValidationFailed
from shop.storefront import service
from shop.storefront.models import PageSlug


def test_the_migration_seeds_every_page_in_both_languages_and_the_privacy_notice_names_arco_rights(session):
    pages = service.pages(session)
    assert {(slug.value, lang) for slug in PageSlug for lang in ("es", "en")} == set(pages)
    privacy = pages[("privacy", "es")].body
    for needed in ("Qué datos recabamos", "Para qué los usamos", "Por cuánto tiempo", "ARCO", "Cookies"):
        assert needed in privacy
    assert "aduana" in pages[("shipping", "es")].body and "customs" in pages[("shipping", "en")].body


def test_a_page_is_saved_in_both_languages_at_once_or_not_at_all(session):
    with pytest.raises(ValidationFailed) as refused:
        service.save_page(session, PageSlug.terms, {"es": ("Términos", "Texto"), "en": ("", "x" * 20_001)})
    assert {e.field for e in refused.value.errors} == {"title_en", "body_en"}
    assert service.page(session, PageSlug.terms, "es").title == "Términos de venta"  # nothing half-saved

    service.save_page(session, PageSlug.terms, {"es": ("Términos", "Nuevo\r\n"), "en": ("Terms", " New ")})
    assert (service.page(session, PageSlug.terms, "es").body, service.page(session, PageSlug.terms, "en").body) == (
        "Nuevo",
        "New",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "no es correo"}, "email"),
        ({"email": ""}, "email"),
        ({"whatsapp": "llámenos"}, "whatsapp"),
        ({"whatsapp": "+52 12"}, "whatsapp"),
        ({"legal_name": "  "}, "legal_name"),
        ({"address": "x" * 401}, "address"),
    ],
)
def test_contact_details_are_checked(session, changes, field):
    good = {"legal_name": "J'pas", "email": "tienda@example.org", "whatsapp": "+52 967 123 4567", "address": "Nachij"}
    with pytest.raises(ValidationFailed) as refused:
        service.save_contact(session, **{**good, **changes})
    assert field in {e.field for e in refused.value.errors}
    saved = service.save_contact(session, **good)
    assert service.whatsapp_digits(saved.whatsapp) == "529671234567"


def test_only_a_photo_of_a_piece_in_the_store_may_go_on_the_front_page(session, media_dir):
    huipiles = make_category(session)
    shown = make_product(session, category=huipiles)
    draft = make_product(session, category=huipiles, status="draft")
    other = make_product(session)
    # Clearly different colours: JPEG makes neighbouring ones identical files, which are one image.
    colours = ((200, 30, 30), (30, 200, 30), (30, 30, 200))
    shown_photo, draft_photo, other_photo = (make_image(session, media_dir, color=c) for c in colours)
    catalogue.add_product_image(session, shown, shown_photo, alt_es="a", alt_en="a")
    catalogue.add_product_image(session, draft, draft_photo, alt_es="b", alt_en="b")
    catalogue.add_product_image(session, other, other_photo, alt_es="c", alt_en="c")
    place = service.category_place(huipiles.id)

    assert [image.id for image, _ in service.photo_choices(session, huipiles.id)] == [shown_photo.id]
    for image_id in (draft_photo.id, other_photo.id, 0):
        with pytest.raises(ValidationFailed):
            service.choose_picture(session, place, image_id, "Un huipil", "A huipil")
    with pytest.raises(ValidationFailed):
        service.choose_picture(session, place, shown_photo.id, "", "A huipil")
    with pytest.raises(NotFound):
        service.choose_picture(session, "category:999999", shown_photo.id, "x", "x")
    with pytest.raises(NotFound):
        service.choose_picture(session, "banner", shown_photo.id, "x", "x")

    service.choose_picture(session, place, shown_photo.id, "Un huipil", "A huipil")
    service.choose_picture(session, service.HERO, other_photo.id, "Un morral", "A bag")
    assert {p: c.image.id for p, c in service.front_pictures(session).items()} == {
        place: shown_photo.id,
        service.HERO: other_photo.id,
    }
    service.clear_picture(session, service.HERO)
    assert set(service.front_pictures(session)) == {place}
