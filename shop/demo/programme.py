"""The demo's eighteen months, so the partner's dashboard tells a story on first start: sales online, in person,
wholesale-sized orders from a fair-trade shop, with the processor's fee, across the weavers of every community;
dollar rates for the marketplaces' comparison; the programme's indicators with targets and values, the last
complete quarter approved; and the partnerships and grants with their reports due.

Past sales are booked on the days they happened, through the ledger's one writer (as an imported sale is)."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Product, Weaver
from shop.clock import LOCAL_ZONE
from shop.indicators import service as indicators
from shop.indicators.models import ALL, Category, Measure, Pillar
from shop.indicators.periods import Quarter
from shop.indicators.rules import Kind
from shop.indicators.service import Cell, Person, Spec
from shop.ledger.sales import post_sale
from shop.ledger.schemas import Sale, SaleLine
from shop.marketplaces.models import ExchangeRate
from shop.orders.models import Channel, Order, OrderLine, OrderLineWeaver, OrderStatus, PaymentMethod
from shop.partnerships import service as partnerships
from shop.partnerships.models import Kind as PartnershipKind
from shop.partnerships.models import Level, Status
from shop.partnerships.service import Terms

MONTHS = 18
PARTNER = Person(None, "Equipo de The Hunger Project México")


def _months_back(today: date) -> list[date]:
    first = today.replace(day=1)
    found = [first]
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        found.append(first)
    return list(reversed(found))


def _sell(
    session: Session,
    when: datetime,
    product: Product,
    weavers: list[tuple[int, str, int]],
    channel: Channel,
    fee_bp: int,
    shipping: int,
    quantity: int,
) -> None:
    price = product.price_amount
    total = price * quantity + shipping
    at_counter = channel in (Channel.in_person, Channel.wholesale)
    marketplace = chance_marketplace(when) if channel is Channel.marketplace else None
    order = Order(
        token=uuid.uuid4().hex,
        number=f"JJ-H{uuid.uuid4().hex[:8].upper()}",
        status=OrderStatus.delivered,
        channel=channel,
        payment_method=PaymentMethod.stripe if channel is Channel.online else PaymentMethod.cash,
        marketplace=marketplace,
        external_ref=f"{when:%y%m%d%H%M}-{uuid.uuid4().hex[:4]}" if marketplace else None,
        subtotal=price * quantity,
        shipping_amount=shipping,
        total=total,
        amount_due_now=total,
        amount_paid=total,
        created_at=when,
    )
    session.add(order)
    session.flush()
    line = OrderLine(
        order_id=order.id,
        product_id=product.id,
        product_slug=product.slug,
        title_es=product.title_es,
        title_en=product.title_en,
        kind=product.kind.value,
        unit_price=price,
        quantity=quantity,
        line_total=price * quantity,
        amount_due_now=price * quantity,
        weavers_bp=8000,
        split_rule="bylaws:founding",
    )
    session.add(line)
    session.flush()
    session.add_all(
        OrderLineWeaver(order_line_id=line.id, weaver_id=w, weaver_name=name, share_bp=share)
        for w, name, share in weavers
    )
    session.flush()
    if at_counter:
        fee = 0
    elif channel is Channel.marketplace:  # what the marketplace charged, as its report would say
        fee = (total * (1_325 if marketplace == "ebay" else 950) + 5_000) // 10_000 + 700
    else:
        fee = (total * fee_bp + 5_000) // 10_000 + 300
    post_sale(
        session,
        Sale(
            key=f"demo-sale:{order.number}",
            order_id=order.id,
            money_account=MONEY[channel],
            lines=(SaleLine(line.id, price * quantity, 8000, tuple((w, s) for w, _, s in weavers)),),
            shipping=shipping,
            fee=fee,
            description=f"Demo sale {order.number}",
        ),
        booked_at=when,
    )


MONEY = {
    Channel.online: "stripe_clearing",
    Channel.in_person: "cash",
    Channel.wholesale: "cash",
    Channel.marketplace: "marketplace_clearing",
}


def chance_marketplace(when: datetime) -> str:
    return "ebay" if when.minute % 2 else "etsy"


def load_sales(session: Session, today: date, seed: int = 14) -> int:
    """About fifteen sales a month, growing, for eighteen months; returns how many."""
    chance = random.Random(seed)
    products = session.scalars(sa.select(Product).order_by(Product.id)).all()
    # Past pieces, sold out long ago: priced like today's, woven by any of the cooperative's weavers.
    pieces = [p for p in products if p.price_amount]
    weavers = [(w.id, w.name) for w in session.scalars(sa.select(Weaver).order_by(Weaver.id))]
    count = 0
    for index, month in enumerate(_months_back(today)):
        for _ in range(8 + index // 2 + chance.randint(0, 4)):
            day = month + timedelta(days=chance.randint(0, 27))
            if day > today:
                continue
            when = datetime.combine(day, time(chance.randint(9, 19), chance.randint(0, 59)), LOCAL_ZONE)
            product = chance.choice(pieces)
            weaver_id, name = chance.choice(weavers)
            shares = [(weaver_id, name, 10_000)]
            roll = chance.random()
            channel = (
                Channel.in_person
                if roll < 0.32
                else Channel.wholesale
                if roll > 0.93  # a fair-trade shop's order of three, now and then
                else Channel.marketplace
                if roll > 0.82 and index >= 6  # on eBay and Etsy for the last year
                else Channel.online
            )
            quantity = 3 if channel is Channel.wholesale else 1
            shipped = channel in (Channel.online, Channel.marketplace)
            shipping = chance.choice((18_000, 25_000, 95_000)) if shipped else 0
            _sell(session, when, product, shares, channel, 360, shipping, quantity)
            count += 1
    return count


def load_rates(session: Session, today: date) -> int:
    """A demo dollar rate for every day of the eighteen months (around 17 to 20 pesos): to be replaced by
    Banco de México's FIX in a real shop."""
    day, count = _months_back(today)[0], 0
    while day <= today:
        micro = 17_000_000 + ((day.toordinal() * 7919) % 3_000_000)
        session.add(ExchangeRate(day=day, currency="USD", mxn_micro=micro, source="demo"))
        day += timedelta(days=1)
        count += 1
    session.flush()
    return count


