"""What people type finds what they mean: plurals and inflections in both languages, weavers' names (only with
their consent), a bounded count; and the index follows every way a product is written."""

import csv
import io

import pytest
import sqlalchemy as sa
from factories import make_category, make_product, make_weaver

from shop.catalogue import browse, csv_io, search
from shop.catalogue.browse import ProductQuery, Sort, list_public_products
from shop.catalogue.models import Product, ProductWeaver
from shop.catalogue.search_text import query_terms, query_words
from shop.clock import utcnow
from shop.i18n import translator


def found(session, query: str) -> set[str]:
    return {p.slug for p in list_public_products(session, ProductQuery(q=query, page_size=100)).items}


MARIAS = {"huipil-rombos", "bolsa-compartida", "huipil-vendido"}


@pytest.fixture
def rebozo(shop_data, session):
    product = make_product(
        session, slug="rebozo", title_es="Rebozo de añil", title_en="Indigo shawl", description_en="With a gift bag."
    )
    session.commit()
    return product


@pytest.mark.parametrize(
    ("plural", "singular", "expected"),
    [
        ("rebozos", "rebozo", {"rebozo"}),
        ("shawls", "shawl", {"rebozo"}),
        ("bolsas", "bolsa", {"bolsa-compartida"}),
        ("bags", "bag", {"rebozo", "morral-lana", "bolsa-compartida"}),
        ("huipiles", "huipil", {"huipil-rombos", "huipil-vendido"}),
        ("diamonds", "diamond", {"huipil-rombos"}),
        ("brocadas", "brocado", {"huipil-rombos"}),  # inflections
        ("representaba", "representan", {"huipil-rombos"}),
        ("stands", "standing", {"huipil-rombos"}),
    ],
)
def test_plurals_and_inflections_find_what_the_singular_finds(session, rebozo, plural, singular, expected):
    assert found(session, plural) == found(session, singular) == expected


def test_prefixes_and_accents_still_match(session, rebozo):
    assert found(session, "rebo") == {"rebozo"}
    assert found(session, "ANIL") == {"rebozo"}
    assert found(session, "cochinilla algodon") == {"huipil-rombos"}  # dyes are searched too


def test_words_every_language_leaves_out_find_nothing_alone_and_change_nothing_with_others(session, rebozo):
    assert found(session, "a no me") == set()
    assert found(session, "rebozo a no") == {"rebozo"}


def test_a_consenting_weavers_name_finds_her_pieces(session, shop_data):
    assert found(session, "maria") == MARIAS
    assert found(session, "María Pérez") == MARIAS
    assert found(session, "perez rombos") == {"huipil-rombos"}  # her name and the piece's text together


def test_a_weaver_who_did_not_consent_never_makes_her_pieces_findable_by_her_name(session, shop_data):
    assert found(session, "juana") == set()
    assert found(session, "Díaz Sántiz") == set()
    assert found(session, "morral") == {"morral-lana"}


def test_the_index_follows_consent_names_and_attributions(session, shop_data):
    maria, juana = shop_data["maria"], shop_data["hidden"]
    juana.consent_to_publish, juana.consent_date = True, utcnow().date()
    session.commit()
    assert found(session, "juana") == {"morral-lana", "bolsa-compartida"}
    maria.consent_to_publish, maria.consent_date = False, None
    session.commit()
    assert found(session, "maria") == set()
    juana.name = "Juana Gómez Sántiz"
    session.commit()
    assert found(session, "gomez") == {"morral-lana", "bolsa-compartida"}
    assert found(session, "diaz") == set()
    morral = shop_data["morral"]
    session.execute(sa.delete(ProductWeaver).where(ProductWeaver.product_id == morral.id))
    session.add(ProductWeaver(product_id=morral.id, weaver_id=maria.id, share_bp=10_000))
    session.commit()
    assert found(session, "juana") == {"bolsa-compartida"}


