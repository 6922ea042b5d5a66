"""Build catalogue rows through the real services, with sensible defaults a test can override."""

from __future__ import annotations

import io
import itertools
import uuid
from datetime import date, timedelta
from pathlib import Path

from PIL import Image as PILImage
from sqlalchemy import select
from sqlmodel import Session

# Defined in workspace_helpers; still importable from here for test files written before they moved.
from workspace_helpers import csrf_of, sign_in  # noqa: F401

from shop.catalogue import service
from shop.catalogue.images import ImageLimits, save_image
from shop.catalogue.models import Category, Image, Product, Weaver
from shop.catalogue.schemas import CategoryCreate, ProductCreate, WeaverCreate
from shop.clock import utcnow
from shop.ledger.schemas import Sale, SaleLine
from shop.orders.models import Order, OrderLine, OrderLineWeaver, PaymentMethod
from shop.storage import FileStores, on_disk

_counter = itertools.count(1)
LIMITS = ImageLimits(max_bytes=5 * 1024 * 1024, max_pixels=30_000_000)


def photo_bytes(width: int = 800, height: int = 1000, color=(140, 28, 51), fmt: str = "JPEG", **save) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, fmt, **save)
    return buffer.getvalue()


def make_category(session: Session, **overrides) -> Category:
    n = next(_counter)
    data = {"slug": f"category-{n}", "name_es": f"Categoría {n}", "name_en": f"Category {n}", **overrides}
    return service.create_category(session, CategoryCreate(**data))


def make_weaver(session: Session, *, consent: bool = True, **overrides) -> Weaver:
    n = next(_counter)
    data = {
        "slug": f"weaver-{n}",
        "name": f"Tejedora {n}",
        "community": "Nachij",
        "municipio": "Zinacantán",
        "bio_es": f"Biografía de la tejedora {n}.",
        "bio_en": f"Story of weaver {n}.",
        "consent_to_publish": consent,
        "consent_date": date(2026, 1, 15) if consent else None,
        **overrides,
    }
    return service.create_weaver(session, WeaverCreate(**data))


def make_product(
    session: Session,
    *,
    category: Category | None = None,
    weavers: list[tuple[Weaver, int]] | None = None,
    age_days: int = 0,
    **overrides,
) -> Product:
    n = next(_counter)
    category = category or make_category(session)
    weavers = weavers or [(make_weaver(session), 10_000)]
    data = {
        "slug": f"product-{n}",
        "category_id": category.id,
        "title_es": f"Pieza {n}",
        "title_en": f"Piece {n}",
        "description_es": "Tejido a mano.",
        "description_en": "Woven by hand.",
        "price_amount": 100_000,
        "kind": "unique",
        "stock_on_hand": 1,
        "status": "active",
        "weavers": [{"weaver_id": w.id, "share_bp": share} for w, share in weavers],
        **overrides,
    }
    product = service.create_product(session, ProductCreate(**data))
    if age_days:
        product.created_at = utcnow() - timedelta(days=age_days)
        session.flush()
    return product


def files_in(media_dir: Path) -> FileStores:
    """The stores on disk of a test whose media folder is ``media_dir`` (the others beside it, as the settings
    fixture lays them out)."""
    base = Path(media_dir).parent
    return on_disk(
        media_dir=media_dir,
        proofs_dir=base / "proofs",
        certification_dir=base / "certification",
        records_dir=base / "records",
    )


def make_image(session: Session, media: Path | FileStores, **photo) -> Image:
    """A stored photo, in ``media`` (a test's media folder, or its stores)."""
    photo.setdefault("color", (next(_counter) % 255, 80, 120))
    files = media if isinstance(media, FileStores) else files_in(media)
    return save_image(session, photo_bytes(**photo), files, LIMITS)


def message_of(exc) -> str:
    """A domain error's message in English (the message ids), with its parameters filled in."""
    return exc.message % exc.params if exc.params else exc.message


BUYER = {
    "email": "ana@example.org",
    "name": "Ana López",
    "phone": "+52 967 123 4567",
    "address_line1": "Calle Real de Guadalupe 12",
    "city": "San Cristóbal de las Casas",
    "region": "Chiapas",
    "postal_code": "29200",
    "country": "MX",
}


def buyer(**changes):
    from shop.orders.schemas import BuyerDetails

    return BuyerDetails(**{**BUYER, **changes})


def place(session: Session, products: list[tuple[Product, int]], *, method="offline", minutes=30, **buyer_changes):
    """An order waiting for payment, through the real service, holding its stock for ``minutes``."""
    from datetime import timedelta

    from shop.orders.models import PaymentMethod
    from shop.orders.placing import place_order
    from shop.orders.schemas import OrderItem

    now = utcnow()
    return place_order(
        session,
        items=[OrderItem(product_id=p.id, quantity=q) for p, q in products],
        buyer=buyer(**buyer_changes),
        language="es",
        method=PaymentMethod(method),
        now=now,
        hold_until=now + timedelta(minutes=minutes),
        actor="test",
    )


STAFF_KEY = "jj_test-staff-key-for-the-treasurer"
STAFF = {"Authorization": f"Bearer {STAFF_KEY}"}