INDICATORS = (
    (
        "MOB-1",
        "Sesiones de talleres impartidas",
        "Workshop sessions held",
        Pillar.mobilization,
        None,
        Kind.output,
        "trainings.sessions_held",
        3,
    ),
    (
        "MOB-2",
        "Participantes en capacitaciones",
        "Training participants",
        Pillar.mobilization,
        None,
        Kind.output,
        "trainings.participants",
        15,
    ),
    (
        "MOB-3",
        "Mujeres que terminaron un curso",
        "Women completing a course",
        Pillar.mobilization,
        Category.mindset_shift,
        Kind.outcome,
        "trainings.women_completing",
        5,
    ),
    (
        "IG-1",
        "Tejedoras con ingresos",
        "Weavers with income",
        Pillar.mobilization,
        Category.income_generation,
        Kind.outcome,
        "ledger.weavers_earning",
        12,
    ),
    (
        "IG-2",
        "Ingresos de las tejedoras",
        "Weavers' earnings",
        Pillar.mobilization,
        Category.income_generation,
        Kind.impact,
        "ledger.weavers_earnings",
        4_000_000,
    ),
    (
        "GE-1",
        "Mujeres con cargos",
        "Women holding positions",
        Pillar.gender_equality,
        Category.leadership,
        Kind.outcome,
        "records.women_in_positions",
        25,
    ),
    (
        "GE-2",
        "Asambleas con quórum",
        "Assemblies held with quorum",
        Pillar.gender_equality,
        Category.leadership,
        Kind.output,
        "records.assemblies_with_quorum",
        1,
    ),
    (
        "GOV-1",
        "Dependencias con convenio firmado",
        "Government agencies with a signed agreement",
        Pillar.government_alliances,
        Category.government_cooperation,
        Kind.outcome,
        "partnerships.government_agreements",
        2,
    ),
)