def test_bulk_writes_and_deletes_keep_the_index(session):
    """Rows written without the ORM (seeds, bulk loads) are indexed by the database's own triggers."""
    category = make_category(session)
    weaver = make_weaver(session, name="Petrona López")
    session.flush()
    now = utcnow()
    rows = [
        {
            "slug": f"bulk-{n}",
            "category_id": category.id,
            "title_es": f"Camino de mesa {n}",
            "title_en": f"Table runner {n}",
            "price_amount": 10_000,
            "kind": "unique",
            "stock_on_hand": 1,
            "status": "active",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(3)
    ]
    session.execute(sa.insert(Product), rows)
    ids = session.scalars(sa.select(Product.id).where(Product.slug.like("bulk-%"))).all()
    session.execute(
        sa.insert(ProductWeaver), [{"product_id": i, "weaver_id": weaver.id, "share_bp": 10_000} for i in ids]
    )
    session.commit()
    assert found(session, "caminos runners petrona") == {"bulk-0", "bulk-1", "bulk-2"}
    session.execute(sa.update(Product).where(Product.slug == "bulk-0").values(stock_on_hand=0, title_en="Napkin"))
    session.execute(sa.delete(Product).where(Product.slug == "bulk-1"))
    session.commit()
    assert found(session, "runners") == {"bulk-2"}
    assert found(session, "napkins") == {"bulk-0"}


def test_on_postgresql_a_written_piece_goes_straight_into_the_search_index(session):
    """No pending list that every search must read through until the next vacuum: gin_clean_pending_list
    answers how many pages it had to move, and there are none."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's full-text table has no pending list")
    category = make_category(session)
    for n in range(40):
        make_product(session, slug=f"written-{n}", category=category, title_es=f"Rebozo jaspeado número {n}")
    session.flush()
    moved = session.execute(sa.text("SELECT gin_clean_pending_list('ix_products_search_vector')")).scalar_one()
    assert moved == 0
    assert found(session, "jaspeados") >= {"written-0", "written-39"}


def test_on_postgresql_the_shops_own_stems_are_asked_for_as_prefixes(session):
    """PostgreSQL is handed the stems query_terms makes (one per word when one stem begins the other, none for a
    word both languages ignore), not asked to stem each word in both languages while it plans."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's full-text query is tested through query_terms")
    words = [terms for w in query_words("Rebozos de Andrés, a belt") if (terms := query_terms(w))]
    text = search.postgres_query(words)
    assert text == "('reboz':*) & ('de':*) & ('andr':*) & ('belt':*)"
    # As PostgreSQL reads it: every word must match, each as a beginning.
    parsed = session.execute(sa.text("SELECT CAST(:q AS tsquery)::text"), {"q": text}).scalar_one()
    assert parsed == "'reboz':* & 'de':* & 'andr':* & 'belt':*"
    both = search.postgres_query([["huipil"], ["bag", "bols"]])
    assert session.execute(sa.text("SELECT CAST(:q AS tsquery)::text"), {"q": both}).scalar_one() == (
        "'huipil':* & ( 'bag':* | 'bols':* )"
    )
    # query_words never yields them, but a quote or a backslash still could not end the lexeme early.
    odd = search.postgres_query([["o'b", "a\\b"]])
    assert session.execute(sa.text("SELECT CAST(:q AS tsquery)::text"), {"q": odd}).scalar_one() == (
        "'o''b':* | 'a\\\\b':*"
    )
    search.planned_for_its_words(session)
    assert session.execute(sa.text("SELECT current_setting('plan_cache_mode')")).scalar_one() == "force_custom_plan"


