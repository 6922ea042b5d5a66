import pytest
from factories import make_category, make_product, make_weaver

from shop.catalogue.browse import ProductQuery, Sort, list_categories, list_public_products, public_weavers
from shop.errors import NotFound


@pytest.fixture
def catalogue(session):
    huipiles = make_category(session, slug="huipiles", name_es="Huipiles", name_en="Huipils")
    bolsas = make_category(session, slug="bolsas", name_es="Bolsas", name_en="Bags")
    products = {
        "rojo": make_product(
            session,
            category=huipiles,
            slug="huipil-rojo",
            title_es="Huipil rojo de rombos",
            title_en="Red diamond huipil",
            description_es="Algodón teñido con cochinilla.",
            description_en="Cotton dyed with cochineal.",
            technique_es="Telar de cintura, brocado",
            technique_en="Backstrap loom, brocade",
            price_amount=450_000,
            age_days=3,
        ),
        "azul": make_product(
            session,
            category=huipiles,
            slug="huipil-azul",
            title_es="Huipil de añil",
            title_en="Indigo huipil",
            description_es="Teñido con añil natural.",
            description_en="Dyed with natural indigo.",
            technique_es="Telar de cintura",
            technique_en="Backstrap loom",
            price_amount=380_000,
            age_days=1,
        ),
        "morral": make_product(
            session,
            category=bolsas,
            slug="morral-lana",
            title_es="Morral de lana",
            title_en="Wool shoulder bag",
            description_es="Lana de borrego de Chamula.",
            description_en="Sheep's wool from Chamula.",
            technique_es="Tejido en telar de pedal",
            technique_en="Treadle loom",
            price_amount=90_000,
            kind="series",
            stock_on_hand=4,
            age_days=2,
        ),
        "agotado": make_product(
            session,
            category=bolsas,
            slug="bolsa-agotada",
            title_es="Bolsa agotada",
            title_en="Sold bag",
            status="sold_out",
            stock_on_hand=0,
            price_amount=10_000,
            age_days=0,
        ),
        "borrador": make_product(
            session,
            category=bolsas,
            slug="bolsa-borrador",
            title_es="Bolsa en preparación",
            title_en="Draft bag huipil",
            status="draft",
        ),
    }
    session.commit()
    return products


def slugs(page) -> list[str]:
    return [p.slug for p in page.items]


def test_listing_shows_published_pieces_newest_first_with_sold_out_last(session, catalogue):
    page = list_public_products(session, ProductQuery())
    assert slugs(page) == ["huipil-azul", "morral-lana", "huipil-rojo", "bolsa-agotada"]
    assert page.total == 4


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (Sort.price_asc, ["morral-lana", "huipil-azul", "huipil-rojo", "bolsa-agotada"]),
        (Sort.price_desc, ["huipil-rojo", "huipil-azul", "morral-lana", "bolsa-agotada"]),
    ],
)
def test_listing_sorts_by_price(session, catalogue, sort, expected):
    assert slugs(list_public_products(session, ProductQuery(sort=sort))) == expected


def test_category_filter(session, catalogue):
    page = list_public_products(session, ProductQuery(category="huipiles"))
    assert set(slugs(page)) == {"huipil-rojo", "huipil-azul"}
    assert page.category.slug == "huipiles"
    with pytest.raises(NotFound):
        list_public_products(session, ProductQuery(category="nope"))


def test_pagination(session, catalogue):
    first = list_public_products(session, ProductQuery(page_size=3))
    second = list_public_products(session, ProductQuery(page_size=3, page=2))
    assert (first.pages, first.has_next, second.has_previous, second.has_next) == (2, True, True, False)
    assert slugs(first) + slugs(second) == slugs(list_public_products(session, ProductQuery()))
    with pytest.raises(NotFound):
        list_public_products(session, ProductQuery(page_size=3, page=99))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cochinilla", {"huipil-rojo"}),  # Spanish description
        ("cochineal", {"huipil-rojo"}),  # English description
        ("anil", {"huipil-azul"}),  # accents folded: añil
        ("indigo", {"huipil-azul"}),
        ("brocade", {"huipil-rojo"}),  # technique
        ("huip", {"huipil-rojo", "huipil-azul"}),  # prefix
        ("HUIPIL rombos", {"huipil-rojo"}),  # every word must match
        ("treadle", {"morral-lana"}),
        ("lana chamula", {"morral-lana"}),
        ("zzzz", set()),
        ("!!! ???", set()),  # no searchable words
        ('"; DROP TABLE products; --', set()),
    ],
)
def test_full_text_search_in_both_languages(session, catalogue, query, expected):
    assert set(slugs(list_public_products(session, ProductQuery(q=query)))) == expected


def test_search_never_finds_drafts(session, catalogue):
    assert "bolsa-borrador" not in slugs(list_public_products(session, ProductQuery(q="draft")))


def test_search_ranks_title_matches_above_description_matches(session, catalogue):
    make_product(
        session,
        slug="camino-mesa",
        title_es="Camino de mesa",
        title_en="Table runner",
        description_es="Hace juego con un huipil.",
        description_en="Matches a huipil.",
        age_days=0,
    )
    session.commit()
    page = list_public_products(session, ProductQuery(q="huipil"))
    assert page.query.effective_sort is Sort.relevance
    assert slugs(page)[-1] == "camino-mesa"


def test_search_follows_product_edits(session, catalogue):
    product = catalogue["morral"]
    product.title_en = "Shepherd's satchel"
    session.commit()
    assert slugs(list_public_products(session, ProductQuery(q="satchel"))) == ["morral-lana"]
    assert slugs(list_public_products(session, ProductQuery(q="shoulder"))) == []


def test_categories_count_only_published_pieces(session, catalogue):
    counts = {c.slug: n for c, n in list_categories(session)}
    assert counts == {"huipiles": 2, "bolsas": 2}


def test_only_consenting_weavers_are_public(session):
    shown = make_weaver(session, consent=True)
    make_weaver(session, consent=False)
    session.commit()
    assert [w.id for w in public_weavers(session)] == [shown.id]