def add_staff_key(engine) -> None:
    """A treasurer and admin, Rosa, whose API key is STAFF_KEY."""
    from shop.accounts.credentials import token_hash
    from shop.accounts.models import ApiKey, Role
    from shop.accounts.service import create_user
    from shop.db import session_scope

    with session_scope(engine) as session:
        rosa = create_user(
            session, name="Rosa", username="rosa", roles=[Role.treasurer, Role.admin], password="a long password 1"
        )
        session.add(ApiKey(user_id=rosa.id, name="tests", key_hash=token_hash(STAFF_KEY)))


WEBHOOK = "/api/v1/payments/stripe/webhook"


def deliver(client, fake, event, **sign):
    """POST a Stripe event to the shop's webhook, signed the way Stripe signs it."""
    payload, headers = fake.sign(event, **sign)
    return client.post(WEBHOOK, content=payload, headers={**headers, "Content-Type": "application/json"})


def checkout_body(*slugs, method="stripe", **buyer_changes) -> dict:
    return {
        "lines": [{"slug": slug, "quantity": 1} for slug in slugs],
        "buyer": {**BUYER, **buyer_changes},
        "language": "es",
        "payment_method": method,
    }


def start_checkout(client, *slugs, **changes) -> tuple[dict, str | None]:
    """Check out through the JSON API; returns the answer and the Stripe Checkout Session's id (None offline)."""
    response = client.post("/api/v1/checkout", json=checkout_body(*slugs, **changes))
    assert response.status_code == 201, response.text
    body = response.json()
    session_id = body["payment_url"].rsplit("/", 1)[-1] if body["payment_url"] else None
    return body, session_id


def paid_order(client, fake, *slugs) -> str:
    """An order paid by card on Stripe's page, its webhook delivered and its fee booked; returns its number."""
    body, session_id = start_checkout(client, *slugs)
    deliver(client, fake, fake.complete_session(session_id))
    book_fees_now(client)
    return body["order"]["number"]


def book_fees_now(client) -> int:
    """What the jobs do a moment later: book Stripe's fees of the payments received."""
    from shop.payments.fees import book_fees

    return book_fees(client.app.state.engine, client.app.state.gateway)


def fresh(session) -> None:
    """End the test's read transaction, so it sees what the shop committed since (SQLite reads a snapshot)."""
    session.rollback()
    session.expire_all()


def make_user(session, *, roles, username="ana", name="Ana", password="a long password 1", **extra):
    from shop.accounts.service import create_user

    return create_user(session, name=name, username=username, roles=roles, password=password, **extra)


# --- minimal orders and their sales, as the orders and payments services would write them ---------------------


def make_order(session: Session, lines, *, shipping: int = 0) -> tuple[Order, list[OrderLine]]:
    """``lines``: [(amount, weavers_bp, [(weaver or weaver id, share_bp), ...]), ...]."""
    subtotal = sum(amount for amount, _, _ in lines)
    order = Order(
        token=uuid.uuid4().hex,
        number=uuid.uuid4().hex[:12],
        payment_method=PaymentMethod.stripe,
        subtotal=subtotal,
        shipping_amount=shipping,
        total=subtotal + shipping,
        amount_due_now=subtotal + shipping,
    )
    session.add(order)
    session.flush()
    rows = []
    for n, (amount, weavers_bp, weavers) in enumerate(lines, start=1):
        line = OrderLine(
            order_id=order.id,
            product_slug=f"piece-{n}",
            title_es=f"Pieza {n}",
            title_en=f"Piece {n}",
            kind="unique",
            unit_price=amount,
            quantity=1,
            line_total=amount,
            amount_due_now=amount,
            weavers_bp=weavers_bp,
            split_rule="default",
        )
        session.add(line)
        session.flush()
        session.add_all(
            OrderLineWeaver(
                order_line_id=line.id,
                weaver_id=getattr(w, "id", w),
                weaver_name=getattr(w, "name", "Tejedora"),
                share_bp=share,
            )
            for w, share in weavers
        )
        rows.append(line)
    session.flush()
    return order, rows


def sale_for(session, order, lines, *, key=None, money="stripe_clearing", shipping=None, fee=0, amounts=None):
    """The Sale the payments side would hand in for ``lines`` (optionally only ``amounts`` of them, e.g. deposits)."""
    sale_lines = []
    for line in lines:
        weavers = session.execute(
            select(OrderLineWeaver.weaver_id, OrderLineWeaver.share_bp)
            .where(OrderLineWeaver.order_line_id == line.id)
            .order_by(OrderLineWeaver.weaver_id)
        ).all()
        amount = line.amount_due_now if amounts is None else amounts[line.id]
        sale_lines.append(SaleLine(line.id, amount, line.weavers_bp, tuple((w, s) for w, s in weavers)))
    return Sale(
        key=key or f"sale:{uuid.uuid4().hex}",
        order_id=order.id,
        money_account=money,
        lines=tuple(sale_lines),
        shipping=order.shipping_amount if shipping is None else shipping,
        fee=fee,
    )
