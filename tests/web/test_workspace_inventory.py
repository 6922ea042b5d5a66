"""The inventory screens of the workspace: who sees which pieces, adding and editing them, photos and stock."""

from __future__ import annotations

import re

import pytest
from factories import fresh, photo_bytes
from inventory_screens import count, error_for, piece_form, pieces, sign_in, value_of  # noqa: F401  (fixture)
from sqlalchemy import func, select

from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.catalogue.images import thumbnail_name
from shop.catalogue.models import Image, Product, ProductImage, ProductStatus, ProductWeaver, StockMovement
from shop.i18n import translator


def es(message: str, **params) -> str:
    """A message as the workspace shows it (in Spanish, once translated), whatever the catalog holds today."""
    return translator("es").gettext(message, **params)


# --- Who sees what --------------------------------------------------------------------------------------


def test_a_member_sees_only_her_own_pieces(client, session, pieces):
    sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    page = client.get("/taller/inventario")
    assert page.status_code == 200
    assert "Huipil de María" in page.text
    assert "Rebozo de Petrona" not in page.text
    assert client.get("/taller/inventario/huipil-maria").status_code == 200


def test_another_members_piece_is_not_found(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    assert client.get("/taller/inventario/rebozo-petrona").status_code == 404
    changed = client.post(
        "/taller/inventario/rebozo-petrona/existencias",
        data={"reason": "sold_in_person", "quantity": "1", "csrf_token": token},
    )
    assert changed.status_code == 404
    edited = client.post(
        "/taller/inventario/rebozo-petrona",
        data={**piece_form(pieces["category"]), "csrf_token": token},
    )
    assert edited.status_code == 404
    fresh(session)
    assert session.get(Product, pieces["other"].id).stock_on_hand == 3
    assert count(session, StockMovement) == 0


def test_the_council_sees_every_piece(client, session, pieces):
    sign_in(client, session, name="Rosa Gómez", username="rosa", roles=(Role.council,))
    page = client.get("/taller/inventario").text
    assert "Huipil de María" in page and "Rebozo de Petrona" in page
    assert client.get("/taller/inventario/rebozo-petrona").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client, pieces):
    for path in ("/taller/inventario", "/taller/inventario/nuevo", "/taller/inventario/huipil-maria"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/taller"


def test_a_post_without_the_csrf_token_is_refused(client, session, pieces):
    sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    before = count(session, Product)
    response = client.post("/taller/inventario/nuevo", data=piece_form(pieces["category"]))
    assert response.status_code == 403
    stock = client.post("/taller/inventario/huipil-maria/existencias", data={"reason": "damaged", "quantity": "1"})
    assert stock.status_code == 403
    assert count(session, Product) == before
    assert count(session, StockMovement) == 0


# --- Adding a piece -------------------------------------------------------------------------------------


def test_a_member_adds_a_piece_with_a_photo_and_publishes_it(client, session, pieces, settings):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    assert 'capture="environment"' in client.get("/taller/inventario/nuevo").text
    response = client.post(
        "/taller/inventario/nuevo",
        data={**piece_form(pieces["category"]), "csrf_token": token},
        files=[("photos", ("bolsa.jpg", photo_bytes(), "image/jpeg"))],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/taller/inventario/bolsa-de-lana"

    fresh(session)
    product = session.scalar(select(Product).where(Product.slug == "bolsa-de-lana"))
    assert product.status is ProductStatus.draft
    assert product.price_amount == 185_050
    assert (product.length_mm, product.width_mm, product.weight_g) == (305, 250, 300)
    shares = session.execute(
        select(ProductWeaver.weaver_id, ProductWeaver.share_bp).where(ProductWeaver.product_id == product.id)
    ).all()
    assert shares == [(pieces["maria"].id, 10_000)]
    link = session.scalar(select(ProductImage).where(ProductImage.product_id == product.id))
    image = session.get(Image, link.image_id)
    assert link.alt_es == "Bolsa de lana" and link.alt_en == "Wool bag"
    for width in (320, 640):
        assert (settings.media_dir / "thumbs" / thumbnail_name(image.key, width)).exists()

    page = client.get("/taller/inventario/bolsa-de-lana")
    assert f"/media/{image.key}-320.webp" in page.text
    assert client.get(f"/media/{image.key}-320.webp").status_code == 200
    assert "Bolsa de lana" not in client.get("/es/products").text

    published = client.post(
        "/taller/inventario/bolsa-de-lana/estado",
        data={"status": "active", "csrf_token": token},
        follow_redirects=False,
    )
    assert published.status_code == 303
    assert "Bolsa de lana" in client.get("/es/products").text
    fresh(session)
    assert session.get(Product, product.id).status is ProductStatus.active

    audit = session.scalars(select(AuditEvent).where(AuditEvent.entity == "products")).all()
    assert {e.action for e in audit} >= {"create", "update"}
    assert {e.actor_name for e in audit} == {"María Pérez"}


# --- Mistakes: a clear message next to the field, everything typed kept, nothing written ----------------


@pytest.fixture
def council(client, session, pieces):
    return sign_in(client, session, name="Rosa Gómez", username="rosa", roles=(Role.council,))


def shares(*pairs) -> dict:
    return {"share_weaver": [str(w.id) for w, _ in pairs], "share_percent": [p for _, p in pairs]}


MISTAKES = {
    "price with three decimals": (
        {"price": "12.345"},
        "price",
        "Use at most %(digits)d decimal places.",
        {"digits": 2},
    ),
    "price in words": ({"price": "doce"}, "price", "Enter an amount such as 1850 or 1850.50.", {}),
    "two of a unique piece": (
        {"kind": "unique", "stock_on_hand": "2"},
        "stock_on_hand",
        "A one-of-a-kind piece can have a stock of 0 or 1.",
        {},
    ),
    "millimetres": ({"length_cm": "30.55"}, "length_cm", "Use at most %(digits)d decimal places.", {"digits": 1}),
    "decimal comma in the price": ({"price": "1850,50"}, "price", "Use a point for the cents, such as 1850.50.", {}),
    "decimal comma in centimetres": (
        {"width_cm": "25,5"},
        "width_cm",
        "Use a point for decimals, such as 72.5, and no commas.",
        {},
    ),
    "weight in words": ({"weight_g": "mucho"}, "weight_g", "Enter a whole number, such as 3.", {}),
    "no name": ({"title_es": ""}, "title_es", "Write the name of the piece.", {}),
    "no category": ({"category_id": ""}, "category_id", "Choose a category.", {}),
    "made to order without lead time": (
        {"kind": "made_to_order", "deposit_percent": "50"},
        "lead_time_days",
        "Say how many days it takes to make this piece.",
        {},
    ),
}


@pytest.mark.parametrize(("changes", "field", "message", "params"), MISTAKES.values(), ids=MISTAKES.keys())
def test_a_mistake_comes_back_next_to_its_field_with_everything_kept(
    client, session, pieces, changes, field, message, params
):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    before = count(session, Product)
    form = piece_form(pieces["category"], **changes)
    response = client.post("/taller/inventario/nuevo", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert error_for(response.text, field) == es(message, **params)
    for name in ("title_es", "title_en", "price", "length_cm", "weight_g", "hours_of_work"):
        assert value_of(response.text, name) == form[name]
    assert "Tejida en telar de cintura." in response.text
    assert count(session, Product) == before


def test_every_mistake_is_shown_at_once(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    form = piece_form(pieces["category"], price="12.345", kind="unique", stock_on_hand="2", title_es="")
    response = client.post("/taller/inventario/nuevo", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert error_for(response.text, "price") == es("Use at most %(digits)d decimal places.", digits=2)
    assert error_for(response.text, "stock_on_hand") == es("A one-of-a-kind piece can have a stock of 0 or 1.")
    assert error_for(response.text, "title_es") == es("Write the name of the piece.")


def test_shares_must_add_up_to_one_hundred(client, session, pieces, council):
    before = count(session, Product)
    form = {**piece_form(pieces["category"]), **shares((pieces["maria"], "60"), (pieces["petrona"], "30"))}
    response = client.post("/taller/inventario/nuevo", data={**form, "csrf_token": council})
    assert response.status_code == 422
    message = es("The weavers' shares must add up to 100%%; they add up to %(percent)s%%.", percent="90")
    assert error_for(response.text, "weavers") == message
    assert re.search(rf'id="share-{pieces["maria"].id}"[^>]*value="60"', response.text)
    assert re.search(rf'id="share-{pieces["petrona"].id}"[^>]*value="30"', response.text)
    assert count(session, Product) == before

    form = {**piece_form(pieces["category"]), **shares((pieces["maria"], "60"), (pieces["petrona"], "40"))}
    created = client.post("/taller/inventario/nuevo", data={**form, "csrf_token": council}, follow_redirects=False)
    assert created.status_code == 303
    fresh(session)
    product = session.scalar(select(Product).where(Product.slug == "bolsa-de-lana"))
    rows = session.execute(
        select(ProductWeaver.weaver_id, ProductWeaver.share_bp).where(ProductWeaver.product_id == product.id)
    ).all()
    assert sorted(rows) == sorted([(pieces["maria"].id, 6000), (pieces["petrona"].id, 4000)])


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    before = (count(session, Product), count(session, Image), count(session, ProductImage))
    response = client.post(
        "/taller/inventario/nuevo",
        data={**piece_form(pieces["category"]), "csrf_token": token},
        files=[
            ("photos", ("bolsa.jpg", photo_bytes(), "image/jpeg")),
            ("photos", ("notes.txt", b"this is not a photo", "text/plain")),
        ],
    )
    assert response.status_code == 422
    problem = es("This file is not a photo we can read. Use a JPEG, PNG or WebP image.")
    assert error_for(response.text, "photos") == es("“%(file)s”: %(problem)s", file="notes.txt", problem=problem)
    # The good photo is held for the next try (see test_held_photos); nothing of the piece is written.
    assert value_of(response.text, "held")
    assert value_of(response.text, "title_es") == "Bolsa de lana"
    assert (count(session, Product), count(session, Image), count(session, ProductImage)) == before


def test_an_oversized_photo_gets_a_clear_message(client, session, pieces, settings):
    settings.max_image_bytes = 2_000
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    before = count(session, Product)
    response = client.post(
        "/taller/inventario/nuevo",
        data={**piece_form(pieces["category"]), "csrf_token": token},
        files=[("photos", ("big.jpg", photo_bytes(), "image/jpeg"))],
    )
    assert response.status_code == 422
    too_large = es("This photo is too large (%(size)s). The limit is %(limit)s.", size="0.0 MB", limit="0.0 MB")
    assert too_large.split("(")[0] in error_for(response.text, "photos")
    assert count(session, Product) == before

    added = client.post(
        "/taller/inventario/huipil-maria/fotos",
        data={"csrf_token": token},
        files=[("photos", ("big.jpg", photo_bytes(), "image/jpeg"))],
    )
    assert added.status_code == 422
    assert too_large.split("(")[0] in error_for(added.text, "photos")
    assert count(session, ProductImage) == 0


def test_the_slug_is_made_unique(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    form = {**piece_form(pieces["category"], title_es="Huipil de María"), "csrf_token": token}
    first = client.post("/taller/inventario/nuevo", data=form, follow_redirects=False)
    assert first.headers["location"] == "/taller/inventario/huipil-de-maria"
    second = client.post("/taller/inventario/nuevo", data=form, follow_redirects=False)
    assert second.headers["location"] == "/taller/inventario/huipil-de-maria-2"


# --- Editing, photos and publishing ----------------------------------------------------------------------


def test_editing_keeps_the_stock_and_the_weaver(client, session, pieces):
    token = sign_in(client, session, name="Petrona López", username="petrona", weaver_id=pieces["petrona"].id)
    page = client.get("/taller/inventario/rebozo-petrona").text
    assert value_of(page, "price") == "1000"
    form = piece_form(pieces["category"], title_es="Rebozo de añil", price="2400", kind="series")
    saved = client.post("/taller/inventario/rebozo-petrona", data={**form, "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    fresh(session)
    product = session.get(Product, pieces["other"].id)
    assert (product.title_es, product.price_amount, product.stock_on_hand) == ("Rebozo de añil", 240_000, 3)
    assert product.slug == "rebozo-petrona"

    wrong = client.post(
        "/taller/inventario/rebozo-petrona",
        data={**form, "kind": "unique", "title_es": "Otro nombre", "csrf_token": token},
    )
    assert wrong.status_code == 422
    assert error_for(wrong.text, "kind") == es("A one-of-a-kind piece can have a stock of 0 or 1.")
    assert value_of(wrong.text, "title_es") == "Otro nombre"
    fresh(session)
    assert session.get(Product, pieces["other"].id).title_es == "Rebozo de añil"


def test_photos_are_added_and_removed(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    added = client.post(
        "/taller/inventario/huipil-maria/fotos",
        data={"alt_es": "Huipil rojo", "csrf_token": token},
        files=[("photos", ("a.jpg", photo_bytes(color=(10, 20, 30)), "image/jpeg"))],
        follow_redirects=False,
    )
    assert added.status_code == 303
    fresh(session)
    link = session.scalar(select(ProductImage).where(ProductImage.product_id == pieces["hers"].id))
    assert link.alt_es == "Huipil rojo" and link.alt_en == pieces["hers"].title_en
    image = session.get(Image, link.image_id)
    assert f"/media/{image.key}-320.webp" in client.get("/taller/inventario/huipil-maria").text

    empty = client.post("/taller/inventario/huipil-maria/fotos", data={"csrf_token": token})
    assert empty.status_code == 422
    assert error_for(empty.text, "photos") == es("Choose a photo first, or take one with the camera.")

    removed = client.post(
        f"/taller/inventario/huipil-maria/fotos/{link.id}/quitar", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303
    assert count(session, ProductImage) == 0


def test_only_the_council_puts_pieces_away(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    refused = client.post("/taller/inventario/huipil-maria/estado", data={"status": "archived", "csrf_token": token})
    assert refused.status_code == 403
    down = client.post(
        "/taller/inventario/huipil-maria/estado", data={"status": "draft", "csrf_token": token}, follow_redirects=False
    )
    assert down.status_code == 303
    fresh(session)
    assert session.get(Product, pieces["hers"].id).status is ProductStatus.draft


def test_the_list_filters_pieces_without_a_photo_and_by_status(client, session, pieces, media_dir):
    from factories import make_image

    from shop.catalogue import service

    service.add_product_image(session, session.get(Product, pieces["hers"].id), make_image(session, media_dir))
    session.commit()
    sign_in(client, session, name="Rosa Gómez", username="rosa", roles=(Role.council,))
    no_photo = client.get("/taller/inventario?sin_foto=1").text
    assert "Rebozo de Petrona" in no_photo and "Huipil de María" not in no_photo
    assert "Huipil de María" not in client.get("/taller/inventario?estado=draft").text
    assert "Huipil de María" in client.get("/taller/inventario?estado=active").text


# --- Stock ---------------------------------------------------------------------------------------------


def test_stock_changes_need_a_reason_and_are_recorded(client, session, pieces):
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    url = "/taller/inventario/huipil-maria/existencias"

    no_reason = client.post(url, data={"quantity": "1", "note": "lluvia", "csrf_token": token})
    assert no_reason.status_code == 422
    assert error_for(no_reason.text, "reason") == es("Choose why the stock changes.")
    assert value_of(no_reason.text, "note") == "lluvia"
    assert count(session, StockMovement) == 0

    lost = client.post(
        url,
        data={"reason": "damaged", "quantity": "1", "note": "Se mojó en la lluvia", "csrf_token": token},
        follow_redirects=False,
    )
    assert lost.status_code == 303
    fresh(session)
    product = session.get(Product, pieces["hers"].id)
    assert (product.stock_on_hand, product.status) == (0, ProductStatus.sold_out)
    movement = session.scalar(select(StockMovement))
    assert (movement.delta, movement.stock_after, movement.reason, movement.actor, movement.note) == (
        -1,
        0,
        "damaged",
        "María Pérez",
        "Se mojó en la lluvia",
    )
    page = client.get("/taller/inventario/huipil-maria").text
    assert "Se mojó en la lluvia" in page and es("Damaged or lost") in page

    below = client.post(url, data={"reason": "damaged", "quantity": "1", "csrf_token": token})
    assert below.status_code == 422
    message = es("There are only %(count)d in stock; the stock cannot go below zero.", count=0)
    assert error_for(below.text, "quantity") == message

    back = client.post(url, data={"reason": "returned", "quantity": "1", "csrf_token": token}, follow_redirects=False)
    assert back.status_code == 303
    fresh(session)
    product = session.get(Product, pieces["hers"].id)
    assert (product.stock_on_hand, product.status) == (1, ProductStatus.active)
    assert count(session, StockMovement) == 2

    audit = session.scalars(select(AuditEvent).where(AuditEvent.entity == "stock_movements")).all()
    assert len(audit) == 2 and {e.actor_name for e in audit} == {"María Pérez"}
    assert session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "products", AuditEvent.action == "update")
    ).all()


def test_sold_in_person_records_a_sale_with_its_money(client, session, pieces):
    from shop.ledger.balances import balance, weaver_balance
    from shop.orders.models import Channel, Order, OrderStatus

    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    sold = client.post(
        "/taller/inventario/huipil-maria/existencias",
        data={"reason": "sold_in_person", "quantity": "1", "note": "Feria del domingo", "csrf_token": token},
        follow_redirects=False,
    )
    assert sold.status_code == 303
    fresh(session)
    order = session.scalar(select(Order))
    assert sold.headers["location"] == f"/taller/venta/{order.number}/recibo"
    assert (order.channel, order.status, order.amount_paid) == (Channel.in_person, OrderStatus.paid, 100_000)
    assert balance(session, "cash") == 100_000
    assert weaver_balance(session, pieces["maria"].id) == 80_000  # her earnings, by the default split
    assert balance(session, "fund") == 20_000
    product = session.get(Product, pieces["hers"].id)
    assert (product.stock_on_hand, product.status) == (0, ProductStatus.sold_out)
    movement = session.scalar(select(StockMovement))
    assert (movement.reason, movement.delta, movement.stock_after, movement.order_id, movement.note) == (
        "sold_in_person",
        -1,
        0,
        order.id,
        "Feria del domingo",
    )
    receipt = client.get(sold.headers["location"])
    assert receipt.status_code == 200 and order.number in receipt.text
    page = client.get("/taller/inventario/huipil-maria").text
    assert f'href="/taller/venta/{order.number}/recibo"' in page and "Feria del domingo" in page


def test_a_held_piece_cannot_be_sold_in_person_or_taken_away(client, session, pieces):
    from factories import place

    from shop.clock import to_local
    from shop.orders.models import Order

    held = place(session, [(pieces["hers"], 1)], minutes=72 * 60, name="Ana López")
    session.commit()
    token = sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    until = to_local(held.reserved_until).strftime("%d/%m/%Y %H:%M")
    page = client.get("/taller/inventario/huipil-maria").text
    assert held.number in page and "Ana López" in page
    listing = client.get("/taller/inventario").text
    assert held.number in listing
    for reason in ("sold_in_person", "damaged"):
        refused = client.post(
            "/taller/inventario/huipil-maria/existencias",
            data={"reason": reason, "quantity": "1", "note": "Feria", "csrf_token": token},
        )
        assert refused.status_code == 422
        message = error_for(refused.text, "quantity")
        assert held.number in message and "Ana López" in message and until in message
    fresh(session)
    assert session.get(Product, pieces["hers"].id).stock_on_hand == 1
    assert count(session, StockMovement) == 0
    assert session.scalar(select(func.count()).select_from(Order)) == 1  # only the online order


def test_a_member_sees_only_receipts_of_her_own_sales(client, session, pieces):
    from shop.clock import utcnow
    from shop.orders.schemas import OrderItem
    from shop.payments.offline import sell_in_person

    order = sell_in_person(
        session, items=[OrderItem(product_id=pieces["other"].id, quantity=1)], actor="Rosa", now=utcnow()
    )
    session.commit()
    sign_in(client, session, name="María Pérez", username="maria", weaver_id=pieces["maria"].id)
    assert client.get(f"/taller/venta/{order.number}/recibo").status_code == 404
