"""The demo catalogue: categories, weavers and pieces as a newcomer sees them when running `shop demo`.

The weavers are invented, but their communities, techniques, materials and dyes are those of the Tzotzil
highlands of Chiapas. Money is in centavos (MXN); weavers' shares are basis points that sum to 10000.
Tzotzil words are avoided on purpose: only sourced words may be used (see TZOTZIL.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shop.catalogue.models import ProductKind, ProductStatus


@dataclass(frozen=True)
class CategoryData:
    slug: str
    name_es: str
    name_en: str
    description_es: str
    description_en: str


@dataclass(frozen=True)
class WeaverData:
    slug: str
    name: str
    community: str
    municipio: str
    bio_es: str
    bio_en: str
    consent_date: date | None  # None: she has not agreed to be shown in the store
    palette: str  # colours of her portrait's huipil (see artwork.PALETTES)
    languages: tuple[str, ...] = ("tzo", "es")


@dataclass(frozen=True)
class Art:
    """How to draw the piece's photos (see artwork.draw_product)."""

    kind: str
    palette: str
    motifs: tuple[str, ...]


@dataclass(frozen=True)
class Photo:
    view: str  # front, detail or folded
    alt_es: str
    alt_en: str


@dataclass(frozen=True)
class ProductData:
    slug: str
    category: str
    title_es: str
    title_en: str
    description_es: str
    description_en: str
    technique_es: str
    technique_en: str
    materials_es: str
    materials_en: str
    dyes_es: str
    dyes_en: str
    price: int  # centavos MXN
    kind: ProductKind
    stock: int
    weavers: tuple[tuple[str, int], ...]  # (weaver slug, share in basis points)
    days_ago: int  # when it was listed, counted back from now; drives "newest first"
    art: Art
    photos: tuple[Photo, ...]
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None
    weight_g: int | None = None
    hours_of_work: int | None = None
    status: ProductStatus = ProductStatus.active
    lead_time_days: int | None = None
    deposit_bp: int | None = None


CATEGORIES: tuple[CategoryData, ...] = (
    CategoryData(
        "huipiles",
        "Huipiles",
        "Huipiles",
        "Blusas tradicionales tejidas en telar de cintura, con el brocado y los colores de cada comunidad.",
        "Traditional tunics woven on the backstrap loom, in the brocade and colours of each community.",
    ),
    CategoryData(
        "rebozos",
        "Rebozos y chales",
        "Rebozos and shawls",
        "Rebozos de algodón y chales de lana para abrigarse, con rayas, brocados y flecos anudados a mano.",
        "Cotton rebozos and wool shawls to keep warm, with stripes, brocade and hand-knotted fringes.",
    ),
    CategoryData(
        "bolsas",
        "Bolsas y morrales",
        "Bags and morrales",
        "Morrales de lana y algodón para todos los días, resistentes y tejidos en una sola pieza.",
        "Wool and cotton shoulder bags for every day, sturdy and woven in a single piece.",
    ),
    CategoryData(
        "manteleria",
        "Mantelería",
        "Table linen",
        "Caminos de mesa, servilletas e individuales para vestir la mesa con los colores de los Altos.",
        "Table runners, napkins and placemats that dress your table in the colours of the highlands.",
    ),
    CategoryData(
        "accesorios",
        "Accesorios",
        "Accessories",
        "Fajas, cintas para el cabello y pulseras: piezas pequeñas tejidas con el mismo cuidado.",
        "Belts, hair ribbons and bracelets: small pieces woven with the same care.",
    ),
)


