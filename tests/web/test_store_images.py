"""The store's image slots: AVIF first with WebP for the other browsers, sizes that match the layout, the largest
photo of the first screen fetched first (and preloaded on a product page), and no link to a file that is not there.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from factories import make_image, make_product

from shop.catalogue import service
from shop.web.templating import templates

MACROS = templates.env.get_template("_macros.html").module  # its slots' sizes
WIDTHS = re.compile(r"-(\d+)\.(avif|webp) (\d+)w")


class Pictures(HTMLParser):
    """Each <picture> with its <source>s and <img>, and each <link rel=preload>."""

    def __init__(self, html: str):
        super().__init__()
        self.pictures: list[dict] = []
        self.preloads: list[dict] = []
        self.images: list[dict] = []  # every <img>, in a picture or not
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "picture":
            self.pictures.append({"sources": [], "img": None})
        elif tag == "source" and self.pictures and self.pictures[-1]["img"] is None:
            self.pictures[-1]["sources"].append(attributes)
        elif tag == "img":
            self.images.append(attributes)
            if self.pictures and self.pictures[-1]["img"] is None:
                self.pictures[-1]["img"] = attributes
        elif tag == "link" and attributes.get("rel") == "preload":
            self.preloads.append(attributes)

    def with_alt(self, alt: str) -> list[dict]:
        return [p for p in self.pictures if p["img"].get("alt") == alt]


def widths(srcset: str, fmt: str) -> list[int]:
    found = WIDTHS.findall(srcset)
    assert all(f == fmt and a == b for a, f, b in found), srcset
    return [int(w) for w, _, _ in found]


def linked(html: str) -> set[str]:
    return set(re.findall(r"/media/[A-Za-z0-9_-]+\.(?:avif|webp)", html))


def test_the_product_page_offers_avif_first_and_preloads_its_first_photo(client, shop_data):
    html = client.get("/en/products/huipil-rombos").text
    page = Pictures(html)
    first, second = page.with_alt("Red huipil, front view")  # 1280 and 700 wide
    for picture, avif_widths in ((first, [480, 640, 720, 960, 1280]), (second, [480, 640])):
        (source,) = picture["sources"]
        assert source["type"] == "image/avif"
        assert source["sizes"] == MACROS.product_photo_sizes
        assert widths(source["srcset"], "avif") == avif_widths
        # Browsers that read no AVIF: WebP, the wanted width on a dense screen, half of it otherwise.
        assert picture["img"]["src"].endswith("-640.webp")
    assert first["img"]["srcset"].endswith("-1280.webp 2x") and "srcset" not in second["img"]  # 640 is its widest
    assert html.index('<source type="image/avif"') < html.index("<img", html.index("<picture>"))

    # The first photo is the largest paint: fetched first, never lazily, and preloaded with the stylesheet.
    assert first["img"]["fetchpriority"] == "high" and "loading" not in first["img"]
    assert second["img"]["loading"] == "lazy" and second["img"]["fetchpriority"] == "low"
    (preload,) = page.preloads
    assert preload == {
        "rel": "preload",
        "as": "image",
        "type": "image/avif",
        "imagesrcset": first["sources"][0]["srcset"],
        "imagesizes": MACROS.product_photo_sizes,
        "fetchpriority": "high",
    }
    assert html.index('rel="preload"') < html.index("</head>")

    # The gallery's thumbnails wait for the photo; the weaver's portrait comes as it nears.
    thumbs = [p for p in page.pictures if p["img"]["alt"] in ("Photo 1", "Photo 2")]
    assert [t["img"].get("fetchpriority") for t in thumbs] == ["low", "low"]
    assert all("loading" not in t["img"] and widths(t["sources"][0]["srcset"], "avif") == [160, 320] for t in thumbs)
    (portrait,) = page.with_alt("María Pérez Hernández")
    assert portrait["img"]["loading"] == "lazy" and portrait["sources"][0]["sizes"] == "96px"


def test_every_image_slot_keeps_its_place(client, shop_data):
    for path in ("/es/", "/en/products", "/en/products/huipil-rombos", "/es/weavers", "/es/weavers/maria-perez"):
        page = Pictures(client.get(path).text)
        assert page.images, path
        for img in page.images:
            assert int(img["width"]) > 0 and int(img["height"]) > 0, (path, img)


def test_only_the_first_cards_of_a_listing_are_fetched_first(client, shop_data):
    page = Pictures(client.get("/en/products").text)
    # The wool bag, the diamond huipil, the shared bag (no photo), the sold huipil (no photo): the first two are in
    # the first screen, on a phone as on a computer.
    cards = [p for p in page.pictures if p["sources"] and p["sources"][0]["sizes"] == MACROS.card_sizes]
    assert [c["img"]["alt"] for c in cards] == ["Wool bag", "Red huipil, front view"]
    assert [c["img"].get("fetchpriority") for c in cards] == ["high", "high"]
    assert [c["img"].get("loading") for c in cards] == [None, None]
    # A card is at most 264 px wide (1100 px and up), 171 px on a 390 px phone: 640 is sharp at 3x.
    assert [widths(c["sources"][0]["srcset"], "avif") for c in cards] == [[320], [320, 480, 640]]
    assert page.preloads == []
    # A weaver's pieces come after her portrait: they load as they come near.
    weaver = Pictures(client.get("/en/weavers/maria-perez").text)
    cards = [p for p in weaver.pictures if p["sources"][0]["sizes"] == MACROS.card_sizes]
    assert [c["img"].get("loading") for c in cards] == ["lazy"]  # her diamond huipil
    # On the home page the cards are below the first screen: only the big picture, if chosen, comes first.
    home = Pictures(client.get("/es/").text)
    assert [i for i in home.images if i.get("fetchpriority") == "high"] == []


@pytest.mark.parametrize("path", ["/es/", "/en/products", "/en/products/huipil-rombos", "/es/weavers"])
def test_every_linked_photo_is_there_with_its_type_and_a_year_of_cache(client, shop_data, path):
    html = client.get(path).text
    urls = linked(html)
    assert {u.rsplit(".", 1)[1] for u in urls} == {"avif", "webp"}
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert answer.headers["content-type"] == f"image/{url.rsplit('.', 1)[1]}"
        assert "immutable" in answer.headers["cache-control"] or "max-age=86400" in answer.headers["cache-control"]


def test_a_photo_stored_before_avif_offers_only_its_webp_files(client, session, media_dir):
    image = make_image(session, media_dir, width=1600, height=2000)
    image.variants = 1  # as every photo stored before: WebP at 320, 640 and 1280 only
    for name in list((media_dir / "thumbs").iterdir()):
        if name.suffix == ".avif" or not name.stem.endswith(("-320", "-640", "-1280")):
            name.unlink()
    service.add_product_image(session, make_product(session, slug="huipil-viejo"), image, alt_en="Old huipil")
    session.commit()

    html = client.get("/en/products/huipil-viejo").text
    (picture,) = Pictures(html).with_alt("Old huipil")
    assert picture["sources"] == []
    assert widths(picture["img"]["srcset"], "webp") == [640, 1280]  # the slot needs more than a quarter of 1280
    assert picture["img"]["sizes"] == MACROS.product_photo_sizes
    (preload,) = Pictures(html).preloads
    assert preload["type"] == "image/webp" and preload["imagesrcset"] == picture["img"]["srcset"]
    assert all(client.get(url).status_code == 200 for url in linked(html))
