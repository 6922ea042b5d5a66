import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest

from shop.api.http.urls import static_url


class Page(HTMLParser):
    """Just enough HTML parsing to assert on tags and attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script = attributes

    def handle_data(self, data):
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None

    def find(self, tag, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def meta(self, prop: str) -> list[str]:
        return [a["content"] for a in self.find("meta", property=prop)]


def test_home_shows_categories_new_pieces_and_consenting_weavers(client, shop_data):
    html = client.get("/es/").text
    assert "Huipil de rombos" in html
    assert "María Pérez Hernández" in html
    assert "Juana Díaz Sántiz" not in html
    assert "borrador" not in html


def test_listing_filters_sorts_and_paginates(client, shop_data, settings):
    settings.page_size = 2
    first = client.get("/en/products?sort=price_asc")
    assert first.status_code == 200
    titles = re.findall(r'<span class="title">([^<]+)</span>', first.text)
    assert titles == ["Wool bag", "Two-hands bag"]
    assert "Page 1 of 2" in first.text
    page = Page(first.text)
    assert page.find("a", rel="next")[0]["href"] == "/en/products?sort=price_asc&page=2"
    second = client.get("/en/products?sort=price_asc&page=2")
    assert re.findall(r'<span class="title">([^<]+)</span>', second.text) == ["Diamond huipil", "Sold huipil"]
    bags = client.get("/en/products?category=bolsas").text
    assert "Wool bag" in bags and "Diamond huipil" not in bags


def test_listing_search_uses_both_languages(client, shop_data):
    assert "Diamond huipil" in client.get("/en/products?q=universo").text
    assert "Huipil de rombos" in client.get("/es/products?q=universe").text
    nothing = client.get("/es/products?q=qwerty")
    assert nothing.status_code == 200
    assert "No encontramos nada para “qwerty”" in nothing.text
    assert '<meta name="robots" content="noindex, follow">' in nothing.text


def test_product_page_shows_everything_a_buyer_needs(client, shop_data):
    response = client.get("/en/products/huipil-rombos")
    html = response.text
    assert response.status_code == 200
    assert "MX$6,500" in html
    assert "About $357 USD (exchange rate of 27 Nov 2026)" in html
    assert "One of a kind" in html
    assert "Backstrap loom, brocade" in html and "Cochineal" in html
    assert "72 × 60.5 cm" in html and "480 g" in html
    assert "About 160 hours at the loom" in html
    assert "She learned to weave from her mother." in html
    page = Page(html)
    gallery = [img for img in page.find("img") if img.get("alt") == "Red huipil, front view"]
    assert len(gallery) == 2
    sources = [s["srcset"] for s in page.find("source", type="image/avif")[:2]]
    assert [w for w in ("480w", "640w", "720w", "960w", "1280w") if w in sources[0]] == [
        "480w",
        "640w",
        "720w",
        "960w",
        "1280w",
    ]
    assert [w for w in ("480w", "640w", "720w", "960w", "1280w") if w in sources[1]] == ["480w", "640w"]
    assert "loading" not in gallery[0] and gallery[1]["loading"] == "lazy"


def test_product_page_in_spanish(client, shop_data):
    html = client.get("/es/products/morral-lana").text
    assert "$850 MXN" in html
    assert "Quedan 3" in html
    assert "Tejido por una integrante de J'pas Joloviletik" in unescape(html)
    assert "Juana" not in html


def test_made_to_order_shows_lead_time_and_deposit(client, shop_data):
    html = unescape(client.get("/en/products/bolsa-compartida").text)
    assert "Made to order in 21 days" in html
    assert "50% deposit (MX$600) when you order" in html
    assert "Woven by María Pérez Hernández and another member of J'pas Joloviletik" in html
    assert "Juana" not in html


def test_sold_out_pieces_stay_visible_but_say_so(client, shop_data):
    assert "Sold out" in client.get("/en/products/huipil-vendido").text


def test_drafts_and_unknown_products_are_not_found(client, shop_data):
    for url in ("/en/products/borrador", "/en/products/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404
        assert "We could not find that piece" in response.text
    assert "No encontramos esa pieza" in client.get("/es/products/borrador").text


def test_product_json_ld_and_open_graph(client, shop_data):
    html = client.get("/en/products/huipil-rombos").text
    page = Page(html)
    data = json.loads(next(text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"))
    assert data["@type"] == "Product"
    assert data["name"] == "Diamond huipil"
    assert data["offers"]["price"] == "6500.00"
    assert data["offers"]["priceCurrency"] == "MXN"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert len(data["image"]) == 2 and data["image"][0].startswith("http://testserver/media/")
    assert page.meta("og:type") == ["product"]
    assert page.meta("og:title") == ["Diamond huipil"]
    assert page.meta("og:url") == ["http://testserver/en/products/huipil-rombos"]
    assert page.meta("product:price:amount") == ["6500.00"]


def test_json_ld_cannot_be_broken_out_of(client, session, shop_data):
    shop_data["huipil"].description_en = "</script><script>alert(1)</script>"
    session.commit()
    html = client.get("/en/products/huipil-rombos").text
    assert "<script>alert(1)" not in html


def test_canonical_and_hreflang(client, shop_data):
    page = Page(client.get("/es/products/huipil-rombos").text)
    assert page.find("link", rel="canonical")[0]["href"] == "http://testserver/es/products/huipil-rombos"
    alternates = {a["hreflang"]: a["href"] for a in page.find("link", rel="alternate")}
    assert alternates == {
        "es": "http://testserver/es/products/huipil-rombos",
        "en": "http://testserver/en/products/huipil-rombos",
        "x-default": "http://testserver/products/huipil-rombos",
    }
    listing = Page(client.get("/en/products?category=bolsas&sort=price_desc").text)
    assert listing.find("link", rel="canonical")[0]["href"] == "http://testserver/en/products?category=bolsas"


@pytest.mark.parametrize(
    ("headers", "cookies", "expected"),
    [
        ({"Accept-Language": "en-GB,en;q=0.9"}, {}, "/en/products/huipil-rombos"),
        ({"Accept-Language": "es-MX"}, {}, "/es/products/huipil-rombos"),
        ({"Accept-Language": "fr-FR"}, {}, "/es/products/huipil-rombos"),
        ({"Accept-Language": "es-MX"}, {"lang": "en"}, "/en/products/huipil-rombos"),
    ],
)
def test_stable_urls_redirect_to_the_buyers_language(client, shop_data, headers, cookies, expected):
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    response = client.get("/products/huipil-rombos", headers=headers, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == expected
    assert "Accept-Language" in response.headers["vary"]


def test_stable_listing_url_keeps_its_query(client, shop_data):
    response = client.get("/products?category=bolsas&page=1", headers={"Accept-Language": "en"}, follow_redirects=False)
    assert response.headers["location"] == "/en/products?category=bolsas&page=1"
    assert client.get("/products", headers={"Accept-Language": "en"}).status_code == 200


def test_language_switch_keeps_the_page_and_is_remembered(client, shop_data):
    page = Page(client.get("/es/products?category=bolsas").text)
    switch = page.find("a", hreflang="en", lang="en")[0]["href"]
    response = client.get(switch, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/en/products?category=bolsas"
    assert "HttpOnly" in response.headers["set-cookie"] and "lang=en" in response.headers["set-cookie"]
    assert client.get("/", follow_redirects=False).headers["location"] == "/en/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"]
)
def test_language_switch_never_leaves_the_site(client, target):
    response = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert response.headers["location"] in ("/en/", "/en")


def test_weaver_pages_only_with_consent(client, shop_data):
    page = client.get("/en/weavers/maria-perez")
    assert page.status_code == 200
    assert "She learned to weave from her mother." in page.text
    assert "Speaks Tzotzil and Spanish" in page.text
    assert "Diamond huipil" in page.text
    assert client.get("/en/weavers/juana-diaz").status_code == 404
    assert "Juana" not in client.get("/en/weavers").text


def test_bad_query_parameters_get_a_clear_page_in_the_buyers_language(client, shop_data):
    response = client.get("/es/products?page=abc")
    assert response.status_code == 400
    assert "Escribe un número entero" in response.text
    response = client.get("/en/products?sort=cheapest")
    assert response.status_code == 400
    assert "Choose one of" in response.text
    assert client.get("/en/products?category=nope").status_code == 404
    assert client.get("/en/products?q=" + "x" * 201).status_code == 400


def test_unknown_pages_are_404_in_the_right_language(client):
    response = client.get("/es/nada-aqui")
    assert response.status_code == 404
    assert "No encontramos esa página" in response.text
    assert client.get("/fr/products").status_code == 404


def test_sitemap_lists_public_pages_in_both_languages(client, shop_data):
    response = client.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    body = response.text
    assert "<loc>http://testserver/es/products/huipil-rombos</loc>" in body
    assert "<loc>http://testserver/en/products/huipil-rombos</loc>" in body
    assert 'hreflang="x-default" href="http://testserver/products/huipil-rombos"' in body
    assert "borrador" not in body
    assert "http://testserver/en/weavers/maria-perez" in body and "juana" not in body


def test_robots_points_at_the_sitemap(client):
    body = client.get("/robots.txt").text
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /api/" in body


def test_pages_work_without_javascript(client, shop_data):
    for url in (
        "/es/",
        "/es/products",
        "/es/products/huipil-rombos",
        "/es/weavers",
        "/es/weavers/maria-perez",
    ):
        page = Page(client.get(url).text)
        assert [a for a in page.find("script") if a.get("type") != "application/ld+json"] == [], url


def test_a_full_listing_page_weighs_at_most_40_kb_with_its_css(client, session, shop_data, media_dir):
    from factories import make_image, make_product

    from shop.catalogue import service

    photo = make_image(session, media_dir, width=1280, height=1600)
    for n in range(30):
        product = make_product(
            session,
            category=shop_data["huipiles"],
            weavers=[(shop_data["maria"], 10_000)],
            slug=f"huipil-ceremonial-de-magdalenas-con-rombos-{n}",
            title_es=f"Huipil ceremonial de Magdalenas con rombos y grecas, número {n}",
            kind="series",
            stock_on_hand=3,
        )
        service.add_product_image(session, product, photo, alt_es="Huipil rojo con rombos, vista frontal")
    session.commit()
    response = client.get("/es/products")
    assert response.text.count('class="card"') == 24
    css = client.get(static_url("css/store.css")).content
    assert len(response.content) + len(css) <= 40 * 1024


def test_security_headers(client, shop_data):
    headers = client.get("/es/").headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]


def test_static_and_media_are_cached_by_content(client, shop_data):
    css = client.get(static_url("css/store.css"))
    assert "immutable" in css.headers["cache-control"]
    page = Page(client.get("/en/products/huipil-rombos").text)
    image = client.get(page.find("img", alt="Red huipil, front view")[0]["src"])
    assert image.headers["content-type"] == "image/webp"
    assert "immutable" in image.headers["cache-control"]


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    from fastapi.testclient import TestClient

    from shop.config import Settings
    from shop.main import create_app

    # Nothing listens on port 1, so every connection is refused at once.
    broken = Settings(
        database_url="postgresql+psycopg://shop@127.0.0.1:1/shop",
        media_dir=tmp_path / "media",
        secret_key="k",
    )
    with TestClient(create_app(broken)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.parametrize(
    "url",
    [
        "/es/products/%00",
        "/en/products/a%00b",
        "/es/weavers/%00",
        "/api/v1/products/%00",
        "/api/v1/weavers/a%00b",
        "/en/products/" + "a" * 300,
        "/en/products/UPPER",
    ],
)
def test_impossible_slugs_are_simply_not_found(client, shop_data, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/es/products?q=%00", "/es/products?q=a%00b", "/api/v1/products?q=%00huipil"])
def test_nul_bytes_in_search_do_not_break_it(client, shop_data, url):
    assert client.get(url).status_code == 200


def test_a_page_past_the_last_is_not_found(client, shop_data):
    response = client.get("/en/products?page=9")
    assert response.status_code == 404
    assert "There is no page 9 here." in response.text


def test_originals_stay_private_and_thumbnails_carry_no_gps(client, session, shop_data, settings):
    import io

    from factories import LIMITS, make_product
    from PIL import Image as PILImage

    from shop.catalogue import service
    from shop.catalogue.images import original_name, save_image

    exif = PILImage.Exif()
    exif[0x8825] = {1: "N", 2: (16.0, 44.0, 10.0), 3: "W", 4: (92.0, 38.0, 5.0)}
    raw = io.BytesIO()
    PILImage.new("RGB", (900, 900), (120, 40, 60)).save(raw, "JPEG", exif=exif)
    image = save_image(session, raw.getvalue(), client.app.state.files, LIMITS)
    service.add_product_image(session, make_product(session, slug="con-gps"), image)
    session.commit()
    kept = settings.media_dir / "originals" / original_name(image)
    assert kept.read_bytes() == raw.getvalue()  # kept, privately

    shown = {img["src"] for img in Page(client.get("/en/products/con-gps").text).find("img")}
    assert f"/media/{image.key}-640.webp" in shown
    thumb = client.get(f"/media/{image.key}-640.webp")
    assert thumb.status_code == 200
    with PILImage.open(io.BytesIO(thumb.content)) as opened:
        assert dict(opened.getexif()) == {}
    avif = client.get(f"/media/{image.key}-640.avif")
    with PILImage.open(io.BytesIO(avif.content)) as opened:
        assert opened.format == "AVIF" and dict(opened.getexif()) == {}
    api = client.get("/api/v1/products/con-gps").json()
    assert api["images"][0]["url"] == f"http://testserver/media/{image.key}-720.webp"  # its largest thumbnail
    for url in (
        f"/media/originals/{image.key}.jpg",
        f"/media/../originals/{image.key}.jpg",
        f"/media/%2e%2e/originals/{image.key}.jpg",
    ):
        assert client.get(url).status_code == 404, url


def test_https_sites_send_hsts(settings, shop_data):
    from fastapi.testclient import TestClient

    from shop.main import create_app

    settings.base_url = "https://testserver"
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver") as client:
        assert client.get("/es/").headers["strict-transport-security"].startswith("max-age=31536000")
    app.state.engine.dispose()
