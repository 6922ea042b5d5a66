"""Product photos and portraits for the demo store, drawn with Pillow so the demo needs no network.

A textile is first designed on a grid of "cells" (one cell is one brocade float), the way a weaver counts
threads. The grid is enlarged without smoothing, so motifs keep their stepped, woven edges, and then a
thread texture, hand-dyed unevenness, folds and a drop shadow make it read like a photograph.

Every drawing is deterministic: the same arguments always give the same JPEG bytes.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter

RGB = tuple[int, int, int]

PRODUCT_SIZE = (960, 1200)  # 4:5, like the store's product cards
PORTRAIT_SIZE = (800, 800)
JPEG_QUALITY = 85

# Colours of the highlands: natural dyes and the bright threads bought in San Cristóbal's market.
COCHINEAL = (176, 30, 44)
DEEP_RED = (128, 22, 36)
INDIGO = (38, 54, 108)
SKY = (96, 138, 190)
BLACK_WOOL = (40, 36, 36)
WHITE_COTTON = (240, 233, 216)
CREAM = (228, 212, 180)
MARIGOLD = (242, 168, 40)
MAGENTA = (204, 36, 128)
VIOLET = (104, 48, 148)
PINK = (240, 120, 168)
TURQUOISE = (30, 166, 168)
GREEN = (48, 136, 76)
LEAF = (120, 170, 60)
WALNUT = (118, 78, 50)
LOGWOOD = (86, 52, 92)
ORANGE = (228, 96, 36)


@dataclass(frozen=True)
class Palette:
    ground: RGB
    motifs: tuple[RGB, ...]  # brocade colours, used in turn
    stripes: tuple[RGB, ...]  # dividing lines and warp stripes
    trim: RGB  # neck ribbons, seams, straps, tassels
    dense: bool = True  # brocade all over (Magdalenas) or only across the chest (Chenalhó)


PALETTES: dict[str, Palette] = {
    "magdalenas": Palette(
        COCHINEAL, (MARIGOLD, BLACK_WOOL, WHITE_COTTON, GREEN, DEEP_RED), (BLACK_WOOL, MARIGOLD), MAGENTA
    ),
    "larrainzar": Palette(
        DEEP_RED, (WHITE_COTTON, MARIGOLD, BLACK_WOOL, COCHINEAL), (WHITE_COTTON, BLACK_WOOL), MARIGOLD
    ),
    "zinacantan": Palette((52, 36, 96), (MAGENTA, PINK, TURQUOISE, MARIGOLD, LEAF, VIOLET), (MAGENTA, TURQUOISE), PINK),
    "navenchauc": Palette((40, 52, 118), (PINK, MAGENTA, WHITE_COTTON, TURQUOISE, MARIGOLD), (PINK, SKY), MAGENTA),
    "chamula": Palette(BLACK_WOOL, (WHITE_COTTON, COCHINEAL, GREEN, MARIGOLD), (WHITE_COTTON, COCHINEAL), COCHINEAL),
    "chenalho": Palette(
        WHITE_COTTON,
        (COCHINEAL, BLACK_WOOL, INDIGO, MARIGOLD),
        (COCHINEAL, INDIGO),
        COCHINEAL,
        dense=False,
    ),
    "mitontic": Palette(
        WHITE_COTTON, (DEEP_RED, BLACK_WOOL, GREEN, MAGENTA), (DEEP_RED, BLACK_WOOL), DEEP_RED, dense=False
    ),
    "anil": Palette(INDIGO, (WHITE_COTTON, SKY, MARIGOLD), (WHITE_COTTON, SKY), SKY, dense=False),
    "cochinilla": Palette(
        COCHINEAL, (BLACK_WOOL, WHITE_COTTON, MARIGOLD), (BLACK_WOOL, WHITE_COTTON), BLACK_WOOL, dense=False
    ),
    "nogal": Palette(WALNUT, (CREAM, BLACK_WOOL, MARIGOLD), (CREAM, BLACK_WOOL), CREAM, dense=False),
    "campeche": Palette(LOGWOOD, (CREAM, PINK, SKY), (CREAM, PINK), CREAM, dense=False),
    "turquesa": Palette(
        TURQUOISE, (WHITE_COTTON, MAGENTA, MARIGOLD, INDIGO), (WHITE_COTTON, INDIGO), MAGENTA, dense=False
    ),
}

MOTIFS = ("rombos", "zigzag", "grecas", "flores", "estrellas", "triangulos", "mariposas")
KINDS = (
    "huipil",
    "blusa",
    "rebozo",
    "morral",
    "bolsa",
    "camino",
    "servilletas",
    "individuales",
    "faja",
    "cintas",
    "pulseras",
)
VIEWS = ("front", "detail", "folded")

WOOD_KINDS = {"camino", "servilletas", "individuales"}
NARROW_KINDS = {"faja", "cintas", "pulseras"}


def _style(kind: str, pal: Palette) -> str:
    """How each kind of piece is laid out on the loom."""
    if kind == "huipil":
        return "rows" if pal.dense else "yoke"
    if kind == "blusa":
        return "blouse"
    if kind in NARROW_KINDS:
        return "narrow"
    if kind in ("morral", "bolsa"):
        return "rows"
    if kind == "individuales":
        return "field"
    return "ends"


def _palette(palette: str | Palette) -> Palette:
    return PALETTES[palette] if isinstance(palette, str) else palette


def _shade(color: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(c * factor))) for c in color)  # type: ignore[return-value]


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


# --- Motifs: small bitmaps of colour indices (0 = ground, 1..3 = the row's colours) ------------------

GRECA = (
    "11111111..",
    "1......1..",
    "1.1111.1..",
    "1.1..1.1..",
    "1.1....1..",
    "1.111111..",
    "1.........",
    "1111111111",
)


def _index_rombos(x: int, y: int, w: int, h: int) -> int:
    r = h // 2
    d = abs(x - w // 2) + abs(y - r)
    if d <= r:
        t = d / r
        if t <= 0.17:
            return 3
        if t <= 0.34:
            return 0
        if t <= 0.5:
            return 2
        if t <= 0.64:
            return 0
        return 1
    corner = min(x + y, (w - 1 - x) + y, x + (h - 1 - y), (w - 1 - x) + (h - 1 - y))
    return 2 if corner <= max(1, r // 4) else 0


def _index_zigzag(x: int, y: int, w: int, h: int) -> int:
    half = w / 2
    rise = abs((x % w) - half) / half  # 1 at the edges, 0 in the middle
    top = round(rise * (h * 0.55))
    if 0 <= y - top <= 1:
        return 1
    if 0 <= y - top - round(h * 0.4) <= 1:
        return 2
    if x == w // 2 and y == h - 1:
        return 3
    return 0


def _index_greca(x: int, y: int, w: int, h: int) -> int:
    gx = x * len(GRECA[0]) // w
    gy = y * len(GRECA) // h
    return 1 if GRECA[gy][gx] == "1" else 0


def _index_flores(x: int, y: int, w: int, h: int) -> int:
    r = h / 2
    dx, dy = x - (w - 1) / 2, y - (h - 1) / 2
    dist = math.hypot(dx, dy) / r
    angle = math.atan2(dy, dx)
    if dist <= 0.22:
        return 3
    petal = 0.5 + 0.5 * abs(math.cos(2.5 * angle + 0.3))
    if dist <= 0.2 + 0.78 * petal:
        return 1 if dist > 0.38 else 2
    if abs(abs(dx) - abs(dy)) <= 1 and dist <= 1.05 and abs(dx) > r * 0.45:
        return 2
    return 0


def _index_estrellas(x: int, y: int, w: int, h: int) -> int:
    r = h // 2
    dx, dy = abs(x - w // 2), abs(y - r)
    inside = dx + dy <= r or max(dx, dy) <= round(r * 0.62)
    if not inside:
        return 0
    if dx + dy <= r * 0.35:
        return 3
    if dx + dy <= r * 0.6 or max(dx, dy) <= round(r * 0.3):
        return 2
    return 1


def _index_triangulos(x: int, y: int, w: int, h: int) -> int:
    half = (w - 1) / 2
    height = h - 1 - y  # distance from the base
    reach = half - abs(x - half)
    if height <= reach * (h / half) * 0.95:
        inner = height <= reach * (h / half) * 0.95 - 3 and height >= 2
        if inner:
            return 2 if height > h * 0.55 else 0
        return 1
    return 3 if y == 0 and x % 2 == 0 else 0


def _index_mariposas(x: int, y: int, w: int, h: int) -> int:
    r = h // 2
    dx, dy = abs(x - w // 2), abs(y - r)
    if dx <= 1 and dy <= r - 1:
        return 3
    if dx <= r and dy <= dx and dx >= 2:
        return 2 if (dx + dy) % 4 == 0 else 1
    return 0


MOTIF_INDEX = {
    "rombos": (_index_rombos, 1.0),
    "zigzag": (_index_zigzag, 1.6),
    "grecas": (_index_greca, 1.25),
    "flores": (_index_flores, 1.0),
    "estrellas": (_index_estrellas, 1.0),
    "triangulos": (_index_triangulos, 1.6),
    "mariposas": (_index_mariposas, 1.3),
}

MOTIF_HEIGHTS = {
    "rombos": (11, 13, 15, 17),
    "zigzag": (7, 9),
    "grecas": (8, 8, 16),
    "flores": (11, 13, 15),
    "estrellas": (9, 11, 13),
    "triangulos": (7, 9),
    "mariposas": (9, 11),
}


@lru_cache(maxsize=512)
def _motif(name: str, height: int, colors: tuple[RGB, RGB, RGB]) -> tuple[Image.Image, Image.Image]:
    """One repeat of a motif as (colour, coverage mask), one pixel per cell."""
    index, ratio = MOTIF_INDEX[name]
    width = max(3, round(height * ratio))
    if name in ("rombos", "flores", "estrellas", "mariposas") and width % 2 == 0:
        width += 1
    cells = [index(x, y, width, height) for y in range(height) for x in range(width)]
    lookup = [(0, 0, 0), *colors]
    color = Image.new("RGB", (width, height))
    color.putdata([lookup[c] for c in cells])
    mask = Image.new("L", (width, height))
    mask.putdata([255 if c else 0 for c in cells])
    return color, mask


class Design:
    """A textile drawn on its grid of cells: ground colour plus brocade, with a mask of the brocade."""

    def __init__(self, width: int, height: int, ground: RGB) -> None:
        self.width, self.height = width, height
        self.color = Image.new("RGB", (width, height), ground)
        self.brocade = Image.new("L", (width, height), 0)
        self.draw = ImageDraw.Draw(self.color)
        self.mask_draw = ImageDraw.Draw(self.brocade)
        self.ground = ground

    def crop(self, height: int) -> None:
        """Keep only the first rows of cells."""
        self.height = height
        self.color = self.color.crop((0, 0, self.width, height))
        self.brocade = self.brocade.crop((0, 0, self.width, height))
        self.draw = ImageDraw.Draw(self.color)
        self.mask_draw = ImageDraw.Draw(self.brocade)

    def rect(self, box: tuple[int, int, int, int], color: RGB, brocade: bool = False) -> None:
        x0, y0, x1, y1 = box
        if x1 < x0 or y1 < y0:
            return
        self.draw.rectangle(box, fill=color)
        self.mask_draw.rectangle(box, fill=255 if brocade else 0)

    def stamp(self, name: str, x: int, y: int, height: int, colors: tuple[RGB, RGB, RGB]) -> int:
        color, mask = _motif(name, height, colors)
        self.color.paste(color, (x, y), mask)
        self.brocade.paste(255, (x, y), mask)
        return color.width

    def row(self, name: str, y: int, height: int, colors: list[tuple[RGB, RGB, RGB]], x0: int = 0, x1=None) -> None:
        """Repeat a motif across the cloth, centred so both selvedges match."""
        x1 = self.width if x1 is None else x1
        unit = _motif(name, height, colors[0])[0].width
        gap = 0 if name in ("zigzag", "grecas", "triangulos") else max(1, height // 6)
        step = unit + gap
        count = max(1, (x1 - x0 + gap) // step)
        start = x0 + (x1 - x0 - (count * step - gap)) // 2
        for i in range(count):
            self.stamp(name, start + i * step, y, height, colors[i % len(colors)])

    def divider(self, y: int, color: RGB, style: int, second: RGB) -> int:
        """A thin line between rows of motifs; returns its height in cells."""
        w = self.width - 1
        if style == 0:
            self.rect((0, y, w, y), color, True)
            return 1
        if style == 1:
            self.rect((0, y, w, y), color, True)
            for x in range(0, self.width, 2):
                self.rect((x, y + 1, x, y + 1), second, True)
            self.rect((0, y + 2, w, y + 2), color, True)
            return 3
        if style == 2:
            for x in range(0, self.width, 4):
                self.draw.polygon([(x, y + 2), (x + 2, y), (x + 4, y + 2)], fill=color)
                self.mask_draw.polygon([(x, y + 2), (x + 2, y), (x + 4, y + 2)], fill=255)
            return 3
        self.rect((0, y, w, y + 1), color, True)
        return 2


def _color_sets(pal: Palette, rng: random.Random, count: int = 3) -> list[tuple[RGB, RGB, RGB]]:
    colors = list(pal.motifs)
    sets = []
    for _ in range(count):
        rng.shuffle(colors)
        a, b = colors[0], colors[1 % len(colors)]
        c = colors[2 % len(colors)]
        sets.append((a, b, c))
    return sets


def _fill_rows(design: Design, pal: Palette, motifs: tuple[str, ...], rng: random.Random, y0: int, y1: int) -> int:
    """Rows of brocade from y0 down to y1; returns where the last row ended."""
    y = y0
    i = rng.randrange(len(motifs))
    style = rng.randrange(4)
    while True:
        name = motifs[i % len(motifs)]
        height = rng.choice(MOTIF_HEIGHTS[name])
        if y + height > y1:
            return y
        sets = _color_sets(pal, rng, 1 if name in ("zigzag", "grecas", "triangulos") else 3)
        design.row(name, y, height, sets)
        y += height + 1
        if y + 4 > y1:
            return y
        y += design.divider(y, pal.stripes[i % len(pal.stripes)], style, pal.motifs[0]) + 1
        i += 1


def _warp_stripes(design: Design, pal: Palette, rng: random.Random, symmetric: bool = True) -> None:
    """Lengthwise stripes, mirrored about the centre the way they are set up on the loom."""
    half = design.width // 2
    gaps = (1, 2, 3, 5, 8) if pal.dense or pal.ground != WHITE_COTTON else (3, 6, 10, 14)
    x = rng.randrange(1, 3)
    while x < half - 2:
        width = rng.choice((1, 1, 2, 3))
        color = rng.choice(pal.stripes)
        design.rect((x, 0, x + width - 1, design.height - 1), color)
        if symmetric:
            design.rect((design.width - x - width, 0, design.width - 1 - x, design.height - 1), color)
        x += width + rng.choice(gaps)


def _band_design(width: int, length: int, pal: Palette, motifs: tuple[str, ...], rng, style: str) -> Design:
    """A cloth woven lengthwise (length runs down the y axis) in one of a few traditional layouts."""
    design = Design(width, length, pal.ground)
    if style == "rows":
        _fill_rows(design, pal, motifs, rng, 3, length - 8)
    elif style in ("yoke", "blouse"):
        # Brocade across the chest and shoulders, light stripes and small stars below, a band at the hem.
        end = _fill_rows(design, pal, motifs, rng, 4, int(length * (0.42 if style == "yoke" else 0.3)))
        _warp_stripes_light(design, pal, rng, end + 4)
        _fill_rows(design, pal, motifs[-1:], rng, length - 22, length - 6)
    elif style == "narrow":
        design.rect((0, 0, 0, length - 1), pal.stripes[0])
        design.rect((width - 1, 0, width - 1, length - 1), pal.stripes[0])
        inner = width - 4
        name = motifs[0] if motifs[0] not in ("zigzag", "triangulos") else "rombos"
        height = inner if inner % 2 else inner - 1
        sets = _color_sets(pal, rng, 2)
        y = 1
        while y + height < length:
            design.stamp(name, (width - _motif(name, height, sets[0])[0].width) // 2, y, height, sets[y % 2])
            y += height + 2
    elif style == "field":
        _warp_stripes(design, pal, rng)
        end = max(12, length // 6)
        _fill_rows(design, pal, motifs[:2], rng, 2, end)
        _fill_rows(design, pal, motifs[:2], rng, length - end, length - 2)
        size = 9
        sets = _color_sets(pal, rng, 4)
        for row, y in enumerate(range(end + 3, length - end - size, size + 4)):
            offset = (size + 4) // 2 if row % 2 else 0
            for col, x in enumerate(range(3 + offset, width - size - 2, size + 6)):
                design.stamp("flores" if "flores" in motifs else "estrellas", x, y, size, sets[(row + col) % 4])
    else:  # "ends": plain cloth with stripes, brocade only near both ends
        _warp_stripes(design, pal, rng)
        end = max(14, length // 5)
        _fill_rows(design, pal, motifs, rng, 3, end)
        _fill_rows(design, pal, motifs, rng, length - end, length - 3)
    return design


# --- From the grid of cells to a photograph of cloth ----------------------------------------------


@lru_cache(maxsize=16)
def _thread_tile(cell: int, brocade: bool) -> Image.Image:
    """Light and shadow of the threads inside two by two cells, to be multiplied over the colours."""
    size = cell * 2
    values = []
    if brocade:
        strands = max(2, cell // 3)
        for y in range(size):
            for x in range(size):
                pos = (y % cell) * strands / cell
                v = 170 + 85 * math.sin(math.pi * ((pos % 1) + 0.5 / strands))
                row = y // cell
                tie = (x + (cell // 2) * row) % (cell * 2)
                if tie == 0:
                    v *= 0.72
                v *= 0.9 + 0.1 * ((x % cell) / cell)
                values.append(max(0, min(255, round(v))))
    else:
        sub = max(2, cell // 2)
        for y in range(size):
            for x in range(size):
                horizontal = ((x // sub) + (y // sub)) % 2 == 0
                pos = (y % sub) if horizontal else (x % sub)
                v = 212 + 43 * math.sin(math.pi * (pos + 0.5) / sub)
                values.append(round(v * (1.0 if horizontal else 0.95)))
    tile = Image.new("L", (size, size))
    tile.putdata(values)
    return tile


@lru_cache(maxsize=16)
def _texture(cell: int, brocade: bool, width: int, height: int) -> Image.Image:
    tile = _thread_tile(cell, brocade)
    strip = Image.new("L", (width, tile.height))
    for x in range(0, width, tile.width):
        strip.paste(tile, (x, 0))
    full = Image.new("L", (width, height))
    for y in range(0, height, tile.height):
        full.paste(strip, (0, y))
    return full.convert("RGB")


def _texture_for(cell: int, brocade: bool, width: int, height: int) -> Image.Image:
    # Textures are cached at a few generous sizes and cropped, so odd piece sizes share them.
    big_w = max(1024, -(-width // 512) * 512)
    big_h = max(1280, -(-height // 512) * 512)
    return _texture(cell, brocade, big_w, big_h).crop((0, 0, width, height))


def _noise(rng: random.Random, size: tuple[int, int], spread: int, base: int) -> Image.Image:
    """A small field of random values around base, as an L image."""
    data = rng.randbytes(size[0] * size[1])
    image = Image.frombytes("L", size, data)
    return image.point(lambda v: base - spread + v * 2 * spread // 255)


def _weave(design: Design, cell: int, rng: random.Random) -> Image.Image:
    """Enlarge the design to pixels and give it threads, raised brocade and hand-dyed unevenness."""
    width, height = design.width * cell, design.height * cell
    color = design.color.resize((width, height), Image.Resampling.NEAREST)
    brocade = design.brocade.resize((width, height), Image.Resampling.NEAREST)
    ground = ImageChops.multiply(color, _texture_for(cell, False, width, height))
    floats = ImageChops.multiply(_lift(color), _texture_for(cell, True, width, height))
    cloth = Image.composite(floats, ground, brocade)
    # Brocade floats sit on top of the ground weave and cast a hairline shadow.
    shift = max(1, cell // 3)
    shadow = ImageChops.subtract(ImageChops.offset(brocade, shift, shift), brocade)
    cloth.paste((0, 0, 0), (0, 0), shadow.point(lambda v: v * 2 // 5))
    # Each pass of the weft is a touch lighter or darker: hand-spun, hand-dyed thread.
    rows = _noise(rng, (1, max(2, design.height)), 8, 247).resize((width, height), Image.Resampling.NEAREST)
    return ImageChops.multiply(cloth, rows.convert("RGB"))


def _lift(color: Image.Image) -> Image.Image:
    """Brocade threads are glossier than the ground: brighten them before the float shading."""
    return color.point(lambda v: min(255, 18 + v * 1.06))


def _drape(rng: random.Random, size: tuple[int, int], folds: int, strength: int) -> Image.Image:
    """Soft light and shadow of cloth lying on a surface: a few gentle folds along its length."""
    cols = max(2, folds * 2 + 1)
    values = []
    phase = rng.random() * math.pi
    for y in range(4):
        for x in range(cols):
            fold = math.sin(phase + x * math.pi / 2) * strength * (0.6 + 0.4 * rng.random())
            values.append(max(0, min(255, round(240 + fold - y * 3))))
    light = Image.new("L", (cols, 4))
    light.putdata(values)
    return light.resize(size, Image.Resampling.BILINEAR).convert("RGB")


def _cloth(
    pal: Palette, motifs: tuple[str, ...], rng: random.Random, size: tuple[int, int], cell: int, style: str
) -> Image.Image:
    cells_w, cells_h = -(-size[0] // cell), -(-size[1] // cell)
    if style == "closeup":
        # Design a longer piece and keep its top: a close-up is all brocade, with no plain hem.
        design = _band_design(cells_w, cells_h + 30, pal, motifs, rng, "rows")
        design.crop(cells_h)
    else:
        design = _band_design(cells_w, cells_h, pal, motifs, rng, style)
    return _weave(design, cell, rng).crop((0, 0, *size))


# --- Silhouettes, fringes and composition ---------------------------------------------------------


def _wobbly_rect(
    rng: random.Random, box: tuple[float, float, float, float], wobble: float, steps: int = 6
) -> list[tuple[float, float]]:
    """A rectangle whose edges wander a little, as handwoven cloth does."""
    x0, y0, x1, y1 = box
    points = []
    for i in range(steps):
        points.append((x0 + (x1 - x0) * i / steps, y0 + rng.uniform(-wobble, wobble)))
    for i in range(steps):
        points.append((x1 + rng.uniform(-wobble, wobble), y0 + (y1 - y0) * i / steps))
    for i in range(steps):
        points.append((x1 - (x1 - x0) * i / steps, y1 + rng.uniform(-wobble, wobble)))
    for i in range(steps):
        points.append((x0 + rng.uniform(-wobble, wobble), y1 - (y1 - y0) * i / steps))
    return points


def _smooth_mask(size: tuple[int, int], shapes) -> Image.Image:
    """Draw polygons and ellipses at twice the size and shrink, for clean anti-aliased edges.

    Only the shapes' bounding box is drawn at double size, then placed in a mask of the full size.
    """
    xs = [x for _, geometry, _ in shapes for x, _ in geometry]
    ys = [y for _, geometry, _ in shapes for _, y in geometry]
    left, top = max(0, int(min(xs)) - 2), max(0, int(min(ys)) - 2)
    right, bottom = min(size[0], int(max(xs)) + 3), min(size[1], int(max(ys)) + 3)
    mask = Image.new("L", size, 0)
    if right <= left or bottom <= top:
        return mask
    big = Image.new("L", ((right - left) * 2, (bottom - top) * 2), 0)
    draw = ImageDraw.Draw(big)
    for kind, geometry, fill in shapes:
        scaled = [((x - left) * 2, (y - top) * 2) for x, y in geometry]
        if kind == "polygon":
            draw.polygon(scaled, fill=fill)
        else:
            draw.ellipse([*scaled[0], *scaled[1]], fill=fill)
    mask.paste(big.resize((right - left, bottom - top), Image.Resampling.BOX), (left, top))
    return mask


def _fringe(
    piece: Image.Image,
    mask: Image.Image,
    rng: random.Random,
    x0: int,
    x1: int,
    y: int,
    length: int,
    colors: tuple[RGB, ...],
    twisted: bool = True,
) -> None:
    """Warp ends left loose (or twisted in pairs) below a woven edge; the cloth grows downwards."""
    draw = ImageDraw.Draw(piece)
    mask_draw = ImageDraw.Draw(mask)
    step = 9 if twisted else 5
    x = x0 + 3
    while x < x1 - 2:
        color = rng.choice(colors)
        end = y + length + rng.randint(-length // 8, length // 10)
        sway = rng.uniform(-length * 0.06, length * 0.06)
        width = 5 if twisted else 2
        draw.line([(x, y - 2), (x + sway, end)], fill=color, width=width)
        mask_draw.line([(x, y - 2), (x + sway, end)], fill=255, width=width)
        if twisted:
            for t in range(6, end - y, 9):
                px = x + sway * t / (end - y)
                draw.line([(px - 2, y + t), (px + 2, y + t + 3)], fill=_shade(color, 0.62), width=1)
        x += step
    # A knot row where the fringe leaves the cloth.
    draw.line([(x0, y + 2), (x1, y + 2)], fill=_shade(colors[0], 0.7), width=3)


@lru_cache(maxsize=4)
def _grain(size: tuple[int, int]) -> Image.Image:
    """The fine grain of paper or linen; the same for every photo, like the same backdrop in a studio."""
    noise = _noise(random.Random(size[0] * size[1]), (size[0] // 3, size[1] // 3), 5, 250)
    return noise.resize(size, Image.Resampling.BILINEAR).convert("RGB")


def _backdrop(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A soft, warm, evenly lit paper or linen backdrop with a gentle vignette."""
    base = rng.choice([(236, 226, 210), (232, 219, 200), (238, 230, 218), (228, 214, 198)])
    cols, rows = 12, 15
    light_x, light_y = rng.uniform(0.35, 0.65), rng.uniform(0.3, 0.5)
    values = []
    for y in range(rows):
        for x in range(cols):
            dx, dy = x / (cols - 1) - light_x, y / (rows - 1) - light_y
            values.append(_shade(base, 1.03 - 0.16 * (dx * dx + dy * dy)))
    small = Image.new("RGB", (cols, rows))
    small.putdata(values)
    back = small.resize(size, Image.Resampling.BILINEAR)
    return ImageChops.multiply(back, _grain(size))