WEAVERS: tuple[WeaverData, ...] = (
    WeaverData(
        slug="maria-perez-hernandez",
        name="María Pérez Hernández",
        community="Nachij",
        municipio="Zinacantán",
        bio_es=(
            "María aprendió a tejer a los nueve años junto a su abuela, en el patio de su casa en Nachij. "
            "Hoy combina el telar de cintura con el bordado de flores que distingue a Zinacantán, y cambia "
            "sus colores cada temporada, como cambian las flores que se cultivan en su comunidad. "
            "Tiene tres hijas; la mayor ya teje sus propios caminos de mesa."
        ),
        bio_en=(
            "María learned to weave at nine beside her grandmother, in the yard of their home in Nachij. "
            "Today she pairs the backstrap loom with the flower embroidery that marks Zinacantán, and she "
            "changes her colours each season, as the flowers grown in her community change. "
            "She has three daughters; the eldest already weaves her own table runners."
        ),
        consent_date=date(2025, 3, 14),
        palette="zinacantan",
    ),
    WeaverData(
        slug="petrona-lopez-gomez",
        name="Petrona López Gómez",
        community="Santa María Magdalena",
        municipio="Aldama",
        bio_es=(
            "Petrona teje los huipiles ceremoniales de Magdalenas, cubiertos de rombos brocados que hablan "
            "del universo y del paso del tiempo. Aprendió de su madre, que aprendió de la suya, y guarda en "
            "la memoria más de veinte diseños sin necesidad de dibujarlos. Un solo huipil le lleva varios "
            "meses, entre el cuidado de su milpa y de sus nietos."
        ),
        bio_en=(
            "Petrona weaves the ceremonial huipiles of Magdalenas, covered in brocaded diamonds that speak "
            "of the universe and the passing of time. She learned from her mother, who learned from hers, "
            "and she keeps more than twenty designs in her memory without ever drawing them. A single "
            "huipil takes her several months, between tending her cornfield and her grandchildren."
        ),
        consent_date=date(2025, 3, 14),
        palette="magdalenas",
    ),
    WeaverData(
        slug="juana-diaz-santiz",
        name="Juana Díaz Sántiz",
        community="Romerillo",
        municipio="San Juan Chamula",
        bio_es=(
            "Juana trabaja la lana de los borregos que cuida su familia en Romerillo: la lava, la carda, la "
            "hila con malacate y la teje en telar de cintura. Sus chales y morrales en negro, blanco y rojo "
            "abrigan del frío de los Altos. Enseña a hilar a las socias más jóvenes de la cooperativa."
        ),
        bio_en=(
            "Juana works the wool of the sheep her family keeps in Romerillo: she washes it, cards it, spins "
            "it on a drop spindle and weaves it on the backstrap loom. Her black, white and red shawls and "
            "bags keep out the cold of the highlands. She teaches the youngest members of the cooperative "
            "to spin."
        ),
        consent_date=date(2025, 4, 2),
        palette="chamula",
    ),
    WeaverData(
        slug="micaela-hernandez-perez",
        name="Micaela Hernández Pérez",
        community="San Andrés Larráinzar",
        municipio="Larráinzar",
        bio_es=(
            "Micaela creció entre telares en San Andrés Larráinzar, donde los huipiles rojos se llenan de "
            "rombos que cada familia interpreta a su manera. Aprendió con su tía y hoy teje huipiles, "
            "rebozos de algodón teñido con añil y servilletas para la mesa. Le gusta probar combinaciones "
            "nuevas sin perder los diseños de siempre."
        ),
        bio_en=(
            "Micaela grew up among looms in San Andrés Larráinzar, where red huipiles fill with diamonds "
            "that each family interprets in its own way. She learned from her aunt and now weaves huipiles, "
            "indigo-dyed cotton rebozos and napkins for the table. She likes to try new colour combinations "
            "without losing the designs that have always been there."
        ),
        consent_date=date(2025, 5, 20),
        palette="larrainzar",
    ),
    WeaverData(
        slug="pascuala-gomez-ruiz",
        name="Pascuala Gómez Ruiz",
        community="Yabteclum",
        municipio="San Pedro Chenalhó",
        bio_es=(
            "Pascuala teje huipiles blancos con brocado rojo, como los que visten las mujeres de Yabteclum "
            "en las fiestas. Tiñe parte de su hilo con cochinilla y añil. Teje por las tardes, cuando "
            "termina el trabajo en el cafetal de su familia."
        ),
        bio_en=(
            "Pascuala weaves white huipiles with red brocade, like those the women of Yabteclum wear for "
            "festivals. She dyes part of her thread with cochineal and indigo. She weaves in the afternoons, "
            "once the work in her family's coffee plot is done."
        ),
        consent_date=None,
        palette="chenalho",
    ),
    WeaverData(
        slug="rosa-patishtan-lopez",
        name="Rosa Patishtán López",
        community="Navenchauc",
        municipio="Zinacantán",
        bio_es=(
            "Rosa borda y teje en Navenchauc, junto a la laguna. Sus blusas, bolsas e individuales llevan "
            "las flores de Zinacantán en tonos rosa, fucsia y turquesa. Empezó a vender su trabajo en la "
            "cooperativa para pagar los estudios de sus dos hijos."
        ),
        bio_en=(
            "Rosa embroiders and weaves in Navenchauc, beside the lake. Her blouses, bags and placemats "
            "carry the flowers of Zinacantán in pink, fuchsia and turquoise. She began selling her work "
            "through the cooperative to pay for her two sons' schooling."
        ),
        consent_date=date(2026, 1, 9),
        palette="navenchauc",
    ),
    WeaverData(
        slug="catarina-mendez-jimenez",
        name="Catarina Méndez Jiménez",
        community="Las Ollas",
        municipio="San Juan Chamula",
        bio_es=(
            "Catarina teje rebozos y morrales en Las Ollas. Prefiere los tonos cafés de la lana teñida con "
            "nogal y las rayas de añil. Aprendió de su suegra después de casarse."
        ),
        bio_en=(
            "Catarina weaves rebozos and shoulder bags in Las Ollas. She favours the browns of walnut-dyed "
            "wool and stripes of indigo. She learned from her mother-in-law after she married."
        ),
        consent_date=None,
        palette="nogal",
    ),
    WeaverData(
        slug="antonia-vazquez-gomez",
        name="Antonia Vázquez Gómez",
        community="Mitontic",
        municipio="Mitontic",
        bio_es=(
            "Antonia teje desde niña con su madre y sus hermanas en Mitontic. Tiñe el algodón con cochinilla "
            "para sus caminos de mesa, rebozos y morrales, y los llena de rombos y grecas. También teje "
            "pulseras, que enseña a hacer a las niñas de su comunidad."
        ),
        bio_en=(
            "Antonia has woven since childhood with her mother and sisters in Mitontic. She dyes cotton with "
            "cochineal for her table runners, rebozos and bags, and fills them with diamonds and frets. She "
            "also weaves bracelets, and teaches the girls of her community to make them."
        ),
        consent_date=date(2025, 11, 27),
        palette="mitontic",
    ),
)


# Words that recur in the pieces' technical details.
BACKSTRAP_BROCADE = ("Telar de cintura, brocado", "Backstrap loom, brocade")
BROCADE_EMBROIDERY = (
    "Telar de cintura, brocado y bordado a mano",
    "Backstrap loom, brocade and hand embroidery",
)
STRIPED_WEAVE = (
    "Telar de cintura, rayas de urdimbre y brocado",
    "Backstrap loom, warp stripes and brocade",
)
FULLED_WOOL = ("Telar de cintura, lana abatanada", "Backstrap loom, fulled wool")
COTTON = ("Algodón", "Cotton")
COTTON_ACRYLIC = ("Algodón e hilo acrílico", "Cotton and acrylic thread")
CHAMULA_WOOL = ("Lana de borrego de Chamula", "Chamula sheep's wool")
NO_DYES = ("", "")


def front(alt_es: str, alt_en: str) -> Photo:
    return Photo("front", alt_es, alt_en)


def detail(alt_es: str, alt_en: str) -> Photo:
    return Photo("detail", alt_es, alt_en)


def folded(alt_es: str, alt_en: str) -> Photo:
    return Photo("folded", alt_es, alt_en)


def _product(
    *,
    technique: tuple[str, str],
    materials: tuple[str, str],
    dyes: tuple[str, str],
    **fields,
) -> ProductData:
    return ProductData(
        technique_es=technique[0],
        technique_en=technique[1],
        materials_es=materials[0],
        materials_en=materials[1],
        dyes_es=dyes[0],
        dyes_en=dyes[1],
        **fields,
    )


