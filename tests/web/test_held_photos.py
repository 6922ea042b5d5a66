"""The new-piece form keeps the photos chosen when it comes back with a mistake (issue 15)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from factories import fresh, make_category, make_weaver, photo_bytes
from inventory_screens import piece_form, sign_in, value_of
from sqlalchemy import func, select

from shop.catalogue import held_uploads
from shop.catalogue.models import HeldUpload, Product, ProductImage
from shop.clock import utcnow


@pytest.fixture
def maria(client, session, media_dir):
    category = make_category(session, slug="bolsas", name_es="Bolsas", name_en="Bags")
    weaver = make_weaver(session, name="María Pérez")
    session.commit()
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=weaver.id)
    return {"csrf": token, "category": category}


def tokens_in(html: str) -> list[str]:
    import re

    return re.findall(r'name="held" value="([^"]+)"', html)


def photos_of_the_piece(session) -> int:
    product = session.scalar(select(Product).where(Product.slug == "bolsa-de-lana"))
    return session.scalar(select(func.count()).select_from(ProductImage).where(ProductImage.product_id == product.id))


def post_piece(client, maria, *, photos=(), **data):
    form = {**piece_form(maria["category"]), "csrf_token": maria["csrf"], **data}
    files = [("photos", (name, content, "image/jpeg")) for name, content in photos]
    return client.post("/taller/inventario/nuevo", data=form, files=files or None, follow_redirects=False)


def test_a_mistake_keeps_the_photo_and_saving_gives_it_to_the_piece(client, session, maria, media_dir):
    response = post_piece(client, maria, photos=[("bolsa.jpg", photo_bytes())], price="")
    assert response.status_code == 422
    [token] = tokens_in(response.text)
    assert len(token) >= 40
    assert f'src="/taller/fotos-en-espera/{token}"' in response.text
    preview = client.get(f"/taller/fotos-en-espera/{token}")
    assert preview.status_code == 200 and preview.headers["content-type"] == "image/webp"
    assert "no-store" in preview.headers["cache-control"]
    fresh(session)
    held = session.scalar(select(HeldUpload).where(HeldUpload.token == token))
    assert held is not None and held.file_name == "bolsa.jpg"
    assert session.scalar(select(func.count()).select_from(Product).where(Product.slug == "bolsa-de-lana")) == 0

    saved = post_piece(client, maria, held=[token])
    assert saved.status_code == 303, saved.text
    fresh(session)
    product = session.scalar(select(Product).where(Product.slug == "bolsa-de-lana"))
    assert (
        session.scalar(select(func.count()).select_from(ProductImage).where(ProductImage.product_id == product.id)) == 1
    )
    assert session.scalar(select(HeldUpload).where(HeldUpload.token == token)) is None
    assert client.get(f"/taller/fotos-en-espera/{token}").status_code == 404


def test_a_held_photo_whose_file_is_gone_is_asked_for_again_and_nothing_is_saved(client, session, maria, files):
    token = tokens_in(post_piece(client, maria, photos=[("bolsa.jpg", photo_bytes())], price="").text)[0]
    fresh(session)
    files.held.delete(held_uploads.original_of(session.scalar(select(HeldUpload).where(HeldUpload.token == token))))
    again = post_piece(client, maria, held=[token])
    assert again.status_code == 422
    assert "Una foto que elegiste antes ya no está guardada. Elígela otra vez." in again.text
    fresh(session)
    assert session.scalar(select(func.count()).select_from(Product).where(Product.slug == "bolsa-de-lana")) == 0
    assert client.get(f"/taller/fotos-en-espera/{token}").status_code == 200  # the rest of the form still holds it


def test_a_held_photo_can_be_dropped(client, session, maria):
    first = post_piece(
        client, maria, photos=[("a.jpg", photo_bytes()), ("b.jpg", photo_bytes(color=(1, 2, 3)))], price=""
    )
    keep, drop = tokens_in(first.text)
    saved = post_piece(client, maria, held=[keep, drop], drop_held=[drop])
    assert saved.status_code == 303
    fresh(session)
    product = session.scalar(select(Product).where(Product.slug == "bolsa-de-lana"))
    assert (
        session.scalar(select(func.count()).select_from(ProductImage).where(ProductImage.product_id == product.id)) == 1
    )
    assert session.scalar(select(func.count()).select_from(HeldUpload)) == 0


def test_nobody_else_sees_or_uses_her_held_photo(client, session, maria):
    token = tokens_in(post_piece(client, maria, photos=[("a.jpg", photo_bytes())], price="").text)[0]
    client.cookies.clear()
    assert client.get(f"/taller/fotos-en-espera/{token}", follow_redirects=False).status_code in (303, 401)
    other = make_weaver(session, name="Petrona López")
    session.commit()
    csrf = sign_in(client, session, name="Petrona López", username="petrona", weaver_id=other.id)
    assert client.get(f"/taller/fotos-en-espera/{token}").status_code == 404
    saved = post_piece(client, {**maria, "csrf": csrf}, held=[token])
    assert saved.status_code == 303
    fresh(session)
    product = session.scalar(select(Product).where(Product.slug == "bolsa-de-lana"))
    assert (
        session.scalar(select(func.count()).select_from(ProductImage).where(ProductImage.product_id == product.id)) == 0
    )
    assert session.scalar(select(HeldUpload).where(HeldUpload.token == token)) is not None


def test_held_photos_older_than_a_day_are_thrown_away_on_the_next_upload(client, session, maria, media_dir):
    old_token = tokens_in(post_piece(client, maria, photos=[("a.jpg", photo_bytes())], price="").text)[0]
    fresh(session)
    old = session.scalar(select(HeldUpload).where(HeldUpload.token == old_token))
    old.created_at = utcnow() - held_uploads.KEPT_FOR - timedelta(minutes=1)
    held_dir = media_dir / "held"
    orphan = held_dir / "left-behind.jpg"
    orphan.write_bytes(b"x")
    hour_ago = (utcnow() - timedelta(hours=1)).timestamp()
    os.utime(orphan, (hour_ago, hour_ago))
    session.commit()
    old_files = [held_dir / held_uploads.original_of(old), held_dir / held_uploads.preview_of(old)]
    assert all(path.exists() for path in old_files)

    again = post_piece(client, maria, photos=[("b.jpg", photo_bytes())], held=[old_token], price="")
    assert again.status_code == 422
    assert old_token not in tokens_in(again.text) and len(tokens_in(again.text)) == 1
    fresh(session)
    assert session.scalar(select(HeldUpload).where(HeldUpload.token == old_token)) is None
    assert not any(path.exists() for path in old_files)
    assert not orphan.exists()


def test_a_held_photo_is_checked_like_any_photo(client, session, maria):
    response = post_piece(client, maria, photos=[("tiny.jpg", photo_bytes(width=100, height=100))])
    assert response.status_code == 422
    assert tokens_in(response.text) == []
    assert value_of(response.text, "title_es") == "Bolsa de lana"
    fresh(session)
    assert session.scalar(select(func.count()).select_from(HeldUpload)) == 0
