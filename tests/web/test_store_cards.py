"""With the page cache off, store pages reuse product cards rendered once per catalogue revision and day, and
stay exactly as true as a fresh render: a change, a hold, its end by the clock and the next day all show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import make_product, place
from fastapi.testclient import TestClient

from shop.catalogue import stock
from shop.clock import utcnow
from shop.main import create_app
from shop.web.store import pages


@pytest.fixture
def uncached(settings):
    """The shop with its page cache off, as for every first visit after a change."""
    settings.page_cache_bytes = 0
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    app.state.engine.dispose()


def statements(client: TestClient, path: str) -> tuple[int, str]:
    """How many SQL statements a page runs, and its HTML."""
    counted = []
    engine = client.app.state.engine

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            counted.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    # Form tokens are masked anew for every answer (shop.web.browser.csrf_token): compare pages without them.
    return len(counted), re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token"', response.text)


def test_a_listing_renders_its_cards_once_then_runs_at_most_one_statement(uncached, shop_data):
    first, page = statements(uncached, "/en/products")
    again, same = statements(uncached, "/en/products")
    # At most the revision: the page's pieces, their cards, the categories and the holds in force are kept.
    assert again <= 1 < first, again
    assert same == page and "Diamond huipil" in same
    assert uncached.app.state.revision_store.parts_kept  # kept


def test_a_change_to_a_piece_shows_on_the_next_page(uncached, session, shop_data):
    uncached.get("/en/products")
    shop_data["huipil"].title_en = "Universe huipil"
    session.commit()
    page = uncached.get("/en/products").text
    assert "Universe huipil" in page and "Diamond huipil" not in page


def test_a_new_piece_and_its_category_count_show_on_the_next_page(uncached, session, shop_data):
    before = uncached.get("/en/products").text
    make_product(session, category=shop_data["bolsas"], slug="nueva", title_en="Brand new bag")
    session.commit()
    after = uncached.get("/en/products").text
    assert "Brand new bag" not in before and "Brand new bag" in after
    count = uncached.get("/en/products?category=bolsas").text
    assert "Brand new bag" in count


def test_a_hold_shows_and_its_end_by_the_clock_shows_without_any_change(uncached, session, shop_data, monkeypatch):
    available = uncached.get("/en/products").text
    assert "On hold" not in available
    place(session, [(shop_data["huipil"], 1)], minutes=30)
    session.commit()
    held = uncached.get("/en/products").text
    assert "On hold" in held and "On hold" in uncached.get("/en/products/huipil-rombos").text
    # The hold ends by the clock: no row changes then, so the revision does not move either.
    revision = uncached.app.state.revision_store.stamp
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(pages, "utcnow", lambda: later)
    assert uncached.get("/en/products").text == available
    assert "On hold" not in uncached.get("/en/products/huipil-rombos").text
    assert uncached.app.state.revision_store.stamp == revision


def reading(client: TestClient, path: str, table: str) -> list[str]:
    """The statements a page runs that read ``table``."""
    counted = []

    def count(_conn, _cursor, statement, *_args):
        if f"FROM {table}" in statement:
            counted.append(statement)

    sa.event.listen(client.app.state.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(client.app.state.engine, "before_cursor_execute", count)
    return counted


def held_statements(client: TestClient, path: str) -> list[str]:
    return reading(client, path, "stock_reservations")


def test_the_holds_in_force_are_read_once_per_revision_for_every_page(uncached, session, shop_data):
    place(session, [(shop_data["huipil"], 1)], minutes=30)
    session.commit()
    assert len(held_statements(uncached, "/en/products")) == 1
    for path in ("/en/products", "/en/products/huipil-rombos", "/en/", "/api/v1/products", "/en/products?q=huipil"):
        assert held_statements(uncached, path) == [], path
    assert "On hold" in uncached.get("/en/products/huipil-rombos").text
    # A new hold is a change: the next page reads them again, and shows it.
    place(session, [(shop_data["morral"], 3)], minutes=30)
    session.commit()
    assert len(held_statements(uncached, "/en/products/morral-lana")) == 1
    assert "On hold" in uncached.get("/en/products/morral-lana").text


def test_with_more_holds_than_are_kept_each_page_reads_its_own_pieces_holds(uncached, session, shop_data, monkeypatch):
    monkeypatch.setattr(stock, "HOLDS_KEPT", 1)
    place(session, [(shop_data["huipil"], 1)], minutes=30)
    place(session, [(shop_data["morral"], 3)], minutes=30)
    session.commit()
    uncached.get("/en/products")
    assert uncached.app.state.revision_store.facts["holds in force"] is None  # more than are kept
    assert len(held_statements(uncached, "/en/products")) == 1  # its own pieces'
    assert "On hold" in uncached.get("/en/products/huipil-rombos").text
    assert "On hold" in uncached.get("/en/products/morral-lana").text
    held = {i["slug"]: i["availability"]["state"] for i in uncached.get("/api/v1/products").json()["items"]}
    assert held["huipil-rombos"] == held["morral-lana"] == "on_hold"


def test_each_language_has_its_own_cards(uncached, shop_data):
    english = uncached.get("/en/products").text
    spanish = uncached.get("/es/products").text
    assert "Diamond huipil" in english and "Diamond huipil" not in spanish
    assert shop_data["huipil"].title_es in spanish


def test_the_next_day_renders_the_cards_again(uncached, shop_data):
    """A fair-trade claim holds from one day to another with no row changing: cards are kept for one day."""
    uncached.get("/en/products")
    kept = uncached.app.state.revision_store.stamp
    tomorrow = kept[1] + timedelta(days=1)
    uncached.app.state.page_cache.today = lambda: tomorrow
    uncached.get("/en/products")
    assert uncached.app.state.revision_store.stamp == (kept[0], tomorrow)


def test_a_full_card_cache_still_serves_every_card(settings, shop_data):
    settings.page_cache_bytes = 0
    settings.card_cache_bytes = 10  # smaller than any card
    app = create_app(settings)
    with TestClient(app) as client:
        page = client.get("/en/products").text
        assert "Diamond huipil" in page and client.get("/en/products").text == page
        assert app.state.revision_store.parts_kept == {} and app.state.revision_store.size == 0
    app.state.engine.dispose()


def test_a_product_page_keeps_the_piece_and_its_related_cards_then_runs_one_statement(uncached, shop_data):
    first, page = statements(uncached, "/en/products/huipil-rombos")
    again, same = statements(uncached, "/en/products/huipil-rombos")
    assert again <= 1 < first, again  # the revision: the piece, its related pieces and the holds in force are kept
    assert same == page


def test_a_new_shipping_rate_shows_on_the_next_product_page(uncached, session, shop_data):
    from shop.orders.models import ShippingRate, ShippingZone

    assert "To United States: MX$450" in uncached.get("/en/products/huipil-rombos").text
    zone = session.scalar(sa.select(ShippingZone).where(ShippingZone.countries.contains("US")))
    for rate in session.scalars(sa.select(ShippingRate).where(ShippingRate.zone_id == zone.id)):
        rate.amount += 5_000
    session.commit()
    assert "To United States: MX$500" in uncached.get("/en/products/huipil-rombos").text


def test_a_related_piece_changed_shows_on_the_next_product_page(uncached, session, shop_data):
    related = make_product(session, category=shop_data["huipiles"], slug="otro", title_en="Another huipil")
    session.commit()
    assert "Another huipil" in uncached.get("/en/products/huipil-rombos").text
    related.title_en = "Renamed huipil"
    session.commit()
    page = uncached.get("/en/products/huipil-rombos").text
    assert "Renamed huipil" in page and "Another huipil" not in page


def test_the_api_list_keeps_its_items_and_answers_what_it_always_did(uncached, session, shop_data):
    from shop.catalogue.schemas import ProductPageRead

    first, _ = statements(uncached, "/api/v1/products?page_size=1")
    again, _ = statements(uncached, "/api/v1/products?page_size=1")
    assert again <= 1 < first, again
    answer = uncached.get("/api/v1/products?page_size=1")
    assert answer.headers["content-type"] == "application/json"
    page = ProductPageRead.model_validate(answer.json())  # the documented shape, field for field
    assert page.total == page.pages == 4 and page.next.endswith("page_size=1&page=2")
    assert [item.slug for item in page.items] == [uncached.get("/api/v1/products").json()["items"][0]["slug"]]
    place(session, [(shop_data["huipil"], 1)], minutes=30)
    session.commit()
    held = {i["slug"]: i["availability"]["state"] for i in uncached.get("/api/v1/products").json()["items"]}
    assert held["huipil-rombos"] == "on_hold"


def test_a_page_that_fails_after_reading_the_kept_facts_leaves_them_whole(uncached, shop_data):
    """An error page rolls its session back, which would expire every object it loaded: kept facts are read in a
    session of their own, so the next visitor still gets the categories (and the API its items)."""
    assert uncached.get("/en/products?category=nothing-here").status_code == 404
    assert uncached.get("/api/v1/products?category=nothing-here").status_code == 404
    assert uncached.get("/en/products").status_code == 200
    assert uncached.get("/api/v1/products").status_code == 200
    assert uncached.get("/en/products?category=bolsas").status_code == 200


def test_a_product_page_renders_its_own_parts_once_for_everyone_who_sees_the_same(uncached, shop_data):
    from workspace_helpers import csrf_of

    page = uncached.get("/en/products/huipil-rombos").text
    kept = [key for key in uncached.app.state.revision_store.parts_kept if key[0].startswith("product-")]
    assert sorted(key[0] for key in kept) == ["product-head", "product-main"]
    # The form token is the visitor's own, filled in as the page is sent, and it works.
    assert "__SHOP_CSRF__" not in page
    answer = uncached.post(
        "/en/cart/add",
        data={"product_id": shop_data["huipil"].id, "quantity": 1, "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    _, again = statements(uncached, "/en/products/huipil-rombos")
    assert '<span class="count">1</span>' in again  # her cart's count, although the parts are shared


def test_a_product_page_follows_a_hold_its_end_and_the_country_it_ships_to(uncached, session, shop_data, monkeypatch):
    from shop.web.browser import SHIP_TO_COOKIE

    path = "/en/products/huipil-rombos"
    _, available = statements(uncached, path)
    assert "Add to cart" in available and "To United States: MX$450" in available
    assert '"availability":"https://schema.org/InStock"' in available
    place(session, [(shop_data["huipil"], 1)], minutes=30)
    session.commit()
    _, held = statements(uncached, path)
    assert "Someone is paying for this piece right now. If they have not finished by" in held
    assert "Add to cart" not in held and '"availability":"https://schema.org/InStock"' not in held
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(pages, "utcnow", lambda: later)
    assert statements(uncached, path)[1] == available  # the hold ended by the clock: no row changed
    uncached.cookies.set(SHIP_TO_COOKIE, "FR")
    assert "To France: MX$650" in uncached.get(path).text
    uncached.cookies.delete(SHIP_TO_COOKIE)
    assert statements(uncached, path)[1] == available


def test_kept_facts_are_bounded_and_the_last_asked_for_stay(settings, shop_data):
    """A crawler walking every piece must not make a worker hold the whole catalogue's pieces."""
    settings.page_cache_bytes = 0
    app = create_app(settings)
    store = app.state.revision_store
    store.max_facts = 3
    asked = []
    remember = store.remember

    def asking(request, session, key, compute):
        asked.append(key)
        return remember(request, session, key, compute)

    store.remember = asking
    with TestClient(app) as client:
        for slug in ("huipil-rombos", "morral-lana", "huipil-rombos"):
            assert client.get(f"/en/products/{slug}").status_code == 200
        last_three = list(dict.fromkeys(reversed(asked)))[:3][::-1]
        assert list(store.facts) == last_three  # the three asked for last, in the order they were last asked
        assert ("product", "morral-lana") not in store.facts and len(set(asked)) > 3
    app.state.engine.dispose()