PRODUCTS: tuple[ProductData, ...] = (
    # --- Huipiles -------------------------------------------------------------------------------
    _product(
        slug="huipil-ceremonial-magdalenas-rojo",
        category="huipiles",
        title_es="Huipil ceremonial de Magdalenas, rojo",
        title_en="Ceremonial huipil from Magdalenas, red",
        description_es=(
            "Huipil de tres lienzos tejido en telar de cintura y cubierto de brocado de punta a punta. "
            "Los rombos representan el universo y sus cuatro esquinas; los zigzags, los caminos de la "
            "montaña, y las grecas, el movimiento del tiempo. Es una pieza de fiesta, pensada para "
            "durar generaciones."
        ),
        description_en=(
            "A three-panel huipil woven on the backstrap loom and covered in brocade from edge to edge. "
            "The diamonds stand for the universe and its four corners; the zigzags for the mountain paths, "
            "and the frets for the movement of time. It is a festival piece, made to last for generations."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=("Algodón y lana", "Cotton and wool"),
        dyes=("Cochinilla", "Cochineal"),
        length_mm=1000,
        width_mm=880,
        weight_g=1150,
        hours_of_work=320,
        price=980000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("petrona-lopez-gomez", 10000),),
        days_ago=3,
        art=Art("huipil", "magdalenas", ("rombos", "zigzag", "grecas", "estrellas")),
        photos=(
            front(
                "Huipil rojo con rombos brocados, vista frontal",
                "Red huipil with brocaded diamonds, front view",
            ),
            detail(
                "Detalle del brocado: rombos y grecas en amarillo, negro y blanco",
                "Detail of the brocade: diamonds and frets in yellow, black and white",
            ),
            folded("El huipil doblado, listo para enviarse", "The huipil folded, ready to ship"),
        ),
    ),
    _product(
        slug="huipil-rombos-larrainzar",
        category="huipiles",
        title_es="Huipil de rombos de San Andrés Larráinzar",
        title_en="Diamond huipil from San Andrés Larráinzar",
        description_es=(
            "Huipil rojo profundo con hileras de rombos, montañas y estrellas brocadas en blanco y "
            "amarillo. En San Andrés los rombos son el mundo, con el sol recorriéndolo de un extremo a "
            "otro. Micaela lo tejió en dos lienzos unidos con una costura decorativa."
        ),
        description_en=(
            "A deep red huipil with rows of brocaded diamonds, mountains and stars in white and yellow. "
            "In San Andrés the diamond is the world, with the sun travelling across it from end to end. "
            "Micaela wove it in two panels joined by a decorative seam."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON,
        dyes=("Cochinilla y palo de Campeche", "Cochineal and logwood"),
        length_mm=900,
        width_mm=820,
        weight_g=780,
        hours_of_work=190,
        price=620000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("micaela-hernandez-perez", 10000),),
        days_ago=11,
        art=Art("huipil", "larrainzar", ("rombos", "triangulos", "estrellas")),
        photos=(
            front("Huipil rojo de Larráinzar, vista frontal", "Red huipil from Larráinzar, front view"),
            detail("Detalle de los rombos brocados en blanco", "Detail of the diamonds brocaded in white"),
        ),
    ),
    _product(
        slug="huipil-flores-nachij-violeta",
        category="huipiles",
        title_es="Huipil de flores de Nachij, violeta",
        title_en="Flower huipil from Nachij, violet",
        description_es=(
            "Sobre un fondo violeta, María brocó y bordó a mano las flores que distinguen a Zinacantán: "
            "rosas, fucsias y turquesas, como las que crecen en los invernaderos de su comunidad. Las "
            "mariposas y estrellas entre las flores hablan de la fiesta y de la abundancia."
        ),
        description_en=(
            "On a violet ground, María brocaded and hand-embroidered the flowers that mark Zinacantán: "
            "pinks, fuchsias and turquoises, like those grown in her community's greenhouses. The "
            "butterflies and stars among the flowers speak of celebration and abundance."
        ),
        technique=BROCADE_EMBROIDERY,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=720,
        width_mm=760,
        weight_g=520,
        hours_of_work=140,
        price=480000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("maria-perez-hernandez", 10000),),
        days_ago=6,
        art=Art("huipil", "zinacantan", ("flores", "estrellas", "mariposas")),
        photos=(
            front(
                "Huipil violeta con flores bordadas, vista frontal",
                "Violet huipil with embroidered flowers, front view",
            ),
            detail("Detalle de las flores en rosa y turquesa", "Detail of the pink and turquoise flowers"),
            folded("El huipil doblado", "The huipil, folded"),
        ),
    ),
    _product(
        slug="huipil-blanco-yabteclum",
        category="huipiles",
        title_es="Huipil blanco de Yabteclum con brocado rojo",
        title_en="White huipil from Yabteclum with red brocade",
        description_es=(
            "Huipil de algodón blanco con el pecho y los hombros brocados en rojo cochinilla y azul añil, "
            "como se usa en las fiestas de Chenalhó. Los rombos del pecho representan el universo; "
            "las estrellas sueltas de la parte baja, el cielo de la noche."
        ),
        description_en=(
            "A white cotton huipil with the chest and shoulders brocaded in cochineal red and indigo blue, "
            "as worn for festivals in Chenalhó. The diamonds on the chest stand for the universe; the "
            "scattered stars below, the night sky."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON,
        dyes=("Cochinilla y añil", "Cochineal and indigo"),
        length_mm=880,
        width_mm=800,
        weight_g=640,
        hours_of_work=170,
        price=540000,
        kind=ProductKind.unique,
        stock=0,
        status=ProductStatus.sold_out,
        weavers=(("pascuala-gomez-ruiz", 10000),),
        days_ago=170,
        art=Art("huipil", "chenalho", ("rombos", "triangulos", "estrellas")),
        photos=(
            front(
                "Huipil blanco con brocado rojo en el pecho, vista frontal",
                "White huipil with red brocade on the chest, front view",
            ),
            detail("Detalle del brocado en rojo y azul", "Detail of the red and blue brocade"),
        ),
    ),
    _product(
        slug="blusa-flores-navenchauc",
        category="huipiles",
        title_es="Blusa bordada de Navenchauc",
        title_en="Embroidered blouse from Navenchauc",
        description_es=(
            "Blusa de manga corta con el cuello cuadrado bordado y un campo de pequeñas flores, en los "
            "azules y rosas de Navenchauc. Es ligera y fresca, para usarla todos los días. Rosa teje una "
            "pequeña serie de cada combinación de colores."
        ),
        description_en=(
            "A short-sleeved blouse with an embroidered square neck and a field of small flowers, in the "
            "blues and pinks of Navenchauc. It is light and cool, for everyday wear. Rosa weaves a small "
            "series of each colour combination."
        ),
        technique=BROCADE_EMBROIDERY,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=640,
        width_mm=560,
        weight_g=280,
        hours_of_work=45,
        price=165000,
        kind=ProductKind.series,
        stock=3,
        weavers=(("rosa-patishtan-lopez", 10000),),
        days_ago=20,
        art=Art("blusa", "navenchauc", ("flores", "mariposas")),
        photos=(
            front("Blusa azul con flores bordadas, de frente", "Blue blouse with embroidered flowers, front"),
            detail("Detalle del bordado del cuello", "Detail of the embroidered neckline"),
            folded("La blusa doblada", "The blouse, folded"),
        ),
    ),
    _product(
        slug="huipil-magdalenas-por-encargo",
        category="huipiles",
        title_es="Huipil de Magdalenas por encargo",
        title_en="Made-to-order huipil from Magdalenas",
        description_es=(
            "Petrona y Micaela tejen para ti un huipil ceremonial de Magdalenas, con rombos, grecas y "
            "zigzags brocados sobre rojo cochinilla. Antes de empezar acordamos contigo la talla y los "
            "colores del brocado. Se paga la mitad al encargarlo y el resto al terminarlo."
        ),
        description_en=(
            "Petrona and Micaela weave a ceremonial Magdalenas huipil for you, with diamonds, frets and "
            "zigzags brocaded on cochineal red. Before they start, we agree with you on the size and the "
            "brocade colours. Half is paid when you order and the rest when it is finished."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=("Algodón y lana", "Cotton and wool"),
        dyes=("Cochinilla", "Cochineal"),
        length_mm=1000,
        width_mm=880,
        weight_g=1100,
        hours_of_work=300,
        price=1150000,
        kind=ProductKind.made_to_order,
        stock=0,
        lead_time_days=90,
        deposit_bp=5000,
        weavers=(("petrona-lopez-gomez", 6000), ("micaela-hernandez-perez", 4000)),
        days_ago=45,
        art=Art("huipil", "magdalenas", ("grecas", "rombos", "zigzag")),
        photos=(
            front(
                "Huipil ceremonial rojo como el que se teje por encargo, vista frontal",
                "Red ceremonial huipil like the one woven to order, front view",
            ),
            detail("Detalle de grecas y rombos brocados", "Detail of brocaded frets and diamonds"),
        ),
    ),
    _product(
        slug="huipil-rayas-mitontic",
        category="huipiles",
        title_es="Huipil blanco de Mitontic con rombos",
        title_en="White huipil from Mitontic with diamonds",
        description_es=(
            "Huipil de algodón blanco con bandas de rombos y zigzags en rojo, negro y verde sobre el "
            "pecho, y finas rayas rojas hacia abajo. Los zigzags recuerdan a la serpiente y a los ríos "
            "que bajan de la montaña."
        ),
        description_en=(
            "A white cotton huipil with bands of diamonds and zigzags in red, black and green across the "
            "chest, and fine red stripes below. The zigzags recall the serpent and the rivers that run "
            "down from the mountain."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=860,
        width_mm=780,
        weight_g=600,
        hours_of_work=150,
        price=420000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("antonia-vazquez-gomez", 10000),),
        days_ago=28,
        art=Art("huipil", "mitontic", ("rombos", "zigzag")),
        photos=(
            front("Huipil blanco con bandas rojas, vista frontal", "White huipil with red bands, front view"),
            detail("Detalle de los zigzags brocados", "Detail of the brocaded zigzags"),
            folded("El huipil doblado", "The huipil, folded"),
        ),
    ),
    # --- Rebozos y chales ---------------------------------------------------------------------------
    _product(
        slug="chal-lana-negra-romerillo",
        category="rebozos",
        title_es="Chal de lana negra de Romerillo",
        title_en="Black wool shawl from Romerillo",
        description_es=(
            "Chal de lana de borrego hilada a mano, en el negro natural de la lana, con rombos y zigzags "
            "en blanco y rojo en los extremos. Es grueso y cálido, hecho para las mañanas frías de "
            "Chamula. Los flecos están torcidos y anudados a mano."
        ),
        description_en=(
            "A shawl of hand-spun sheep's wool in the wool's natural black, with white and red diamonds "
            "and zigzags at the ends. It is thick and warm, made for cold Chamula mornings. The fringes "
            "are twisted and knotted by hand."
        ),
        technique=FULLED_WOOL,
        materials=CHAMULA_WOOL,
        dyes=NO_DYES,
        length_mm=1900,
        width_mm=620,
        weight_g=720,
        hours_of_work=80,
        price=240000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("juana-diaz-santiz", 10000),),
        days_ago=9,
        art=Art("rebozo", "chamula", ("rombos", "zigzag")),
        photos=(
            front("Chal negro de lana con flecos, extendido", "Black wool shawl with fringes, laid out"),
            detail("Detalle de los rombos en los extremos", "Detail of the diamonds at the ends"),
            folded("El chal doblado", "The shawl, folded"),
        ),
    ),
    _product(
        slug="rebozo-anil-rayas",
        category="rebozos",
        title_es="Rebozo de rayas teñido con añil",
        title_en="Indigo-dyed striped rebozo",
        description_es=(
            "Rebozo de algodón teñido con añil en varios baños, para lograr los distintos azules de sus "
            "rayas. En los extremos lleva grecas y rombos brocados en blanco y amarillo. Se usa como "
            "rebozo, bufanda o para cubrir un sillón."
        ),
        description_en=(
            "A cotton rebozo dyed with indigo in several baths to get the different blues of its stripes. "
            "At the ends it carries frets and diamonds brocaded in white and yellow. Wear it as a rebozo "
            "or a scarf, or drape it over an armchair."
        ),
        technique=STRIPED_WEAVE,
        materials=COTTON,
        dyes=("Añil", "Indigo"),
        length_mm=2000,
        width_mm=640,
        weight_g=420,
        hours_of_work=60,
        price=290000,
        kind=ProductKind.series,
        stock=2,
        weavers=(("micaela-hernandez-perez", 10000),),
        days_ago=14,
        art=Art("rebozo", "anil", ("grecas", "rombos")),
        photos=(
            front("Rebozo azul de rayas con flecos", "Blue striped rebozo with fringes"),
            detail("Detalle de las grecas brocadas", "Detail of the brocaded frets"),
        ),
    ),
    _product(
        slug="rebozo-cochinilla-rombos",
        category="rebozos",
        title_es="Rebozo rojo cochinilla con rombos",
        title_en="Cochineal-red rebozo with diamonds",
        description_es=(
            "Rebozo de algodón teñido con cochinilla, con rayas negras y blancas a lo largo y una banda "
            "de rombos y estrellas en cada extremo. La cochinilla, el insecto del nopal, da este rojo que "
            "se ha usado en los Altos desde hace siglos."
        ),
        description_en=(
            "A cotton rebozo dyed with cochineal, with black and white stripes along its length and a band "
            "of diamonds and stars at each end. Cochineal, the insect of the prickly pear, gives the red "
            "that has been used in the highlands for centuries."
        ),
        technique=STRIPED_WEAVE,
        materials=COTTON,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=2100,
        width_mm=660,
        weight_g=450,
        hours_of_work=95,
        price=380000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("antonia-vazquez-gomez", 10000),),
        days_ago=33,
        art=Art("rebozo", "cochinilla", ("rombos", "estrellas")),
        photos=(
            front("Rebozo rojo con flecos, extendido", "Red rebozo with fringes, laid out"),
            detail("Detalle de la banda de rombos", "Detail of the band of diamonds"),
            folded("El rebozo doblado", "The rebozo, folded"),
        ),
    ),
    _product(
        slug="chal-flores-zinacantan",
        category="rebozos",
        title_es="Chal de flores de Zinacantán",
        title_en="Zinacantán flower shawl",
        description_es=(
            "Chal violeta tejido a cuatro manos por María y Rosa, con flores y mariposas brocadas en los "
            "extremos y finas rayas fucsia y turquesa. Las flores son el orgullo de Zinacantán y cambian "
            "de color con las temporadas."
        ),
        description_en=(
            "A violet shawl woven by four hands, María's and Rosa's, with flowers and butterflies brocaded "
            "at the ends and fine fuchsia and turquoise stripes. Flowers are the pride of Zinacantán and "
            "change colour with the seasons."
        ),
        technique=BROCADE_EMBROIDERY,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=1800,
        width_mm=600,
        weight_g=380,
        hours_of_work=110,
        price=420000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("maria-perez-hernandez", 5000), ("rosa-patishtan-lopez", 5000)),
        days_ago=1,
        art=Art("rebozo", "zinacantan", ("flores", "mariposas")),
        photos=(
            front("Chal violeta con flores brocadas", "Violet shawl with brocaded flowers"),
            detail("Detalle de flores y mariposas", "Detail of flowers and butterflies"),
        ),
    ),
    _product(
        slug="rebozo-nogal-las-ollas",
        category="rebozos",
        title_es="Rebozo de lana teñida con nogal",
        title_en="Walnut-dyed wool rebozo",
        description_es=(
            "Rebozo de lana en el café cálido del nogal, con rayas color crema y rombos sencillos en los "
            "extremos. La cáscara de nuez se hierve durante horas para teñir la lana sin químicos. "
            "Suave y ligero para ser de lana."
        ),
        description_en=(
            "A wool rebozo in the warm brown of walnut, with cream stripes and simple diamonds at the "
            "ends. The walnut husks are boiled for hours to dye the wool without chemicals. Soft and "
            "light for a wool piece."
        ),
        technique=STRIPED_WEAVE,
        materials=CHAMULA_WOOL,
        dyes=("Nogal", "Walnut"),
        length_mm=1850,
        width_mm=560,
        weight_g=520,
        hours_of_work=70,
        price=210000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("catarina-mendez-jimenez", 10000),),
        days_ago=62,
        art=Art("rebozo", "nogal", ("rombos", "grecas")),
        photos=(
            front("Rebozo café de lana con flecos", "Brown wool rebozo with fringes"),
            detail("Detalle del tejido de lana y los rombos", "Detail of the wool weave and diamonds"),
        ),
    ),
    _product(
        slug="rebozo-campeche-por-encargo",
        category="rebozos",
        title_es="Rebozo de lana teñida con palo de Campeche, por encargo",
        title_en="Logwood-dyed wool rebozo, made to order",
        description_es=(
            "Dos tejedoras hilan, tiñen y tejen este rebozo de lana cuando lo encargas. El palo de "
            "Campeche da un morado profundo, que acompañan con rombos y zigzags en crema y rosa. Se paga "
            "un anticipo del 30 % al encargarlo."
        ),
        description_en=(
            "Two weavers spin, dye and weave this wool rebozo when you order it. Logwood gives a "
            "deep purple, set off by diamonds and zigzags in cream and pink. A 30% deposit is paid when "
            "you order."
        ),
        technique=STRIPED_WEAVE,
        materials=CHAMULA_WOOL,
        dyes=("Palo de Campeche", "Logwood"),
        length_mm=1900,
        width_mm=600,
        weight_g=560,
        hours_of_work=90,
        price=450000,
        kind=ProductKind.made_to_order,
        stock=0,
        lead_time_days=60,
        deposit_bp=3000,
        weavers=(("juana-diaz-santiz", 6000), ("catarina-mendez-jimenez", 4000)),
        days_ago=75,
        art=Art("rebozo", "campeche", ("rombos", "zigzag")),
        photos=(
            front("Rebozo morado de lana con flecos", "Purple wool rebozo with fringes"),
            detail("Detalle de rombos en crema y rosa", "Detail of diamonds in cream and pink"),
        ),
    ),
    # --- Bolsas y morrales ----------------------------------------------------------------------------
    _product(
        slug="morral-lana-chamula",
        category="bolsas",
        title_es="Morral de lana de Chamula",
        title_en="Chamula wool shoulder bag",
        description_es=(
            "Morral de lana negra con hileras de rombos y zigzags en rojo, blanco, verde y amarillo, y "
            "borlas de lana en las esquinas. Es amplio y resistente: cabe un cuaderno, una botella y el "
            "mandado."
        ),
        description_en=(
            "A black wool shoulder bag with rows of diamonds and zigzags in red, white, green and yellow, "
            "and wool pompoms at the corners. It is roomy and sturdy: it fits a notebook, a bottle and "
            "the shopping."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=CHAMULA_WOOL,
        dyes=NO_DYES,
        length_mm=340,
        width_mm=300,
        height_mm=40,
        weight_g=380,
        hours_of_work=26,
        price=95000,
        kind=ProductKind.series,
        stock=4,
        weavers=(("juana-diaz-santiz", 10000),),
        days_ago=17,
        art=Art("morral", "chamula", ("rombos", "zigzag")),
        photos=(
            front("Morral negro de lana con asa, de frente", "Black wool bag with strap, front"),
            detail("Detalle de los rombos brocados", "Detail of the brocaded diamonds"),
            folded("El morral doblado para el envío", "The bag folded for shipping"),
        ),
    ),
    _product(
        slug="morral-rombos-cochinilla",
        category="bolsas",
        title_es="Morral rojo de rombos y grecas",
        title_en="Red bag with diamonds and frets",
        description_es=(
            "Morral de algodón teñido con cochinilla, cubierto de rombos y grecas en negro, blanco y "
            "amarillo. Las grecas escalonadas representan el movimiento y el tiempo. El asa es una cinta "
            "tejida en telar aparte."
        ),
        description_en=(
            "A cochineal-dyed cotton bag covered in diamonds and frets in black, white and yellow. The "
            "stepped frets stand for movement and time. The strap is a band woven separately on the loom."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=320,
        width_mm=290,
        height_mm=30,
        weight_g=260,
        hours_of_work=30,
        price=120000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("antonia-vazquez-gomez", 10000),),
        days_ago=24,
        art=Art("morral", "cochinilla", ("rombos", "grecas")),
        photos=(
            front("Morral rojo con asa, de frente", "Red bag with strap, front"),
            detail("Detalle de las grecas", "Detail of the frets"),
        ),
    ),
    _product(
        slug="bolsa-flores-navenchauc",
        category="bolsas",
        title_es="Bolsa de flores de Navenchauc",
        title_en="Flower bag from Navenchauc",
        description_es=(
            "Bolsa de mano azul con flores y mariposas brocadas en rosa, fucsia y turquesa, y pompones "
            "de estambre. Alegre y ligera, para salir a pasear o de fiesta."
        ),
        description_en=(
            "A blue handbag with flowers and butterflies brocaded in pink, fuchsia and turquoise, and "
            "yarn pompoms. Cheerful and light, for a stroll or a party."
        ),
        technique=BROCADE_EMBROIDERY,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=260,
        width_mm=240,
        height_mm=30,
        weight_g=190,
        hours_of_work=22,
        price=135000,
        kind=ProductKind.series,
        stock=3,
        weavers=(("rosa-patishtan-lopez", 10000),),
        days_ago=38,
        art=Art("bolsa", "navenchauc", ("flores", "mariposas")),
        photos=(
            front("Bolsa azul con flores, de frente", "Blue bag with flowers, front"),
            detail("Detalle de las flores brocadas", "Detail of the brocaded flowers"),
        ),
    ),
    _product(
        slug="morral-rayas-anil",
        category="bolsas",
        title_es="Morral de algodón teñido con añil",
        title_en="Indigo-dyed cotton shoulder bag",
        description_es=(
            "Morral sencillo de algodón azul añil con zigzags y estrellas en blanco. Los zigzags evocan "
            "los caminos que suben y bajan por la montaña. Un morral para el diario que mejora con el uso."
        ),
        description_en=(
            "A simple indigo-blue cotton bag with white zigzags and stars. The zigzags evoke the paths "
            "that climb up and down the mountain. An everyday bag that gets better with use."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON,
        dyes=("Añil", "Indigo"),
        length_mm=300,
        width_mm=270,
        height_mm=20,
        weight_g=210,
        hours_of_work=18,
        price=65000,
        kind=ProductKind.series,
        stock=5,
        weavers=(("catarina-mendez-jimenez", 10000),),
        days_ago=90,
        art=Art("morral", "anil", ("zigzag", "estrellas")),
        photos=(
            front("Morral azul añil con asa", "Indigo-blue bag with strap"),
            detail("Detalle de los zigzags en blanco", "Detail of the white zigzags"),
        ),
    ),
    _product(
        slug="bolsa-grecas-larrainzar",
        category="bolsas",
        title_es="Bolsa pequeña de grecas",
        title_en="Small bag with frets",
        description_es=(
            "Bolsa pequeña en rojo profundo con grecas y rombos en blanco y amarillo, del mismo tejido "
            "que los huipiles de San Andrés. Perfecta para el celular, las llaves y un monedero."
        ),
        description_en=(
            "A small deep-red bag with white and yellow frets and diamonds, in the same weave as the "
            "huipiles of San Andrés. Just right for a phone, keys and a purse."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=220,
        width_mm=200,
        height_mm=20,
        weight_g=140,
        hours_of_work=14,
        price=78000,
        kind=ProductKind.series,
        stock=6,
        weavers=(("micaela-hernandez-perez", 10000),),
        days_ago=52,
        art=Art("bolsa", "larrainzar", ("grecas", "rombos")),
        photos=(
            front("Bolsa roja pequeña con asa", "Small red bag with strap"),
            detail("Detalle de las grecas blancas", "Detail of the white frets"),
            folded("La bolsa doblada", "The bag, folded"),
        ),
    ),
    # --- Mantelería --------------------------------------------------------------------------------
    _product(
        slug="camino-de-mesa-rombos-cochinilla",
        category="manteleria",
        title_es="Camino de mesa rojo con rombos",
        title_en="Red table runner with diamonds",
        description_es=(
            "Camino de mesa de algodón teñido con cochinilla, con rayas negras y blancas y una banda de "
            "rombos y grecas en cada extremo, rematada con flecos. Viste una mesa de seis personas."
        ),
        description_en=(
            "A cochineal-dyed cotton table runner with black and white stripes and a band of diamonds "
            "and frets at each end, finished with fringes. It dresses a table for six."
        ),
        technique=STRIPED_WEAVE,
        materials=COTTON,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=1800,
        width_mm=380,
        weight_g=420,
        hours_of_work=55,
        price=145000,
        kind=ProductKind.unique,
        stock=1,
        weavers=(("antonia-vazquez-gomez", 10000),),
        days_ago=5,
        art=Art("camino", "cochinilla", ("rombos", "grecas")),
        photos=(
            front("Camino de mesa rojo sobre una mesa de madera", "Red table runner on a wooden table"),
            detail("Detalle de los rombos del extremo", "Detail of the diamonds at the end"),
            folded("El camino de mesa doblado", "The table runner, folded"),
        ),
    ),
    _product(
        slug="camino-de-mesa-flores-zinacantan",
        category="manteleria",
        title_es="Camino de mesa de flores de Zinacantán",
        title_en="Zinacantán flower table runner",
        description_es=(
            "Camino de mesa violeta con flores y estrellas en los extremos y rayas fucsia y turquesa a "
            "lo largo. Las flores de Zinacantán llenan de color cualquier comedor."
        ),
        description_en=(
            "A violet table runner with flowers and stars at the ends and fuchsia and turquoise stripes "
            "along its length. The flowers of Zinacantán bring colour to any dining room."
        ),
        technique=BROCADE_EMBROIDERY,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=1600,
        width_mm=350,
        weight_g=360,
        hours_of_work=60,
        price=175000,
        kind=ProductKind.unique,
        stock=0,
        status=ProductStatus.sold_out,
        weavers=(("maria-perez-hernandez", 10000),),
        days_ago=120,
        art=Art("camino", "zinacantan", ("flores", "estrellas")),
        photos=(
            front("Camino de mesa violeta sobre madera", "Violet table runner on wood"),
            detail("Detalle de las flores brocadas", "Detail of the brocaded flowers"),
        ),
    ),
    _product(
        slug="camino-de-mesa-a-la-medida",
        category="manteleria",
        title_es="Camino de mesa a la medida",
        title_en="Made-to-measure table runner",
        description_es=(
            "Antonia teje el camino de mesa al largo de tu mesa, en blanco con rombos y zigzags rojos y "
            "negros. El precio es por un camino de hasta 1.8 metros; nos escribes las medidas al "
            "encargarlo. Se paga un anticipo del 30 %."
        ),
        description_en=(
            "Antonia weaves the runner to the length of your table, in white with red and black diamonds "
            "and zigzags. The price is for a runner up to 1.8 metres; you send us the measurements when "
            "you order. A 30% deposit is paid up front."
        ),
        technique=STRIPED_WEAVE,
        materials=COTTON,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=1800,
        width_mm=380,
        weight_g=400,
        hours_of_work=60,
        price=160000,
        kind=ProductKind.made_to_order,
        stock=0,
        lead_time_days=45,
        deposit_bp=3000,
        weavers=(("antonia-vazquez-gomez", 10000),),
        days_ago=100,
        art=Art("camino", "mitontic", ("rombos", "zigzag")),
        photos=(
            front("Camino de mesa blanco con rombos rojos", "White table runner with red diamonds"),
            detail("Detalle de rombos y zigzags", "Detail of diamonds and zigzags"),
        ),
    ),
    _product(
        slug="servilletas-anil-juego-de-4",
        category="manteleria",
        title_es="Servilletas de añil, juego de 4",
        title_en="Indigo napkins, set of 4",
        description_es=(
            "Cuatro servilletas de algodón teñido con añil, con rayas blancas y una hilera de zigzags y "
            "estrellas en un borde. Sirven para la mesa o para envolver las tortillas calientes."
        ),
        description_en=(
            "Four indigo-dyed cotton napkins with white stripes and a row of zigzags and stars along one "
            "edge. Use them at the table or to keep warm tortillas wrapped."
        ),
        technique=STRIPED_WEAVE,
        materials=COTTON,
        dyes=("Añil", "Indigo"),
        length_mm=450,
        width_mm=450,
        weight_g=240,
        hours_of_work=16,
        price=45000,
        kind=ProductKind.series,
        stock=6,
        weavers=(("micaela-hernandez-perez", 10000),),
        days_ago=8,
        art=Art("servilletas", "anil", ("zigzag", "estrellas")),
        photos=(
            front("Tres servilletas azules sobre madera", "Three blue napkins on wood"),
            detail("Detalle del borde brocado", "Detail of the brocaded edge"),
            folded("Las servilletas dobladas en una pila", "The napkins folded in a stack"),
        ),
    ),
    _product(
        slug="servilletas-rojas-yabteclum",
        category="manteleria",
        title_es="Servilletas blancas con brocado rojo, juego de 4",
        title_en="White napkins with red brocade, set of 4",
        description_es=(
            "Servilletas de algodón blanco con rayas rojas y azules y un borde de rombos y montañas, "
            "con el brocado de los huipiles de Chenalhó. Las montañas recuerdan el paisaje de los Altos."
        ),
        description_en=(
            "White cotton napkins with red and blue stripes and a border of diamonds and mountains, in "
            "the brocade of Chenalhó's huipiles. The mountains recall the landscape of the highlands."
        ),
        technique=STRIPED_WEAVE,
        materials=COTTON,
        dyes=("Cochinilla y añil", "Cochineal and indigo"),
        length_mm=420,
        width_mm=420,
        weight_g=220,
        hours_of_work=18,
        price=48000,
        kind=ProductKind.series,
        stock=4,
        weavers=(("pascuala-gomez-ruiz", 10000),),
        days_ago=80,
        art=Art("servilletas", "chenalho", ("rombos", "triangulos")),
        photos=(
            front("Servilletas blancas sobre madera", "White napkins on wood"),
            detail("Detalle del borde de rombos", "Detail of the diamond border"),
        ),
    ),
    _product(
        slug="individuales-flores-juego-de-4",
        category="manteleria",
        title_es="Individuales de flores, juego de 4",
        title_en="Flower placemats, set of 4",
        description_es=(
            "Cuatro individuales azules con un campo de flores brocadas y bandas de rombos en los "
            "extremos. Las flores de Navenchauc, en rosa y turquesa, para cada lugar de la mesa."
        ),
        description_en=(
            "Four blue placemats with a field of brocaded flowers and bands of diamonds at the ends. The "
            "flowers of Navenchauc, in pink and turquoise, for every place at the table."
        ),
        technique=BROCADE_EMBROIDERY,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=450,
        width_mm=320,
        weight_g=360,
        hours_of_work=34,
        price=98000,
        kind=ProductKind.series,
        stock=3,
        weavers=(("rosa-patishtan-lopez", 10000),),
        days_ago=30,
        art=Art("individuales", "navenchauc", ("flores", "rombos")),
        photos=(
            front("Dos individuales azules sobre madera", "Two blue placemats on wood"),
            detail("Detalle de las flores brocadas", "Detail of the brocaded flowers"),
            folded("Los cuatro individuales en una pila", "The four placemats in a stack"),
        ),
    ),
    # --- Accesorios ----------------------------------------------------------------------------------
    _product(
        slug="faja-roja-chamula",
        category="accesorios",
        title_es="Faja roja de lana",
        title_en="Red wool belt",
        description_es=(
            "Faja de lana roja con rombos en negro, blanco y amarillo, como las que ciñen las enaguas de "
            "lana en Chamula. Termina en flecos para anudarla a la cintura."
        ),
        description_en=(
            "A red wool belt with diamonds in black, white and yellow, like those that hold up the wool "
            "skirts of Chamula. It ends in fringes to tie at the waist."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=CHAMULA_WOOL,
        dyes=("Cochinilla", "Cochineal"),
        length_mm=2200,
        width_mm=90,
        weight_g=160,
        hours_of_work=12,
        price=35000,
        kind=ProductKind.series,
        stock=8,
        weavers=(("juana-diaz-santiz", 10000),),
        days_ago=12,
        art=Art("faja", "cochinilla", ("rombos",)),
        photos=(
            front("Dos fajas rojas con flecos", "Two red belts with fringes"),
            detail("Detalle de los rombos de la faja", "Detail of the belt's diamonds"),
            folded("La faja doblada", "The belt, folded"),
        ),
    ),
    _product(
        slug="cinturon-brocado-flores",
        category="accesorios",
        title_es="Cinturón brocado de flores",
        title_en="Brocaded flower belt",
        description_es=(
            "Cinturón angosto, violeta, con flores brocadas en rosa, turquesa y amarillo. Se lleva con "
            "vestido, con pantalón o atado a la bolsa."
        ),
        description_en=(
            "A narrow violet belt with flowers brocaded in pink, turquoise and yellow. Wear it with a "
            "dress or trousers, or tie it to your bag."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=1600,
        width_mm=50,
        weight_g=60,
        hours_of_work=9,
        price=42000,
        kind=ProductKind.series,
        stock=5,
        weavers=(("rosa-patishtan-lopez", 10000),),
        days_ago=40,
        art=Art("faja", "zinacantan", ("flores",)),
        photos=(
            front("Cinturones violetas con flores", "Violet belts with flowers"),
            detail("Detalle de las flores del cinturón", "Detail of the belt's flowers"),
        ),
    ),
    _product(
        slug="cintas-para-el-cabello-juego-de-3",
        category="accesorios",
        title_es="Cintas para el cabello con pompones, juego de 3",
        title_en="Hair ribbons with pompoms, set of 3",
        description_es=(
            "Tres cintas tejidas con flores, terminadas en pompones de estambre, como las que las "
            "mujeres de Zinacantán entrelazan en sus trenzas. También sirven para amarrar un regalo."
        ),
        description_en=(
            "Three woven ribbons with flowers, finished with yarn pompoms, like those the women of "
            "Zinacantán braid into their hair. They also make a lovely tie for a gift."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=900,
        width_mm=35,
        weight_g=70,
        hours_of_work=8,
        price=28000,
        kind=ProductKind.series,
        stock=6,
        weavers=(("maria-perez-hernandez", 10000),),
        days_ago=58,
        art=Art("cintas", "navenchauc", ("flores",)),
        photos=(
            front("Tres cintas con pompones rosas", "Three ribbons with pink pompoms"),
            detail("Detalle del brocado de las cintas", "Detail of the ribbons' brocade"),
        ),
    ),
    _product(
        slug="pulseras-de-telar-juego-de-4",
        category="accesorios",
        title_es="Pulseras de telar, juego de 4",
        title_en="Loom-woven bracelets, set of 4",
        description_es=(
            "Cuatro pulseras tejidas en un telar pequeño, turquesa con rombos en blanco, fucsia y "
            "amarillo, con cordones para atarlas. Un regalo pequeño con el mismo cuidado que un huipil."
        ),
        description_en=(
            "Four bracelets woven on a small loom, turquoise with diamonds in white, fuchsia and yellow, "
            "with cords to tie them. A small gift made with the same care as a huipil."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=COTTON_ACRYLIC,
        dyes=NO_DYES,
        length_mm=200,
        width_mm=18,
        weight_g=20,
        hours_of_work=4,
        price=18000,
        kind=ProductKind.series,
        stock=8,
        weavers=(("antonia-vazquez-gomez", 10000),),
        days_ago=66,
        art=Art("pulseras", "turquesa", ("rombos",)),
        photos=(
            front("Cuatro pulseras turquesa", "Four turquoise bracelets"),
            detail("Detalle de los rombos de una pulsera", "Detail of a bracelet's diamonds"),
        ),
    ),
    _product(
        slug="faja-lana-rombos-larrainzar",
        category="accesorios",
        title_es="Faja de lana con rombos blancos",
        title_en="Wool belt with white diamonds",
        description_es=(
            "Faja roja oscura con rombos blancos y amarillos, del estilo de San Andrés Larráinzar. "
            "Todavía falta fotografiarla bien antes de publicarla."
        ),
        description_en=(
            "A dark red belt with white and yellow diamonds, in the style of San Andrés Larráinzar. "
            "It still needs proper photos before it is published."
        ),
        technique=BACKSTRAP_BROCADE,
        materials=("Lana y algodón", "Wool and cotton"),
        dyes=("Cochinilla", "Cochineal"),
        length_mm=2000,
        width_mm=80,
        weight_g=140,
        hours_of_work=11,
        price=38000,
        kind=ProductKind.series,
        stock=3,
        status=ProductStatus.draft,
        weavers=(("micaela-hernandez-perez", 10000),),
        days_ago=0,
        art=Art("faja", "larrainzar", ("rombos",)),
        photos=(
            front("Dos fajas rojas con rombos", "Two red belts with diamonds"),
            detail("Detalle de los rombos blancos", "Detail of the white diamonds"),
        ),
    ),
)