def load_indicators(session: Session, today: date, entry_days: int = 30) -> int:
    """The indicators, their targets for six quarters, a counted indicator entered by hand in each community,
    and the last complete quarter approved for the whole cooperative."""
    current = Quarter.of(today)
    quarters = [current]
    for _ in range(5):
        quarters.insert(0, quarters[0].previous())
    for code, es, en, pillar, category, kind, source, target in INDICATORS:
        made = indicators.define(
            session, Spec(code, es, en, pillar, kind, Measure.count, category=category, source=source)
        )
        for n, quarter in enumerate(quarters):
            indicators.set_target(session, made.id, quarter, target + target * n // 10)
    savings = indicators.define(
        session,
        Spec(
            "GE-3",
            "Mujeres que ahorran cada mes",
            "Women saving every month",
            Pillar.gender_equality,
            Kind.outcome,
            Measure.percentage,
            category=Category.womens_empowerment,
            baseline_value=2_000,
            baseline_year=2025,
        ),
    )
    for n, quarter in enumerate(quarters):
        indicators.set_target(session, savings.id, quarter, 3_000 + 500 * n)
        if quarter == current:
            continue
        for community, members, saving in (("Nachij", 18, 6 + n), ("Apas", 8, 3 + n // 2)):
            close = quarter.ends_on + timedelta(days=5)
            indicators.enter(
                session,
                savings.id,
                quarter,
                community,
                {(ALL, ALL): Cell(numerator=min(saving, members), denominator=members)},
                by=PARTNER,
                today=close,
                entry_days=entry_days,
                note="Registro de la caja de ahorro",
            )
    approved = current.previous()
    for community in ("", "Nachij", "Apas"):
        indicators.approve(session, approved, community, by=PARTNER, today=approved.ends_on + timedelta(days=20))
    return len(INDICATORS) + 1


def load_partnerships(session: Session, today: date) -> int:
    by = "Equipo de The Hunger Project México"
    grant = partnerships.record(
        session,
        Terms(
            "INMUJERES",
            "Tienda en línea de la cooperativa",
            Level.federal,
            PartnershipKind.grant,
            amount=45_000_000,
            starts_on=today - timedelta(days=500),
            ends_on=today + timedelta(days=230),
        ),
    )
    partnerships.move(session, grant.id, Status.submitted, on=today - timedelta(days=560), by_name=by)
    partnerships.move(
        session,
        grant.id,
        Status.granted,
        on=today - timedelta(days=510),
        by_name=by,
        signed_on=today - timedelta(days=505),
    )
    partnerships.move(session, grant.id, Status.active, on=today - timedelta(days=500), by_name=by)
    grant.spent = 31_500_000
    partnerships.add_report(session, grant.id, title="Informe técnico y financiero", due_on=today + timedelta(days=21))
    for partner, level, days in (("CDI", Level.federal, 300), ("Instituto de la Mujer de Chiapas", Level.state, 120)):
        agreement = partnerships.record(
            session, Terms(partner, "Convenio de colaboración", level, PartnershipKind.agreement)
        )
        partnerships.move(session, agreement.id, Status.submitted, on=today - timedelta(days=days + 40), by_name=by)
        partnerships.move(
            session,
            agreement.id,
            Status.granted,
            on=today - timedelta(days=days),
            by_name=by,
            signed_on=today - timedelta(days=days),
        )
        partnerships.move(session, agreement.id, Status.active, on=today - timedelta(days=days), by_name=by)
    proposal = partnerships.record(
        session,
        Terms(
            "SEDESOL",
            "Fondo para proyectos productivos de mujeres",
            Level.federal,
            PartnershipKind.grant,
            amount=12_000_000,
        ),
    )
    partnerships.move(session, proposal.id, Status.submitted, on=today - timedelta(days=30), by_name=by)
    return 4


def load_programme(session: Session, *, today: date) -> dict[str, int]:
    return {
        "past sales": load_sales(session, today),
        "exchange rates": load_rates(session, today),
        "partnerships": load_partnerships(session, today),
        "indicators": load_indicators(session, today),
    }