def test_the_front_page_keeps_its_cards_and_facts_then_runs_at_most_one_statement(uncached, session, shop_data):
    first, page = statements(uncached, "/en/")
    again, same = statements(uncached, "/en/")
    assert again <= 1 < first, again  # at most the revision: the newest pieces and the holds in force are kept
    assert same == page and "Diamond huipil" in same
    make_product(session, category=shop_data["bolsas"], slug="recien", title_en="Just woven bag")
    session.commit()
    assert "Just woven bag" in uncached.get("/en/").text


def rows_statements(client: TestClient, path: str) -> int:
    return len(reading(client, path, "products"))


def test_a_listing_page_is_kept_for_the_revision_whatever_address_asks_for_it(uncached, session, shop_data):
    """A campaign's tracking parameters make a new address for the page cache, not a new query."""
    assert rows_statements(uncached, "/en/products?category=bolsas") >= 1
    assert rows_statements(uncached, "/en/products?category=bolsas&utm_source=newsletter") == 0
    assert rows_statements(uncached, "/api/v1/products?category=bolsas&page_size=24") >= 1
    assert rows_statements(uncached, "/api/v1/products?category=bolsas&page_size=24&fbclid=x") == 0
    assert rows_statements(uncached, "/en/products?category=bolsas&sort=price_asc") >= 1  # another page
    make_product(session, category=shop_data["bolsas"], slug="nueva", title_en="Brand new bag")
    session.commit()
    assert "Brand new bag" in uncached.get("/en/products?category=bolsas&utm_source=newsletter").text


def test_a_search_asks_the_database_every_time(uncached, shop_data):
    """A search's words are too many to keep: each one is asked for."""
    assert rows_statements(uncached, "/en/products?q=huipil") >= 1
    assert rows_statements(uncached, "/en/products?q=huipil") >= 1
