"""Accounting: the trial balance and the ledger's CSV export, for the treasurer, the council and admins only."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from factories import make_order, make_user, make_weaver, sale_for
from workspace_helpers import signed_in

from shop.accounts.models import Role
from shop.clock import to_local, utcnow
from shop.i18n import translator
from shop.ledger.export import HEADER
from shop.ledger.sales import post_sale
from shop.ledger.schemas import TrialBalanceRow
from shop.web.workspace import accounting

ES = translator("es")
BOM = b"\xef\xbb\xbf"


def money(amount: int) -> str:
    return ES.money(amount, "MXN", trim_cents=False)


def shown(message: str, **params) -> str:
    """A message as the page shows it: in Spanish, HTML-escaped."""
    return html.escape(ES.gettext(message, **params), quote=False)


def today() -> date:
    return to_local(utcnow()).date()


@pytest.fixture
def ledger(session):
    """A sale of $1,000 paid by card: $800 to Zoila (the default 80%), $200 to the fund; and a sale of
    $500 woven by Ángela. People: a treasurer, a council member, and Zoila, a member with her profile."""
    zoila = make_weaver(session, name="Zoila Pérez", slug="zoila-perez")
    angela = make_weaver(session, name="Ángela Díaz", slug="angela")
    order, lines = make_order(session, [(100_000, 8000, [(zoila, 10_000)])])
    first = post_sale(session, sale_for(session, order, lines))
    other, other_lines = make_order(session, [(50_000, 8000, [(angela, 10_000)])])
    post_sale(session, sale_for(session, other, other_lines, money="cash"))
    make_user(session, roles=[Role.treasurer], username="rosa", name="Rosa")
    make_user(session, roles=[Role.council], username="carmen", name="Carmen")
    make_user(session, roles=[Role.member], username="zoila", name="Zoila", weaver_id=zoila.id)
    session.commit()
    return {"zoila": zoila, "angela": angela, "order": order, "sale": first}


# --- who may see it ------------------------------------------------------------------------------------------


def test_a_member_is_refused_and_a_stranger_is_sent_to_sign_in(app, client, ledger):
    member = signed_in(app, "zoila")
    assert member.get("/taller/contabilidad").status_code == 403
    assert member.get("/taller/contabilidad/movimientos.csv").status_code == 403
    for path in ("/taller/contabilidad", "/taller/contabilidad/movimientos.csv"):
        anonymous = client.get(path, follow_redirects=False)
        assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/taller")


@pytest.mark.parametrize("username", ["rosa", "carmen"])
def test_the_treasurer_and_the_council_may_see_it(app, ledger, username):
    page = signed_in(app, username).get("/taller/contabilidad")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"


# --- the trial balance ---------------------------------------------------------------------------------------


def test_the_trial_balance_shows_every_account_and_that_the_ledger_balances(app, ledger):
    text = signed_in(app, "rosa").get("/taller/contabilidad").text
    assert "Zoila Pérez" in text and "Ángela Díaz" in text
    assert f"weaver:{ledger['zoila'].id}" in text
    assert "$800" in text
    # Zoila's account is owed $800 (a credit); the card payment waits in Stripe clearing (a debit).
    assert money(80_000) in text and money(-80_000) in text and money(100_000) in text
    assert ES.gettext("Cooperative fund") in text and ES.gettext("Cash on hand") in text
    assert ES.gettext("Liability") in text and ES.gettext("Asset") in text
    # Debits and credits total $1,500 each; the balances total zero.
    totals = re.search(r'<tr class="totals">(.*?)</tr>', text, re.S).group(1)
    assert re.findall(r"<strong>([^<]+)</strong>", totals) == [money(150_000), money(150_000), money(0)]
    assert shown("The ledger balances: debits and credits are equal.") in text
    assert shown("The ledger does NOT balance: tell the council.") not in text


def test_the_cooperatives_accounts_come_first_then_the_weavers_by_name(app, ledger):
    text = signed_in(app, "rosa").get("/taller/contabilidad").text
    order = [
        text.index(ES.gettext("The cooperative")),
        text.index("stripe_clearing"),  # an asset
        text.index(">fund<"),  # a liability
        text.index(ES.gettext("Weavers") + "</th>"),
        text.index("Ángela Díaz"),  # Á sorts with A, before Z
        text.index("Zoila Pérez"),
    ]
    assert order == sorted(order)


def test_an_empty_ledger_says_so(app, session):
    make_user(session, roles=[Role.admin], username="ana")
    session.commit()
    text = signed_in(app, "ana").get("/taller/contabilidad").text
    assert shown("Nothing has been posted to the ledger yet.") in text
    assert "trial-balance" not in text


def test_a_ledger_that_does_not_balance_is_flagged(app, ledger, monkeypatch):
    # Entries cannot be written unbalanced (the ledger refuses them), so the sums are made up here.
    made_up = [TrialBalanceRow("cash", "Cash on hand", "asset", 100_00, 0, 100_00)]
    monkeypatch.setattr(accounting, "trial_balance", lambda session: made_up)
    text = signed_in(app, "rosa").get("/taller/contabilidad").text
    assert shown("The ledger does NOT balance: tell the council.") in text
    assert shown("The ledger balances: debits and credits are equal.") not in text


def test_the_export_form_defaults_to_this_month_so_far(app, ledger):
    text = signed_in(app, "rosa").get("/taller/contabilidad").text
    assert 'action="/taller/contabilidad/movimientos.csv"' in text
    assert f'name="desde" type="date" value="{today().replace(day=1).isoformat()}"' in text
    assert f'name="hasta" type="date" value="{today().isoformat()}"' in text


# --- the CSV export ------------------------------------------------------------------------------------------


def rows_of(response) -> list[dict]:
    assert response.content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(response.content[len(BOM) :].decode("utf-8"))))


def cents(text: str) -> int:
    return round(float(text or 0) * 100)


def test_the_export_is_a_csv_file_with_every_entry(app, ledger):
    day = today()
    response = signed_in(app, "rosa").get(
        "/taller/contabilidad/movimientos.csv", params={"desde": day.isoformat(), "hasta": day.isoformat()}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="libro-mayor-{day}-{day}.csv"'
    assert response.headers["cache-control"] == "no-store"
    body = response.content[len(BOM) :].decode("utf-8")
    assert body.split("\r\n", 1)[0] == ",".join(HEADER)
    rows = rows_of(response)
    sale = [row for row in rows if row["transaction"] == str(ledger["sale"].id)]
    assert {(row["account"], row["debit"], row["credit"]) for row in sale} == {
        ("stripe_clearing", "1000.00", ""),
        (f"weaver:{ledger['zoila'].id}", "", "800.00"),
        ("fund", "", "200.00"),
    }
    assert {row["order"] for row in sale} == {ledger["order"].number}
    assert {row["account_name"] for row in sale} >= {"Zoila Pérez"}  # accents intact
    sums: dict[str, int] = {}
    for row in rows:
        sums[row["transaction"]] = sums.get(row["transaction"], 0) + cents(row["debit"]) - cents(row["credit"])
    assert len(sums) == 2 and set(sums.values()) == {0}


def test_the_export_without_dates_is_this_month_so_far(app, ledger):
    response = signed_in(app, "carmen").get("/taller/contabilidad/movimientos.csv")
    assert response.status_code == 200
    first, last = today().replace(day=1), today()
    assert response.headers["content-disposition"] == f'attachment; filename="libro-mayor-{first}-{last}.csv"'
    assert len(rows_of(response)) == 6


def test_days_without_entries_give_just_the_header(app, ledger):
    response = signed_in(app, "rosa").get(
        "/taller/contabilidad/movimientos.csv", params={"desde": "2020-01-01", "hasta": "2020-01-31"}
    )
    assert response.status_code == 200
    assert response.content == BOM + (",".join(HEADER) + "\r\n").encode()


def test_three_years_at_a_time_are_allowed(app, ledger):
    end = today()
    start = end - timedelta(days=accounting.MAX_DAYS - 1)
    response = signed_in(app, "rosa").get(
        "/taller/contabilidad/movimientos.csv", params={"desde": start.isoformat(), "hasta": end.isoformat()}
    )
    assert response.status_code == 200 and len(rows_of(response)) == 6


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"desde": "2025-13-01", "hasta": "2025-12-31"}, ("desde", "2025-13-01")),
        ({"desde": "yesterday"}, ("desde", "yesterday")),
        ({"desde": "2025-02-01", "hasta": "2025-02-30"}, ("hasta", "2025-02-30")),
        ({"hasta": "1/3/2025"}, ("hasta", "1/3/2025")),
        ({"desde": "20250301", "hasta": "2025-03-31"}, ("desde", "20250301")),
    ],
)
def test_dates_that_are_not_dates_are_refused_with_a_clear_message(app, ledger, params, message):
    field, value = message
    which = ES.gettext("From") if field == "desde" else ES.gettext("To")
    page = signed_in(app, "rosa").get("/taller/contabilidad/movimientos.csv", params=params)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert shown(accounting.NOT_A_DATE, value=value, which=which) in page.text
    # The form is there to correct them, with what she typed and the wrong field marked.
    assert f'value="{html.escape(value)}"' in page.text
    assert re.search(rf'<input id="c-{field}"[^>]*aria-invalid="true"', page.text)


def test_swapped_dates_are_refused(app, ledger):
    page = signed_in(app, "rosa").get(
        "/taller/contabilidad/movimientos.csv", params={"desde": "2025-03-05", "hasta": "2025-03-01"}
    )
    assert page.status_code == 422
    assert shown(accounting.SWAPPED) in page.text
    assert 'name="desde"' in page.text and "trial-balance" in page.text


def test_more_than_three_years_are_refused(app, ledger):
    page = signed_in(app, "rosa").get(
        "/taller/contabilidad/movimientos.csv", params={"desde": "2020-01-01", "hasta": "2023-12-31"}
    )
    assert page.status_code == 422
    assert shown(accounting.TOO_LONG) in page.text


def test_dates_out_of_any_sensible_range_are_refused(app, ledger):
    page = signed_in(app, "rosa").get(
        "/taller/contabilidad/movimientos.csv", params={"desde": "9999-12-30", "hasta": "9999-12-31"}
    )
    assert page.status_code == 422
    assert shown(accounting.OUT_OF_RANGE, value="9999-12-30", which=ES.gettext("From")) in page.text
