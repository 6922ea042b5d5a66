"""The pages every shop has, stored so the admin can edit them (issue 15): contact, shipping and customs,
returns, about, terms and the aviso de privacidad, seeded in Spanish and English; the contact details they show;
and the home page's pictures, chosen by the admin instead of taken from the newest upload.

Revision ID: b3c4d5e6f7a8
Revises: c8d9e0f1a2b3
Create Date: 2026-12-05 17:14:43.827191+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel.sql.sqltypes

from alembic import op

revision: str = "b3c4d5e6f7a8"
down_revision: str | None = "c8d9e0f1a2b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


PAGES = {
    "contact": {
        "es": (
            "Contacto",
            """Somos una cooperativa pequeña: le responde una de nosotras, normalmente en uno o dos días hábiles.

- **Por correo** para preguntas sobre una pieza, un pedido, una devolución o un pedido al por mayor.
- **Por WhatsApp** para acordar tallas y colores de una pieza hecha a pedido, o si prefiere escribir por mensaje.

Si su pregunta es sobre un pedido, escriba su número de pedido (por ejemplo JJ-1234). Si perdió el enlace de su
pedido, pídalo en «Buscar mis pedidos», al pie de cada página.

También puede visitarnos en nuestro taller: escríbanos antes para que alguien la reciba.""",
        ),
        "en": (
            "Contact",
            """We are a small cooperative: one of us answers, usually within one or two working days.

- **By email** for questions about a piece, an order, a return or a wholesale order.
- **By WhatsApp** to agree sizes and colours for a made-to-order piece, or if you prefer messages.

If you are asking about an order, please give its number (for example JJ-1234). If you lost your order's link, ask for
it under "Find my orders" at the foot of every page.

You are welcome to visit our workshop: write first so that someone is there to meet you.
We write in Spanish and English.""",
        ),
    },
    "shipping": {
        "es": (
            "Envíos y aduanas",
            """Enviamos desde San Cristóbal de las Casas, Chiapas. Empacamos cada pieza a mano
en uno o dos días hábiles después de recibir el pago, y le enviamos el número de guía por correo.

## Paqueterías y tiempos

- **México:** por paquetería nacional, de 3 a 7 días hábiles.
- **Estados Unidos y Canadá:** por mensajería internacional, de 7 a 15 días hábiles.
- **Resto del mundo:** por mensajería internacional, de 10 a 25 días hábiles.

Las piezas hechas a pedido se envían cuando están terminadas; el tiempo de elaboración aparece en la página de cada
pieza.

## Aduanas e impuestos fuera de México

Los envíos internacionales pasan por la aduana del país de destino. Su país puede cobrar aranceles, impuestos de
importación (como el IVA en la Unión Europea) y una comisión de gestión al recibir el paquete. Estos cargos no están
incluidos en el precio ni en el costo de envío y los paga quien recibe. Declaramos siempre el valor real y el
contenido del paquete (textiles de algodón o lana tejidos a mano); no podemos declararlo como regalo.""",
        ),
        "en": (
            "Shipping and customs",
            """We ship from San Cristóbal de las Casas, Chiapas. Each piece is packed by hand
within one or two working days of your payment, and we email you the tracking number.

## Carriers and delivery times

- **Mexico:** national courier, 3 to 7 working days.
- **United States and Canada:** international courier, 7 to 15 working days.
- **Rest of the world:** international courier, 10 to 25 working days.

Made-to-order pieces ship once they are finished; each piece's page says how long it takes to make.

## Customs and duties outside Mexico

International parcels go through customs in the country they are sent to. Your country may charge import duties,
taxes (such as VAT in the European Union) and a handling fee when the parcel arrives. These are not included in our
prices or in the shipping cost, and are paid by the recipient. We always declare the parcel's true value and contents
(handwoven cotton or wool textiles); we cannot declare it as a gift.""",
        ),
    },
    "returns": {
        "es": (
            "Devoluciones y reembolsos",
            """Queremos que su pieza le guste. Si no es así, puede devolverla.