def _wood(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A warm pine table top: planks with grain, drawn at half size and enlarged."""
    w, h = size[0] // 2, size[1] // 2
    wood = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(wood)
    plank_w = w // 4
    tones = [(176, 122, 78), (164, 112, 70), (184, 132, 86), (170, 116, 72), (158, 106, 66)]
    for i, x in enumerate(range(-rng.randrange(plank_w), w, plank_w)):
        tone = tones[(i + rng.randrange(5)) % len(tones)]
        draw.rectangle((x, 0, x + plank_w, h), fill=tone)
        for _ in range(26):
            gx = x + rng.uniform(0, plank_w)
            shade = _shade(tone, rng.uniform(0.82, 1.1))
            points = []
            for y in range(-10, h + 20, 20):
                gx += rng.uniform(-1.5, 1.5)
                points.append((gx, y))
            draw.line(points, fill=shade, width=rng.choice((1, 1, 2)))
        if rng.random() < 0.5:
            kx, ky = x + rng.uniform(10, plank_w - 10), rng.uniform(20, h - 20)
            for r in range(9, 1, -2):
                draw.ellipse((kx - r * 0.7, ky - r * 2, kx + r * 0.7, ky + r * 2), outline=_shade(tone, 0.75))
        draw.line([(x, 0), (x, h)], fill=(92, 60, 38), width=2)
    wood = wood.filter(ImageFilter.GaussianBlur(0.8)).resize(size, Image.Resampling.BICUBIC)
    light = _drape(rng, size, 1, 12)
    return ImageChops.multiply(wood, light)


def _place(scene: Image.Image, piece: Image.Image, mask: Image.Image, xy: tuple[int, int], lift: int = 14):
    """Lay a piece on the scene with a soft drop shadow beneath it."""
    # The shadow is blurred at a quarter of the size: it is soft anyway, and four times cheaper.
    quarter = mask.resize((max(1, mask.width // 4), max(1, mask.height // 4)), Image.Resampling.BILINEAR)
    small = Image.new("L", (scene.width // 4 + 1, scene.height // 4 + 1), 0)
    small.paste(quarter, ((xy[0] + lift // 2) // 4, (xy[1] + lift) // 4))
    small = small.filter(ImageFilter.GaussianBlur(max(2, lift // 3)))
    shadow = small.resize((small.width * 4, small.height * 4), Image.Resampling.BILINEAR)
    scene.paste((64, 50, 40), (0, 0), shadow.crop((0, 0, *scene.size)).point(lambda v: v * 45 // 100))
    scene.paste(piece, xy, mask)


def _rotated(piece: Image.Image, mask: Image.Image, degrees: float) -> tuple[Image.Image, Image.Image]:
    rgba = piece.convert("RGBA")
    rgba.putalpha(mask)
    while degrees > 45:  # quarter turns are exact and nearly free; only the remainder is resampled
        rgba, degrees = rgba.transpose(Image.Transpose.ROTATE_90), degrees - 90
    while degrees < -45:
        rgba, degrees = rgba.transpose(Image.Transpose.ROTATE_270), degrees + 90
    turned = rgba.rotate(degrees, Image.Resampling.BILINEAR, expand=True)
    return turned.convert("RGB"), turned.getchannel("A")


def _band_piece(
    pal: Palette,
    motifs: tuple[str, ...],
    rng: random.Random,
    width: int,
    length: int,
    cell: int,
    style: str,
    fringe_top: int = 0,
    fringe_bottom: int = 0,
    folds: int = 2,
) -> tuple[Image.Image, Image.Image]:
    """A long woven band with optional fringes, upright; rotate it afterwards."""
    total = length + fringe_top + fringe_bottom
    piece = Image.new("RGB", (width, total), pal.ground)
    mask = Image.new("L", (width, total), 0)
    cloth = _cloth(pal, motifs, rng, (width, length), cell, style)
    cloth = ImageChops.multiply(cloth, _drape(rng, (width, length), folds, 16))
    piece.paste(cloth, (0, fringe_top))
    mask.paste(255, (0, fringe_top, width, fringe_top + length))
    colors = (pal.ground, pal.ground, *pal.stripes)
    if fringe_bottom:
        _fringe(piece, mask, rng, 0, width, fringe_top + length, fringe_bottom, colors)
    if fringe_top:
        flipped_piece = piece.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        flipped_mask = mask.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        _fringe(flipped_piece, flipped_mask, rng, 0, width, total - fringe_top, fringe_top, colors)
        piece = flipped_piece.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        mask = flipped_mask.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    return piece, mask


def _place_centered(scene, piece, mask, dx: int = 0, dy: int = 0, lift: int = 14) -> None:
    x = (scene.width - piece.width) // 2 + dx
    y = (scene.height - piece.height) // 2 + dy
    _place(scene, piece, mask, (x, y), lift)


# --- Each kind of piece, whole ------------------------------------------------------------------


def _huipil(scene, pal, motifs, rng, blouse: bool = False) -> None:
    w, h = scene.size
    cell = 4
    if blouse:
        body = (int(w * 0.22), int(h * 0.16), int(w * 0.78), int(h * 0.86))
    else:
        body = (int(w * 0.09), int(h * 0.11), int(w * 0.91), int(h * 0.88))
    bx0, by0, bx1, by1 = body
    cw, ch = bx1 - bx0, by1 - by0
    cells_w, cells_h = -(-cw // cell), -(-ch // cell)
    design = _band_design(cells_w, cells_h, pal, motifs, rng, _style("blusa" if blouse else "huipil", pal))
    cloth = _weave(design, cell, rng).crop((0, 0, cw, ch))
    cloth = ImageChops.multiply(cloth, _drape(rng, (cw, ch), 3, 14))

    piece = Image.new("RGB", scene.size, pal.ground)
    piece.paste(cloth, (bx0, by0))
    shapes = [("polygon", _wobbly_rect(rng, body, 3), 255)]
    if blouse:
        sleeve_y = by0 + int(h * 0.2)
        left = [(bx0 + 4, by0), (bx0 - int(w * 0.16), by0 + int(h * 0.05)), (bx0 - int(w * 0.12), sleeve_y)]
        right = [(bx1 - 4, by0), (bx1 + int(w * 0.16), by0 + int(h * 0.05)), (bx1 + int(w * 0.12), sleeve_y)]
        shapes += [
            ("polygon", [*left, (bx0 + 4, sleeve_y)], 255),
            ("polygon", [*right, (bx1 - 4, sleeve_y)], 255),
        ]
        sleeve = _cloth(pal, motifs[:1], rng, (int(w * 0.2), int(h * 0.22)), cell, "ends")
        piece.paste(sleeve, (bx0 - int(w * 0.17), by0))
        piece.paste(sleeve, (bx1 - 4, by0))
    mask = _smooth_mask(scene.size, shapes)

    draw = ImageDraw.Draw(piece)
    cx = w // 2
    # Seams joining the loom widths, sewn with a coloured decorative stitch.
    if not blouse:
        for sx in (bx0 + cw // 3, bx0 + 2 * cw // 3):
            for y in range(by0, by1, 10):
                draw.line([(sx - 3, y), (sx + 3, y + 6)], fill=pal.trim, width=3)
    # Neck opening: the inside of the back shows through, edged with ribbons.
    nw, nh = int(w * 0.085), int(h * 0.045)
    ny = by0 + nh + 34
    inside = ImageChops.multiply(piece, Image.new("RGB", scene.size, (150, 140, 132)))
    if blouse:
        draw.rectangle((cx - nw - 26, by0, cx + nw + 26, ny + nh + 26), fill=_shade(pal.trim, 0.95))
        for i, color in enumerate((pal.motifs[0], pal.motifs[1 % len(pal.motifs)], pal.trim)):
            box = (cx - nw - 20 + i * 6, by0, cx + nw + 20 - i * 6, ny + nh + 20 - i * 6)
            draw.rectangle(box, outline=color, width=3)
        hole = [("polygon", [(cx - nw, by0 - 2), (cx + nw, by0 - 2), (cx + nw, ny + nh), (cx - nw, ny + nh)], 255)]
    else:
        for i, color in enumerate((pal.trim, pal.motifs[0], pal.motifs[1 % len(pal.motifs)], pal.trim)):
            pad = 24 - i * 6
            draw.ellipse((cx - nw - pad, ny - nh - pad, cx + nw + pad, ny + nh + pad), fill=color)
        hole = [("ellipse", [(cx - nw, ny - nh), (cx + nw, ny + nh)], 255)]
    hole_mask = _smooth_mask(scene.size, hole)
    # The far edge of the opening casts a soft shadow on the back panel seen through it.
    lip = ImageChops.subtract(hole_mask, ImageChops.offset(hole_mask, 0, 14)).filter(ImageFilter.GaussianBlur(6))
    piece.paste(inside, (0, 0), hole_mask)
    piece.paste(ImageChops.multiply(piece, Image.new("RGB", scene.size, (110,) * 3)), (0, 0), lip)
    _place(scene, piece, mask, (0, 0), lift=16)


def _warp_stripes_light(design: Design, pal: Palette, rng: random.Random, y0: int) -> None:
    """A few thin stripes and scattered small stars on the plain lower part of a huipil."""
    for x in range(4, design.width - 4, rng.choice((10, 12, 14))):
        design.rect((x, y0, x, design.height - 24), _mix(pal.ground, pal.stripes[0], 0.35))
    sets = _color_sets(pal, rng, 2)
    for row, y in enumerate(range(y0 + 4, design.height - 30, 16)):
        for col, x in enumerate(range(8 + (row % 2) * 8, design.width - 10, 24)):
            design.stamp("estrellas", x, y, 7, sets[(row + col) % 2])


def _rebozo(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    if rng.random() < 0.5:
        # Laid out whole, corner to corner, both fringed ends in view.
        piece, mask = _band_piece(
            pal, motifs, rng, int(w * 0.42), int(h * 0.72), 4, "ends", int(h * 0.07), int(h * 0.07), folds=2
        )
        piece, mask = _rotated(piece, mask, rng.choice((-1, 1)) * rng.uniform(13, 17))
        _place_centered(scene, piece, mask, lift=14)
        return
    # Folded in half lengthwise: both halves side by side, the fringes hanging together.
    back, back_mask = _band_piece(pal, motifs, rng, int(w * 0.4), int(h * 0.7), 4, "ends", fringe_bottom=int(h * 0.1))
    back, back_mask = _rotated(back, back_mask, -9)
    _place_centered(scene, back, back_mask, dx=int(w * 0.13), dy=-int(h * 0.01), lift=10)
    front, front_mask = _band_piece(
        pal, motifs, rng, int(w * 0.42), int(h * 0.66), 4, "ends", fringe_bottom=int(h * 0.1)
    )
    front, front_mask = _rotated(front, front_mask, 5)
    _place_centered(scene, front, front_mask, dx=-int(w * 0.1), dy=int(h * 0.01), lift=16)


def _bag(scene, pal, motifs, rng, small: bool = False) -> None:
    w, h = scene.size
    bw = int(w * (0.5 if small else 0.62))
    bh = int(h * (0.36 if small else 0.48))
    bx0 = (w - bw) // 2
    by0 = int(h * (0.5 if small else 0.4))
    # Strap first, so the bag covers its ends.
    strap = Image.new("RGB", scene.size, pal.trim)
    strap_mask = Image.new("L", scene.size, 0)
    top = int(h * (0.3 if small else 0.08))
    points = []
    for i in range(33):
        t = math.pi * i / 32
        points.append((w / 2 - (bw / 2 - 30) * math.cos(t), by0 + 30 - (by0 + 30 - top) * math.sin(t)))
    width = 20 if small else 44
    ImageDraw.Draw(strap_mask).line(points, fill=255, width=width, joint="curve")
    sdraw = ImageDraw.Draw(strap)
    sdraw.line(points, fill=_shade(pal.trim, 0.85), width=width, joint="curve")
    sdraw.line(points, fill=pal.motifs[0], width=max(4, width // 4), joint="curve")
    for x, y in points[1:-1:2]:
        sdraw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=pal.motifs[1 % len(pal.motifs)])
    strap = ImageChops.multiply(strap, _texture_for(3, False, w, h))
    strap_mask = strap_mask.filter(ImageFilter.SMOOTH)
    _place(scene, strap, strap_mask, (0, 0), lift=10)

    cloth = _cloth(pal, motifs, rng, (bw, bh), 4, "rows")
    cloth = ImageChops.multiply(cloth, _drape(rng, (bw, bh), 1, 20))
    draw = ImageDraw.Draw(cloth)
    draw.rectangle((0, 0, bw, 14), fill=_shade(pal.trim, 0.9))
    draw.line([(0, 16), (bw, 16)], fill=_shade(pal.ground, 0.6), width=3)
    draw.line([(bw // 2, 18), (bw // 2, bh)], fill=_shade(pal.ground, 0.75), width=2)
    cloth = ImageChops.multiply(cloth, _texture_for(4, False, bw, bh).point(lambda v: 128 + v // 2))
    mask = _smooth_mask((bw, bh), [("polygon", _wobbly_rect(rng, (2, 2, bw - 3, bh - 3), 2, 4), 255)])
    _place(scene, cloth, mask, (bx0, by0), lift=18)
    # Wool pompoms at the lower corners.
    for px in (bx0 + 6, bx0 + bw - 6):
        center = (px, by0 + bh + (8 if small else 14))
        _pompom(scene, rng, center, 34 if small else 46, [pal.trim, *pal.motifs[:3]])


def _runner(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    piece, mask = _band_piece(
        pal, motifs, rng, int(w * 0.38), int(h * 1.0), 4, "ends", fringe_top=70, fringe_bottom=70, folds=1
    )
    piece, mask = _rotated(piece, mask, -22)
    _place_centered(scene, piece, mask, dx=-int(w * 0.04), dy=-int(h * 0.1), lift=12)
    _bowl(scene, rng, (int(w * 0.8), int(h * 0.8)), 96)


def _bowl(scene: Image.Image, rng: random.Random, center: tuple[int, int], radius: int) -> None:
    """A small terracotta bowl from Amatenango del Valle, seen from above, as a prop."""
    cx, cy = center
    size = (radius * 2 + 40, radius * 2 + 40)
    c = size[0] // 2
    clay = Image.new("RGB", size, (0, 0, 0))
    draw = ImageDraw.Draw(clay)
    # Outer wall lit from the upper left, then the hollow inside, deepest towards the light.
    for i in range(radius, 0, -2):
        t = i / radius
        shift = (1 - t) * radius * 0.18
        if t > 0.84:
            tone = _mix((150, 74, 44), (212, 122, 76), (t - 0.84) / 0.16)
        else:
            tone = _mix((118, 56, 34), (178, 94, 58), t / 0.84)
        draw.ellipse((c - i - shift, c - i - shift, c + i - shift, c + i - shift), fill=tone)
    draw.arc(
        (c - radius + 3, c - radius + 3, c + radius - 3, c + radius - 3),
        180,
        300,
        fill=(232, 160, 112),
        width=4,
    )
    for i in range(12):
        a = i * math.tau / 12
        x, y = c + radius * 0.92 * math.cos(a), c + radius * 0.92 * math.sin(a)
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=(240, 224, 200))
    mask = _smooth_mask(size, [("ellipse", [(c - radius, c - radius), (c + radius, c + radius)], 255)])
    _place(scene, clay, mask, (cx - c, cy - c), lift=12)


def _napkins(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    offsets = [(-0.16, -0.2, -8), (0.14, -0.04, 6), (-0.08, 0.2, -3)]
    for dx, dy, angle in offsets:
        side = int(w * 0.46)
        piece, mask = _band_piece(pal, motifs, rng, side, side, 4, "ends", fringe_bottom=34, folds=1)
        piece, mask = _rotated(piece, mask, angle + rng.uniform(-2, 2))
        _place_centered(scene, piece, mask, dx=int(w * dx), dy=int(h * dy), lift=10)


def _placemats(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    for dx, dy, angle in ((-0.04, -0.17, 84), (0.04, 0.17, 94)):
        piece, mask = _band_piece(pal, motifs, rng, int(h * 0.33), int(w * 0.8), 4, "field", folds=1)
        piece, mask = _rotated(piece, mask, angle + rng.uniform(-2, 2))
        _place_centered(scene, piece, mask, dx=int(w * dx), dy=int(h * dy), lift=10)


def _belt(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    for dx, angle in ((-0.14, 13), (0.12, 4)):
        piece, mask = _band_piece(
            pal, motifs, rng, 104, int(h * 0.8), 4, "narrow", fringe_bottom=int(h * 0.12), folds=1
        )
        piece, mask = _rotated(piece, mask, angle)
        _place_centered(scene, piece, mask, dx=int(w * dx), dy=0, lift=10)


def _ribbons(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    length = int(h * 0.68)
    for dx, angle in ((-0.17, 6), (0.0, -1), (0.17, -8)):
        piece, mask = _band_piece(pal, motifs, rng, 84, length, 4, "narrow", folds=1)
        piece, mask = _rotated(piece, mask, angle)
        center = (w // 2 + int(w * dx), h // 2 - int(h * 0.05))
        _place_centered(scene, piece, mask, dx=int(w * dx), dy=-int(h * 0.05), lift=8)
        reach = length / 2 + 18
        end = (
            center[0] + reach * math.sin(math.radians(angle)),
            center[1] + reach * math.cos(math.radians(angle)),
        )
        _pompom(scene, rng, end, 50, [pal.trim, *pal.motifs[:2]])


def _pompom(scene, rng, center, radius, colors) -> None:
    draw = ImageDraw.Draw(scene)
    px, py = center
    for _ in range(radius * 4):
        a, r = rng.uniform(0, math.tau), radius * math.sqrt(rng.random())
        x, y = px + r * math.cos(a), py + r * math.sin(a)
        s = rng.uniform(3, 6)
        draw.ellipse((x - s, y - s, x + s, y + s), fill=_shade(rng.choice(colors), rng.uniform(0.75, 1.05)))


def _bracelets(scene, pal, motifs, rng) -> None:
    w, h = scene.size
    for i in range(4):
        y = int(h * (0.2 + i * 0.19))
        piece, mask = _band_piece(pal, motifs, rng, 84, int(w * 0.64), 4, "narrow", folds=1)
        piece, mask = _rotated(piece, mask, 90 + rng.uniform(-6, 6))
        x = (w - piece.width) // 2 + rng.randint(-30, 30)
        _place(scene, piece, mask, (x, y - piece.height // 2), lift=8)
        draw = ImageDraw.Draw(scene)
        for side in (-1, 1):
            sx = w // 2 + side * (piece.width // 2 - 20) + (x - (w - piece.width) // 2)
            for k in range(3):
                points = [(sx, y - 4 + k * 4)]
                for s in range(1, 7):
                    points.append((sx + side * s * 16, y - 4 + k * 4 + math.sin(s + k) * 6))
                draw.line(points, fill=_shade(pal.trim, 0.9 + 0.05 * k), width=4)


FRONT = {
    "huipil": _huipil,
    "blusa": lambda scene, pal, motifs, rng: _huipil(scene, pal, motifs, rng, blouse=True),
    "rebozo": _rebozo,
    "morral": _bag,
    "bolsa": lambda scene, pal, motifs, rng: _bag(scene, pal, motifs, rng, small=True),
    "camino": _runner,
    "servilletas": _napkins,
    "individuales": _placemats,
    "faja": _belt,
    "cintas": _ribbons,
    "pulseras": _bracelets,
}


def _detail(scene: Image.Image, kind: str, pal: Palette, motifs: tuple[str, ...], rng: random.Random) -> None:
    """A close-up that fills the frame with the weave, slightly turned, with light falling across it."""
    w, h = scene.size
    cell = 13
    if kind in NARROW_KINDS:
        band, band_mask = _band_piece(pal, motifs, rng, 520, int(h * 1.2), 13, "narrow", folds=1)
        band, band_mask = _rotated(band, band_mask, rng.uniform(-8, 8))
        _place_centered(scene, band, band_mask, lift=18)
        return
    # A margin larger than what a turn of up to 3 degrees uncovers at the corners.
    cloth = _cloth(pal, motifs, rng, (w + 100, h + 100), cell, "closeup")
    if rng.random() < 0.5:  # some close-ups are taken a little askew (turning costs time, so not all)
        cloth = cloth.rotate(rng.uniform(-3, 3), Image.Resampling.BILINEAR)
    cloth = cloth.crop((50, 50, 50 + w, 50 + h))
    light = _drape(rng, (w, h), 1, 22)
    scene.paste(ImageChops.multiply(cloth, light))


def _folded(scene: Image.Image, kind: str, pal: Palette, motifs: tuple[str, ...], rng: random.Random) -> None:
    """The piece folded in a neat stack, seen a little from the front, the way it is packed to travel."""
    w, h = scene.size
    if kind in NARROW_KINDS:
        _folded_band(scene, pal, motifs, rng, 120 if kind == "faja" else 92)
        return
    pw, top_h = int(w * 0.72), int(h * 0.46)
    layers, edge = (5, 24) if kind in ("servilletas", "individuales", "pulseras") else (3, 30)
    cloth = _cloth(pal, motifs, rng, (pw, top_h + layers * edge * 3), 4, _style(kind, pal))
    piece = Image.new("RGB", (pw + 16, top_h + layers * edge))
    mask = Image.new("L", piece.size, 0)
    # Layers below show only their folded edges, foreshortened and in shadow; each sits a little askew.
    curve = Image.new("L", (1, 6))
    curve.putdata([200, 244, 226, 188, 150, 104])
    for i in reversed(range(layers)):
        strip = cloth.crop((0, top_h + i * edge * 3, pw, top_h + (i + 1) * edge * 3))
        strip = strip.resize((pw, edge + 6), Image.Resampling.BILINEAR)
        light = curve.resize(strip.size, Image.Resampling.BICUBIC).point(lambda v, i=i: max(0, v - i * 8))
        x = 8 + rng.randint(-6, 6)
        piece.paste(ImageChops.multiply(strip, light.convert("RGB")), (x, top_h + i * edge - 6))
        mask.paste(255, (x, top_h + i * edge - 6, x + pw, top_h + (i + 1) * edge))
    # The top face, softly lit, with the rounded fold along its front edge.
    face = cloth.crop((0, 0, pw, top_h))
    ramp = Image.new("L", (1, 8))
    ramp.putdata([236, 248, 252, 252, 250, 246, 234, 200])
    piece.paste(ImageChops.multiply(face, ramp.resize(face.size, Image.Resampling.BICUBIC).convert("RGB")), (8, 0))
    mask.paste(255, (8, 0, 8 + pw, top_h))
    mask = mask.filter(ImageFilter.SMOOTH)
    piece, mask = _rotated(piece, mask, rng.uniform(-4, 4))
    _place_centered(scene, piece, mask, dy=int(h * 0.02), lift=16)


def _folded_band(scene, pal: Palette, motifs: tuple[str, ...], rng: random.Random, width: int) -> None:
    """A belt or ribbon folded back and forth on itself, its last end hanging loose with its fringe."""
    w, h = scene.size
    length = int(w * 0.76)
    turns = 5
    piece, mask = _band_piece(pal, motifs, rng, width, length * turns, 4, "narrow", folds=1)
    top = (h - turns * (width + 6)) // 2 - int(h * 0.1)
    for i in range(turns):
        segment = piece.crop((0, i * length, width, (i + 1) * length)).transpose(Image.Transpose.ROTATE_90)
        segment_mask = mask.crop((0, i * length, width, (i + 1) * length)).transpose(Image.Transpose.ROTATE_90)
        x = (w - length) // 2 + rng.randint(-12, 12)
        _place(scene, segment, segment_mask, (x, top + i * (width + 6)), lift=8)
    end, end_mask = _band_piece(pal, motifs, rng, width, int(h * 0.2), 4, "narrow", fringe_bottom=int(h * 0.1))
    end, end_mask = _rotated(end, end_mask, 12)
    _place(scene, end, end_mask, (w // 2 + length // 2 - end.width, top + turns * (width + 6) - 10), lift=10)


def draw_product(kind: str, palette: str | Palette, motifs: tuple[str, ...] | list[str], view: str, seed: int) -> bytes:
    """A JPEG "photo" (960x1200) of a piece: its kind, colours, motifs and the view asked for."""
    if kind not in FRONT:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; choose one of {', '.join(VIEWS)}")
    motifs = tuple(motifs) or ("rombos",)
    unknown = [m for m in motifs if m not in MOTIF_INDEX]
    if unknown:
        raise ValueError(f"unknown motif {unknown[0]!r}; choose from {', '.join(MOTIFS)}")
    pal = _palette(palette)
    rng = random.Random(f"{seed}:{kind}:{view}")
    scene = _wood(rng, PRODUCT_SIZE) if kind in WOOD_KINDS else _backdrop(rng, PRODUCT_SIZE)
    if view == "front":
        FRONT[kind](scene, pal, motifs, rng)
    elif view == "detail":
        _detail(scene, kind, pal, motifs, rng)
    else:
        _folded(scene, kind, pal, motifs, rng)
    return _jpeg(scene)


# --- Portraits --------------------------------------------------------------------------------------


def draw_portrait(seed: int, palette: str | Palette) -> bytes:
    """A stylised head-and-shoulders portrait (800x800) of a weaver in her community's huipil."""
    pal = _palette(palette)
    rng = random.Random(f"portrait:{seed}")
    size = PORTRAIT_SIZE
    w, h = size
    warm = rng.choice([(226, 170, 120), (214, 150, 116), (232, 190, 132), (206, 150, 120), (222, 178, 150)])
    scene = ImageChops.multiply(_backdrop(rng, size), Image.new("RGB", size, _shade(warm, 1.1)))
    halo = _smooth_mask(size, [("ellipse", [(w * 0.14, h * 0.04), (w * 0.86, h * 0.8)], 110)])
    scene.paste(Image.new("RGB", size, (250, 234, 210)), (0, 0), halo.filter(ImageFilter.GaussianBlur(40)))

    skin = rng.choice([(150, 98, 66), (140, 90, 60), (158, 106, 72), (132, 84, 58)])
    hair = (30, 25, 25)
    ribbon = pal.trim
    cx = w // 2 + rng.randint(-8, 8)
    half_face = rng.randint(98, 110)
    face_box = (cx - half_face, 176 + rng.randint(-8, 8), cx + half_face, 440)
    shawl = rng.random() < 0.4  # a rebozo over her head instead of braids
    open_eyes = rng.random() < 0.5
    fx0, fy0, fx1, fy1 = face_box

    def fill(color: RGB, mask: Image.Image) -> None:
        scene.paste(Image.new("RGB", size, color), (0, 0), mask)

    # Hair gathered behind the head.
    fill(hair, _smooth_mask(size, [("ellipse", [(fx0 - 30, fy0 - 30), (fx1 + 30, fy0 + 290)], 255)]))

    # Shoulders in a huipil woven in her community's colours, with a soft shadow behind.
    body_mask = _smooth_mask(size, [("ellipse", [(cx - 360, 492), (cx + 360, 1250)], 255)])
    fill((96, 64, 48), body_mask.filter(ImageFilter.GaussianBlur(16)).point(lambda v: v * 35 // 100))
    motifs = ("rombos", "zigzag", "flores", "grecas") if pal.dense else ("rombos", "estrellas", "triangulos")
    cloth = _cloth(pal, motifs, rng, (w, h - 480), 5, "rows")
    cloth = ImageChops.multiply(cloth, _drape(rng, cloth.size, 2, 26))
    body = Image.new("RGB", size)
    body.paste(cloth, (0, 480))
    scene.paste(body, (0, 0), body_mask)

    # Neckline edged with ribbons; the neck rises from it.
    inner = _smooth_mask(size, [("ellipse", [(cx - 78, 494), (cx + 78, 588)], 255)])
    colors = (ribbon, pal.motifs[0], pal.motifs[1 % len(pal.motifs)])
    for i, color in enumerate(colors):
        ring = _smooth_mask(
            size, [("ellipse", [(cx - 118 + i * 12, 484 + i * 8), (cx + 118 - i * 12, 620 - i * 8)], 255)]
        )
        fill(color, ImageChops.subtract(ring, inner))
    fill(_shade(skin, 0.88), inner)
    neck = _smooth_mask(size, [("polygon", [(cx - 50, 380), (cx + 50, 380), (cx + 56, 600), (cx - 56, 600)], 255)])
    fill(_shade(skin, 0.88), ImageChops.multiply(neck, _rect_mask(size, 0, 541)))
    chin_shadow = _smooth_mask(size, [("ellipse", [(cx - 70, 400), (cx + 70, 470)], 120)])
    fill(_shade(skin, 0.72), ImageChops.multiply(chin_shadow.filter(ImageFilter.GaussianBlur(12)), neck))

    # Ears with small earrings, then the face.
    draw = ImageDraw.Draw(scene)
    for side in (-1, 1):
        ex = cx + side * (half_face - 2)
        draw.ellipse((ex - 14, 292, ex + 14, 344), fill=_shade(skin, 0.92))
        draw.line([(ex, 344), (ex, 360)], fill=(210, 170, 80), width=2)
        draw.ellipse((ex - 7, 358, ex + 7, 376), fill=pal.motifs[0])
    face = Image.new("RGB", size, skin)
    light = _smooth_mask(size, [("ellipse", [(cx - 90, 220), (cx + 40, 390)], 70)])
    face.paste(Image.new("RGB", size, _shade(skin, 1.16)), (0, 0), light.filter(ImageFilter.GaussianBlur(30)))
    scene.paste(face, (0, 0), _smooth_mask(size, [("ellipse", [(fx0, fy0), (fx1, fy1)], 255)]))

    # Hair parted in the middle and drawn back over the ears.
    hairline = [(cx - 128, fy0 + 150)]
    for i in range(21):
        t = -1 + i / 10
        hairline.append((cx + t * 112, fy0 + 36 + 92 * abs(t) ** 1.6))
    hairline += [(cx + 128, fy0 + 150), (cx + 128, fy0 - 40), (cx - 128, fy0 - 40)]
    cap = ImageChops.multiply(
        _smooth_mask(size, [("polygon", hairline, 255)]),
        _smooth_mask(size, [("ellipse", [(fx0 - 20, fy0 - 28), (fx1 + 20, fy0 + 250)], 255)]),
    )
    fill(hair, cap)
    draw = ImageDraw.Draw(scene)
    draw.line([(cx, fy0 - 20), (cx, fy0 + 34)], fill=(70, 60, 58), width=3)
    sheen = _smooth_mask(size, [("ellipse", [(cx - 96, fy0 - 20), (cx - 20, fy0 + 40)], 70)])
    fill((96, 86, 84), ImageChops.multiply(sheen.filter(ImageFilter.GaussianBlur(12)), cap))

    # Serene eyes, a calm smile and warm cheeks.
    eye_y = 326
    for side in (-1, 1):
        ex = cx + side * 44
        if open_eyes:
            draw.ellipse((ex - 12, eye_y - 7, ex + 12, eye_y + 9), fill=(44, 30, 28))
            draw.ellipse((ex - 5 + side * 2, eye_y - 4, ex + 1 + side * 2, eye_y + 2), fill=(236, 226, 214))
            draw.arc((ex - 20, eye_y - 12, ex + 20, eye_y + 12), 195, 345, fill=_shade(skin, 0.42), width=3)
        else:
            draw.arc((ex - 22, eye_y - 10, ex + 22, eye_y + 12), 20, 160, fill=_shade(skin, 0.42), width=4)
        draw.arc((ex - 26, eye_y - 38, ex + 26, eye_y - 8), 205, 335, fill=(52, 40, 38), width=5)
    draw.arc((cx - 10, eye_y + 34, cx + 10, eye_y + 58), 60, 120, fill=_shade(skin, 0.7), width=3)
    cheeks = _smooth_mask(
        size,
        [
            ("ellipse", [(cx - 88, eye_y + 28), (cx - 42, eye_y + 64)], 80),
            ("ellipse", [(cx + 42, eye_y + 28), (cx + 88, eye_y + 64)], 80),
        ],
    )
    fill((196, 92, 82), cheeks.filter(ImageFilter.GaussianBlur(10)))
    draw.arc((cx - 24, eye_y + 62, cx + 24, eye_y + 92), 30, 150, fill=_shade(skin, 0.5), width=4)

    if shawl:
        _head_shawl(scene, rng, cx, face_box)
        return _jpeg(scene)
    # Two braids brought forward over the shoulders, with ribbons woven in and tied at the ends.
    for side in (-1, 1):
        for i in range(13):
            y = 384 + i * 25
            x = cx + side * (122 + i * 3.2) + (5 if i % 2 else -5)
            half = 20 - i * 0.6
            draw.ellipse((x - half, y - 16, x + half, y + 16), fill=hair)
            draw.arc((x - half, y - 16, x + half, y + 16), 200, 320, fill=(64, 56, 54), width=2)
            if i % 2 == 0:
                draw.arc((x - half + 3, y - 10, x + half - 3, y + 14), 20, 160, fill=ribbon, width=5)
        tie_x, tie_y = cx + side * (122 + 13 * 3.2), 384 + 13 * 25
        draw.polygon([(tie_x, tie_y), (tie_x - 16, tie_y + 46), (tie_x + 2, tie_y + 40)], fill=ribbon)
        draw.polygon([(tie_x, tie_y), (tie_x + 18, tie_y + 44), (tie_x + 4, tie_y + 40)], fill=_shade(ribbon, 0.8))
        draw.ellipse((tie_x - 9, tie_y - 9, tie_x + 9, tie_y + 9), fill=_shade(ribbon, 0.9))
    return _jpeg(scene)


def _head_shawl(scene: Image.Image, rng: random.Random, cx: int, face_box) -> None:
    """A striped rebozo worn over the head and falling over both shoulders, open at the chest."""
    size = scene.size
    fx0, fy0, fx1, fy1 = face_box
    pal = PALETTES[rng.choice(("anil", "chamula", "campeche", "nogal"))]
    head = _smooth_mask(size, [("ellipse", [(fx0 - 46, fy0 - 62), (fx1 + 46, fy0 + 330)], 255)])
    shoulders = _smooth_mask(
        size,
        [
            ("ellipse", [(cx - 376, 478), (cx + 376, 1264)], 255),
            (
                "polygon",
                [(cx - 150, fy0 + 160), (cx + 150, fy0 + 160), (cx + 230, 560), (cx - 230, 560)],
                255,
            ),
        ],
    )
    chest = _smooth_mask(size, [("polygon", [(cx - 62, 452), (cx + 62, 452), (cx + 170, 800), (cx - 170, 800)], 255)])
    opening = [("ellipse", [(fx0 + 2, fy0 + 26), (fx1 - 2, fy1 + 24)], 255)]
    mask = ImageChops.subtract(
        ImageChops.lighter(head, ImageChops.subtract(shoulders, chest)), _smooth_mask(size, opening)
    )
    cloth = _cloth(pal, ("rombos", "zigzag"), rng, size, 4, "ends")
    cloth = ImageChops.multiply(cloth, _drape(rng, size, 3, 30))
    shadow = mask.filter(ImageFilter.GaussianBlur(10)).point(lambda v: v * 3 // 10)
    scene.paste((40, 28, 22), (6, 10), shadow)
    scene.paste(cloth, (0, 0), mask)
    # The folded edge framing the face.
    edge = ImageChops.subtract(
        _smooth_mask(size, [("ellipse", [(fx0 - 8, fy0 + 16), (fx1 + 8, fy1 + 34)], 255)]),
        _smooth_mask(size, opening),
    )
    scene.paste(_shade(pal.ground, 0.7), (0, 0), ImageChops.multiply(edge, mask))


def _rect_mask(size: tuple[int, int], top: int, bottom: int) -> Image.Image:
    mask = Image.new("L", size, 0)
    mask.paste(255, (0, top, size[0], bottom))
    return mask
