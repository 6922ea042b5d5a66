"""A piece's fair-price worksheet on its page: saved by the member who keeps the piece, its fair minimum shown
beside the price with how it was reached, a warning when the price is below it, and bad input refused beside
its field with nothing written."""

from __future__ import annotations

import re
from html import unescape

import pytest
import workspace_helpers
from factories import fresh, make_category, make_product, make_weaver
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person

from shop.accounts.models import Role
from shop.audit.models import AuditEvent
from shop.certification.models import FairPriceWorksheet, WageBenchmark
from shop.i18n import translator

MINIMUM = "Salario mínimo general 2026"  # 315.04 a day: 39.38 an hour over a 48-hour week


def es(message: str, **params) -> str:
    return translator("es").gettext(message, **params)


@pytest.fixture
def maria(client, session):
    category = make_category(session)
    weaver = make_weaver(session, name="María Pérez")
    piece = make_product(
        session, category=category, weavers=[(weaver, 10_000)], slug="huipil-maria", price_amount=150_000
    )
    person(session, "maria", Role.member, weaver=weaver, name="María Pérez")
    assert workspace_helpers.sign_in(client, "maria").status_code == 303
    return piece


def benchmark_id(session, name: str = MINIMUM) -> str:
    return str(session.scalar(select(WageBenchmark.id).where(WageBenchmark.name == name)))


def send(client, data: dict):
    token = csrf_of(client.get("/taller/inventario/huipil-maria").text)
    return client.post(
        "/taller/inventario/huipil-maria/precio-justo", data={**data, "csrf_token": token}, follow_redirects=False
    )


def sheet(session, **changes) -> dict:
    return {
        "benchmark_id": benchmark_id(session),
        "materials": "400",
        "work_hours": "40",
        "work_minutes": "",
        "overhead_percent": "10",
        "margin_percent": "0",
    } | changes


def test_a_worksheet_gives_the_fair_minimum_and_warns_when_the_price_is_below(client, session, maria):
    # 40 hours at 39.38 = 1,575.20; plus 400 of materials = 1,975.20; plus 10% = 2,172.72.
    response = send(client, sheet(session))
    assert (response.status_code, response.headers["location"]) == (303, "/taller/inventario/huipil-maria#precio-justo")
    page = unescape(client.get("/taller/inventario/huipil-maria").text)
    warning = es(
        "The price is %(gap)s below the fair minimum of %(minimum)s.", gap="$672.72 MXN", minimum="$2,172.72 MXN"
    )
    assert page.count(warning) == 2  # beside the price, and in the worksheet
    assert "$39.38" in page
    fresh(session)
    saved = session.get(FairPriceWorksheet, maria.id)
    assert (saved.materials, saved.minutes, saved.overhead_bp, saved.margin_bp) == (40_000, 2_400, 1_000, 0)
    changes = session.scalars(select(AuditEvent).where(AuditEvent.entity == "fair_price_worksheets")).all()
    assert [(c.action, c.actor_name) for c in changes] == [("create", "María Pérez")]


def test_at_or_above_the_fair_minimum_there_is_no_warning(client, session, maria):
    assert send(client, sheet(session, materials="0", work_hours="30", overhead_percent="0")).status_code == 303
    page = unescape(client.get("/taller/inventario/huipil-maria").text)  # 30 × 39.38 = 1,181.40 < 1,500
    assert es("Fair minimum: %(minimum)s. The price is at or above it.", minimum="$1,181.40 MXN") in page
    assert "fair-min below" not in page


def test_a_first_worksheet_starts_from_the_hours_the_piece_took(client, session, maria):
    maria.hours_of_work = 120
    session.commit()
    page = client.get("/taller/inventario/huipil-maria").text
    assert re.search(r'name="work_hours"[^>]*value="120"', page)
    assert es(
        "Write what the piece cost and how long it took, and the shop works out the lowest fair price for it."
    ) in unescape(page)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"benchmark_id": ""}, "benchmark_id", "Choose the wage to pay the hours at."),
        ({"benchmark_id": "999999"}, "benchmark_id", "Choose the wage to pay the hours at."),
        ({"materials": ""}, "materials", "Write what the materials cost (0 if nothing)."),
        ({"materials": "1850,50"}, "materials", "Use a point for the cents, such as 1850.50."),
        ({"work_hours": "", "work_minutes": ""}, "work_hours", "Write the hours of work the piece took."),
        ({"work_hours": "diez"}, "work_hours", "Enter a whole number, such as 3."),
        ({"work_minutes": "75"}, "work_minutes", "Minutes go from 0 to 59."),
        ({"work_hours": "5000"}, "work_hours", "At most %(hours)d hours of work."),
        ({"overhead_percent": "-5"}, "overhead_percent", "Enter a percentage, such as 50 or 33.33."),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(client, session, maria, changes, field, message):
    response = send(client, sheet(session, **changes))
    assert response.status_code == 422
    found = re.search(rf'id="we-{field}" class="error"[^>]*>([^<]+)<', response.text)
    assert found, response.text[-2000:]
    assert unescape(found.group(1)) == es(message, hours=2000)
    fresh(session)
    assert session.scalar(select(func.count()).select_from(FairPriceWorksheet)) == 0


def test_another_members_piece_is_not_hers_to_price(client, session, maria):
    other = make_product(session, weavers=[(make_weaver(session), 10_000)], slug="faja-otra")
    session.commit()
    token = csrf_of(client.get("/taller/inventario/huipil-maria").text)
    response = client.post(
        f"/taller/inventario/{other.slug}/precio-justo",
        data={**sheet(session), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code in (403, 404)
    fresh(session)
    assert session.get(FairPriceWorksheet, other.id) is None