- Tiene **30 días** desde que la recibe para avisarnos por correo o WhatsApp que desea devolverla.
- La pieza debe llegar sin usar, sin lavar y con su etiqueta.
- El envío de regreso corre por su cuenta, salvo que la pieza haya llegado dañada o no sea la que pidió: en ese caso
  lo pagamos nosotras. Mándenos fotos del daño en los primeros 7 días.
- Las piezas **hechas a pedido** (con tallas o colores acordados con usted) no tienen devolución, salvo defecto.

## Reembolsos

Al recibir la pieza de regreso, le devolvemos el precio por el mismo medio con el que pagó, en un máximo de
10 días hábiles. El costo del envío original se reembolsa solo si la pieza llegó dañada o equivocada. Si pagó con
tarjeta, su banco puede tardar unos días más en mostrar el reembolso.

Si pagó por transferencia, le pediremos la cuenta a la que devolvemos el dinero.

Estas condiciones no limitan sus derechos como consumidora ante la Procuraduría Federal del Consumidor (PROFECO).""",
        ),
        "en": (
            "Returns and refunds",
            """We want you to love your piece. If you do not, you can send it back.

- You have **30 days** from delivery to tell us by email or WhatsApp that you wish to return it.
- The piece must come back unworn, unwashed and with its label.
- Return shipping is yours to pay, unless the piece arrived damaged or is not the one you ordered: then we pay it.
  Send us photos of any damage within 7 days.
- **Made-to-order** pieces (with sizes or colours agreed with you) cannot be returned unless faulty.

## Refunds

Once the piece is back with us, we refund its price by the means you paid with, within 10 working days. The original
shipping cost is refunded only if the piece arrived damaged or was the wrong one. If you paid by card, your bank may
take a few more days to show the refund.

If you paid by bank transfer, we will ask for the account to send the money back to.

These terms do not limit your rights as a consumer under Mexican law (PROFECO).""",
        ),
    },
    "about": {
        "es": (
            "La cooperativa",
            """J'pas Joloviletik («manos que tejen») es una cooperativa de mujeres tsotsiles
tejedoras de los Altos de Chiapas, cerca de San Cristóbal de las Casas.

Tejemos en telar de cintura, como nos enseñaron nuestras madres y abuelas: huipiles, rebozos, caminos de mesa y
bolsas. Cada pieza lleva semanas de trabajo.

## Por qué tenemos nuestra propia tienda

Vender por medio de intermediarios y mercados en línea nos costaba buena parte de cada venta. En esta tienda
ponemos nuestros precios a partir de las horas de trabajo y los materiales, y cuando una pieza se vende, la tejedora
que la hizo recibe su parte. El resto sostiene el fondo de la cooperativa: hilo, capacitación y la tienda.

## Cómo nos organizamos

Nos gobierna nuestra asamblea, con un Consejo de Administración y un Consejo de Vigilancia elegidos por las socias.
Las cuentas de cada venta y de cada pago a las tejedoras quedan registradas.""",
        ),
        "en": (
            "About the cooperative",
            """J'pas Joloviletik ("hands that weave") is a cooperative of Tzotzil women
weavers in the highlands of Chiapas, near San Cristóbal de las Casas, Mexico.

We weave on the backstrap loom, as our mothers and grandmothers taught us: huipiles, rebozos, table runners and bags.
Each piece takes weeks of work.

## Why we have our own shop

Selling through middlemen and online marketplaces cost us a large part of every sale. In this shop we set our prices
from the hours of work and the materials, and when a piece sells, the weaver who made it receives her share. The rest
sustains the cooperative's fund: thread, training and the shop.

## How we are organised

Our assembly governs us, with an administrative council and an oversight council elected by the members. The
accounts of every sale and every payment to the weavers are kept on record.""",
        ),
    },
    "terms": {
        "es": (
            "Términos de venta",
            """Estos términos rigen las compras en esta tienda, que opera la cooperativa
J'pas Joloviletik (sus datos están en la página de contacto).

## Precios y pago