def test_imported_products_are_found_by_stem_and_weaver(session):
    make_category(session, slug="rebozos")
    make_weaver(session, slug="rosa", name="Rosa Gómez")
    session.commit()
    data = {
        "slug": "rebozo-csv",
        "category": "rebozos",
        "status": "active",
        "kind": "unique",
        "price_mxn": "2450.50",
        "stock_on_hand": "1",
        "weavers": "rosa",
        "title_es": "Rebozo jaspeado",
        "title_en": "Ikat shawl",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_io.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow(data)
    checked = csv_io.check_file(session, io.StringIO(out.getvalue()), translator("en"))
    assert checked.errors == []
    csv_io.import_rows(session, checked.rows)
    session.commit()
    assert found(session, "shawls rosa") == {"rebozo-csv"}


def test_a_search_counts_no_further_than_its_cap(session, shop_data, monkeypatch):
    monkeypatch.setattr(browse, "SEARCH_CAP", 1)
    page = list_public_products(session, ProductQuery(q="bag"))
    assert (page.total, page.more, len(page.items)) == (1, True, 2)
    page = list_public_products(session, ProductQuery(q="rombos"))
    assert (page.total, page.more) == (1, False)
    everything = list_public_products(session, ProductQuery())
    assert (everything.total, everything.more) == (4, False)  # only searches are capped


def test_a_capped_search_still_sorts_its_first_matches_by_price(session, monkeypatch):
    category = make_category(session)
    for n, price in enumerate((30_000, 10_000, 20_000)):
        make_product(session, category=category, slug=f"huipil-{n}", title_es="Huipil", price_amount=price, age_days=n)
    session.commit()
    monkeypatch.setattr(browse, "SEARCH_CAP", 10)
    query = ProductQuery(q="huipiles", sort=browse.Sort.price_asc)
    assert [p.slug for p in list_public_products(session, query).items] == ["huipil-1", "huipil-2", "huipil-0"]
    # The statement the pages and the API run, which ranks nothing in this order.
    page = browse.public_product_rows(session, query, browse.list_categories(session))
    by_id = {p.id: p.slug for p in session.scalars(sa.select(Product))}
    assert [by_id[product_id] for product_id, _ in page.items] == ["huipil-1", "huipil-2", "huipil-0"]
    newest = browse.public_product_rows(session, ProductQuery(q="huipiles", sort=Sort.newest), [])
    assert [by_id[product_id] for product_id, _ in newest.items] == ["huipil-0", "huipil-1", "huipil-2"]


def test_the_weaver_column_of_the_index_never_holds_a_private_name(session, engine, shop_data):
    if engine.dialect.name == "postgresql":
        names = session.scalars(sa.text("SELECT weaver_names FROM products")).all()
    else:
        names = session.scalars(sa.text("SELECT weavers FROM products_fts")).all()
    assert any("hern" in name.lower() for name in names)
    assert not any("juan" in name.lower() for name in names)


def test_the_listing_and_the_api_say_when_a_search_found_more_than_it_counted(client, shop_data, monkeypatch):
    monkeypatch.setattr(browse, "SEARCH_CAP", 1)
    assert "1+ pieces" in client.get("/en/products?q=bags").text
    assert "1+ piezas" in client.get("/es/products?q=bags").text
    assert "1 pieza<" in client.get("/es/products?q=rombos").text
    capped = client.get("/api/v1/products", params={"q": "bags"}).json()
    assert (capped["total"], capped["more"], len(capped["items"])) == (1, True, 2)
    assert client.get("/api/v1/products", params={"q": "rombos"}).json()["more"] is False


@pytest.mark.parametrize(
    ("word", "stems"),
    [
        ("rebozos", ["reboz"]),  # and not also "rebozo", which "reboz" finds already
        ("telar", ["tel"]),  # the Spanish stem is the shorter one
        ("andres", ["andr"]),  # the English one
        ("belt", ["belt"]),
        ("de", ["de"]),  # a Spanish stop word, searched in English
        ("a", []),  # a stop word in both
    ],
)
def test_a_word_whose_stems_begin_alike_is_asked_for_once_on_sqlite_too(word, stems):
    """FTS5 would walk the pieces holding "reboz" twice, and rank the word twice, as PostgreSQL did."""
    assert query_terms(word) == stems


def test_only_a_search_in_order_of_relevance_ranks_its_matches():
    """Ranking is a third to a half of a common word's search; sorted by price or date, nothing reads it."""
    for dialect, ranks in (("sqlite", "bm25("), ("postgresql", "ts_rank(")):
        by_price = search.search_page(
            dialect, False, browse.SORTED_BY[Sort.price_asc], browse.SORTED_BY[Sort.price_asc]
        )
        by_relevance = search.search_page(
            dialect, False, browse.SORTED_BY[Sort.newest], browse.SORTED_BY[Sort.relevance]
        )
        assert ranks not in str(by_price)
        assert ranks in str(by_relevance)


def test_merging_sqlite_index_drops_rewritten_entries_and_keeps_every_match(session, engine):
    """Each write adds a segment to FTS5's index and a rewrite leaves the old entries in it; a common word is
    then read from every segment. The shop merges them as it starts."""
    if engine.dialect.name != "sqlite":
        search.merge_index(engine)  # nothing to merge: GIN has no segments
        pytest.skip("PostgreSQL's GIN index has no segments")
    category = make_category(session)
    for n in range(6):
        make_product(session, slug=f"camino-{n}", category=category, title_es=f"Camino de mesa {n}")
        session.commit()
    session.execute(sa.update(Product).where(Product.slug.like("camino-%")).values(title_en="Table runner"))
    session.commit()
    segments = sa.text(f"SELECT count(DISTINCT segid) FROM {search.FTS_TABLE}_idx")
    assert session.scalar(segments) > 1
    session.rollback()  # the check above began a read, which would still see the index before the merge
    search.merge_index(engine)
    assert session.scalar(segments) == 1
    assert found(session, "caminos runners") == {f"camino-{n}" for n in range(6)}
