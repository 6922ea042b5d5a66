import pytest
from factories import make_category, make_product, make_weaver, message_of
from pydantic import ValidationError
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from shop.catalogue import service
from shop.catalogue.models import ProductKind, ProductWeaver
from shop.catalogue.schemas import ProductCreate, ProductUpdate
from shop.errors import Conflict, ValidationFailed


def product_data(category, weavers, **overrides) -> dict:
    return {
        "slug": "rebozo-anil",
        "category_id": category.id,
        "title_es": "Rebozo de añil",
        "title_en": "Indigo rebozo",
        "price_amount": 250_000,
        "kind": "unique",
        "stock_on_hand": 1,
        "weavers": [{"weaver_id": w.id, "share_bp": share} for w, share in weavers],
        **overrides,
    }


def messages(exc: ValidationFailed) -> list[str]:
    return [message_of(e) for e in (exc.errors or [exc])]


def test_product_is_created_with_shared_attribution(session):
    category = make_category(session)
    maria, petrona = make_weaver(session), make_weaver(session)
    product = service.create_product(session, ProductCreate(**product_data(category, [(maria, 6000), (petrona, 4000)])))
    session.commit()
    shares = session.execute(
        select(ProductWeaver.weaver_id, ProductWeaver.share_bp).where(ProductWeaver.product_id == product.id)
    ).all()
    assert sorted(shares) == sorted([(maria.id, 6000), (petrona.id, 4000)])
    assert product.created_at.tzinfo is not None


@pytest.mark.parametrize("shares", [(6000, 3999), (6000, 4001), (5000,)])
def test_shares_must_add_up_to_exactly_one_hundred_percent(session, shares):
    category = make_category(session)
    weavers = [(make_weaver(session), share) for share in shares]
    with pytest.raises(ValidationFailed) as caught:
        service.create_product(session, ProductCreate(**product_data(category, weavers)))
    assert caught.value.field == "weavers"
    total = sum(shares) / 100
    assert f"they add up to {total:g}%" in messages(caught.value)[0]


def test_a_weaver_cannot_be_listed_twice_on_one_piece(session):
    category, maria = make_category(session), make_weaver(session)
    with pytest.raises(ValidationFailed) as caught:
        service.create_product(session, ProductCreate(**product_data(category, [(maria, 5000), (maria, 5000)])))
    assert "only once" in messages(caught.value)[0]


def test_every_broken_rule_is_reported_at_once(session):
    maria = make_weaver(session)
    data = product_data(make_category(session), [(maria, 9000)], kind="unique", stock_on_hand=2, lead_time_days=10)
    with pytest.raises(ValidationFailed) as caught:
        service.create_product(session, ProductCreate(**data))
    fields = {e.field for e in caught.value.errors}
    assert fields == {"weavers", "stock_on_hand", "lead_time_days"}


def test_made_to_order_needs_lead_time_and_deposit(session):
    category, maria = make_category(session), make_weaver(session)
    data = product_data(category, [(maria, 10_000)], kind="made_to_order", stock_on_hand=0)
    with pytest.raises(ValidationFailed) as caught:
        service.create_product(session, ProductCreate(**data))
    assert {e.field for e in caught.value.errors} == {"lead_time_days", "deposit_bp"}
    data.update(lead_time_days=30, deposit_bp=5000)
    assert service.create_product(session, ProductCreate(**data)).kind is ProductKind.made_to_order


def test_unknown_category_and_weaver_are_refused(session):
    maria = make_weaver(session)
    data = product_data(make_category(session), [(maria, 10_000)])
    data["category_id"] = 999_999
    data["weavers"] = [{"weaver_id": 999_999, "share_bp": 10_000}]
    with pytest.raises(ValidationFailed) as caught:
        service.create_product(session, ProductCreate(**data))
    assert {e.field for e in caught.value.errors} == {"category_id", "weavers"}


def test_slug_must_be_unique_and_well_formed(session):
    category, maria = make_category(session), make_weaver(session)
    service.create_product(session, ProductCreate(**product_data(category, [(maria, 10_000)])))
    with pytest.raises(Conflict) as caught:
        service.create_product(session, ProductCreate(**product_data(category, [(maria, 10_000)])))
    assert caught.value.field == "slug"
    with pytest.raises(ValidationError):
        ProductCreate(**product_data(category, [(maria, 10_000)], slug="Rebozo Añil"))


def test_update_replaces_fields_and_attributions(session):
    maria, petrona = make_weaver(session), make_weaver(session)
    product = make_product(session, weavers=[(maria, 10_000)])
    before = product.updated_at
    data = ProductUpdate(
        **{
            k: v
            for k, v in product_data(make_category(session), [(petrona, 7000), (maria, 3000)]).items()
            if k != "slug"
        }
    )
    service.update_product(session, product, data)
    session.commit()
    shares = dict(
        session.execute(
            select(ProductWeaver.weaver_id, ProductWeaver.share_bp).where(ProductWeaver.product_id == product.id)
        ).all()
    )
    assert shares == {petrona.id: 7000, maria.id: 3000}
    assert product.title_en == "Indigo rebozo"
    assert product.updated_at >= before


def test_update_checks_the_same_rules(session):
    maria = make_weaver(session)
    product = make_product(session, weavers=[(maria, 10_000)])
    fields = {k: v for k, v in product_data(make_category(session), [(maria, 8000)]).items() if k != "slug"}
    with pytest.raises(ValidationFailed):
        service.update_product(session, product, ProductUpdate(**fields))


def test_consent_needs_a_date(session):
    from shop.catalogue.schemas import WeaverCreate

    with pytest.raises(ValidationFailed) as caught:
        service.create_weaver(
            session,
            WeaverCreate(slug="x", name="X", community="Apas", municipio="Zinacantán", consent_to_publish=True),
        )
    assert caught.value.field == "consent_date"


def test_database_refuses_a_second_unit_of_a_unique_piece(session):
    product = make_product(session)
    session.commit()
    with pytest.raises(IntegrityError):
        session.execute(text("UPDATE products SET stock_on_hand = 2 WHERE id = :id"), {"id": product.id})
    session.rollback()


def test_database_refuses_negative_stock_and_bad_status(session):
    product = make_product(session, kind="series", stock_on_hand=3)
    session.commit()
    for statement in (
        "UPDATE products SET stock_on_hand = -1 WHERE id = :id",
        "UPDATE products SET status = 'lost' WHERE id = :id",
    ):
        with pytest.raises(IntegrityError):
            session.execute(text(statement), {"id": product.id})
        session.rollback()