- Los precios están en pesos mexicanos (MXN). Los importes en otras monedas son aproximados y solo de referencia.
- El costo de envío se muestra antes de pagar. Los aranceles e impuestos de otros países no están incluidos.
- Puede pagar con los medios que la página de pago ofrece para su país. Los datos de su tarjeta los procesa Stripe;
  nosotras nunca los vemos.

## Piezas únicas y apartados

Muchas piezas son únicas. Al hacer su pedido la apartamos por un tiempo limitado; si el pago no llega en ese plazo,
el pedido se cancela y la pieza vuelve a estar disponible.

## Hechas a pedido

Las piezas hechas a pedido se tejen después de acordar con usted tallas y colores. El tiempo de elaboración y el
anticipo aparecen en la página de cada pieza.

## Envío, devoluciones y datos personales

Vea las páginas de envíos, de devoluciones y el aviso de privacidad.

## Ley aplicable

Estos términos se rigen por las leyes de México. Como consumidora puede acudir a la Procuraduría Federal del
Consumidor (PROFECO).""",
        ),
        "en": (
            "Terms of sale",
            """These terms govern purchases in this shop, run by the J'pas Joloviletik cooperative
(its details are on the contact page).

## Prices and payment

- Prices are in Mexican pesos (MXN). Amounts in other currencies are approximate and for reference only.
- The shipping cost is shown before you pay. Other countries' duties and taxes are not included.
- You can pay with the methods the checkout offers for your country. Your card details are handled by Stripe; we
  never see them.

## One-of-a-kind pieces and holds

Many pieces are one of a kind. When you place an order we hold the piece for you for a limited time; if the payment
does not arrive in that time, the order is cancelled and the piece is available again.

## Made to order

Made-to-order pieces are woven after we agree sizes and colours with you. Each piece's page gives the time it takes
and the deposit.

## Shipping, returns and personal data

See the shipping and returns pages and the privacy notice.

## Governing law

These terms are governed by the laws of Mexico. As a consumer you may turn to Mexico's consumer protection agency
(PROFECO).""",
        ),
    },
    "privacy": {
        "es": (
            "Aviso de privacidad",
            """Este es el aviso de privacidad integral de la tienda de la cooperativa
J'pas Joloviletik, responsable del tratamiento de sus datos personales conforme a la Ley Federal de Protección de
Datos Personales en Posesión de los Particulares. Nuestro nombre, domicilio y correo aparecen arriba.

## Qué datos recabamos

- Al comprar: su nombre, correo electrónico, teléfono, dirección de envío y lo que pidió.
- Si pide que le avisemos de una pieza o de un medio de pago: su correo electrónico.
- Los datos de su tarjeta los recibe y procesa Stripe directamente; nosotras no los vemos ni los guardamos.
- No recabamos datos personales sensibles.

## Para qué los usamos

Finalidades necesarias para su compra: procesar y cobrar su pedido, enviarlo, comunicarnos con usted sobre él
(incluidas tallas y colores de piezas hechas a pedido), atender devoluciones y cumplir nuestras obligaciones fiscales
y legales.

Finalidad que requiere su consentimiento expreso: avisarle cuando se publique una pieza parecida o cuando haya un
medio de pago para su país. Puede negarse o retirar su consentimiento en cualquier momento con el enlace de cada
aviso, sin que afecte sus compras.

No usamos sus datos para publicidad ni los vendemos.

## Con quién los compartimos

- Con la paquetería que entrega su pedido (nombre, dirección y teléfono).
- Con Stripe, que procesa los pagos con tarjeta.
- Con las autoridades, solo cuando la ley nos obliga.

Estas transferencias son necesarias para cumplir su compra o la ley, por lo que no requieren su consentimiento.

## Por cuánto tiempo los guardamos

- Los datos de sus pedidos, durante cinco años, el plazo en que la ley fiscal nos obliga a conservar la contabilidad.
- Las solicitudes de aviso, hasta que le avisamos o hasta que usted las borra.

## Sus derechos ARCO

Usted puede **acceder** a sus datos, **rectificarlos**, **cancelarlos** u **oponerse** a su uso, y revocar su
consentimiento. Escríbanos al correo de arriba con su nombre, el derecho que desea ejercer, los datos a los que se
refiere y un documento que acredite su identidad (o la de su representante). Le responderemos en un máximo de
20 días hábiles y, si procede, lo haremos efectivo en los 15 días hábiles siguientes.

## Cookies

Usamos solo las cookies necesarias para que la tienda funcione: su carrito, su idioma y la protección de los
formularios. No usamos cookies de publicidad ni de rastreo.

## Cambios a este aviso

Publicaremos cualquier cambio en esta página, con su fecha.""",
        ),
        "en": (
            "Privacy notice",
            """This is the privacy notice (aviso de privacidad) of the J'pas Joloviletik
cooperative's shop. The cooperative is responsible for your personal data under Mexico's Federal Law on the
Protection of Personal Data Held by Private Parties. Our name, address and email are given above.

## What we collect

- When you buy: your name, email address, phone number, shipping address and what you ordered.
- If you ask to be told about a piece or a payment method: your email address.
- Your card details go straight to Stripe, which processes the payment; we never see or keep them.
- We collect no sensitive personal data.

## What we use it for

Purposes needed for your purchase: to process and charge your order, ship it, contact you about it (including sizes
and colours of made-to-order pieces), handle returns, and meet our tax and legal duties.

A purpose that needs your express consent: to tell you when a similar piece is published or when a payment method
works for your country. You may refuse or withdraw your consent at any time with the link in each message, without
affecting your purchases.

We do not use your data for advertising and we never sell it.

## Who we share it with

- The courier who delivers your order (name, address and phone number).
- Stripe, which processes card payments.
- The authorities, only when the law requires it.

These transfers are needed to fulfil your purchase or the law, so they do not require your consent.

## How long we keep it

- Your orders' data for five years, the time Mexican tax law requires us to keep our accounts.
- Requests to be told about something, until we tell you or you delete them.

## Your ARCO rights

You may **access** your data, have it **rectified** or **cancelled**, **object** to its use, and withdraw your
consent. Write to the email above with your name, the right you wish to exercise, the data it concerns and a document
proving your identity (or your representative's). We answer within 20 working days and, where it applies, act on it
within the following 15 working days.

## Cookies

We use only the cookies the shop needs to work: your cart, your language and the protection of forms. We use no
advertising or tracking cookies.

## Changes to this notice

We will publish any change on this page, with its date.""",
        ),
    },
}


def upgrade() -> None:
    op.create_table(
        "contact_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("legal_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("whatsapp", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_details")),
    )
    op.create_table(
        "store_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=20), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_pages")),
        sa.UniqueConstraint("slug", "lang", name=op.f("uq_store_pages_slug_lang")),
    )
    op.create_table(
        "front_pictures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("alt_es", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("alt_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_front_pictures_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"], ["images.id"], name=op.f("fk_front_pictures_image_id_images"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_front_pictures")),
        sa.UniqueConstraint("place", name=op.f("uq_front_pictures_place")),
    )
    pages = sa.table(
        "store_pages",
        sa.column("slug", sa.String),
        sa.column("lang", sa.String),
        sa.column("title", sa.String),
        sa.column("body", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        pages,
        [
            {"slug": slug, "lang": lang, "title": title, "body": body, "updated_at": now}
            for slug, languages in PAGES.items()
            for lang, (title, body) in languages.items()
        ],
    )
    contact = sa.table(
        "contact_details",
        sa.column("legal_name", sa.String),
        sa.column("email", sa.String),
        sa.column("whatsapp", sa.String),
        sa.column("address", sa.String),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        contact,
        [{"legal_name": "J'pas Joloviletik", "email": "", "whatsapp": "", "address": "", "updated_at": now}],
    )


def downgrade() -> None:
    op.drop_table("front_pictures")
    op.drop_table("store_pages")
    op.drop_table("contact_details")
