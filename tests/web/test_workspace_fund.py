"""The cooperative fund net of processor fees on the three reports that show it: the accounting page's summary,
the fund's monthly statement (/taller/contabilidad/fondo) and the owed list (/taller/pagos-tejedoras).

The ledger of every test here: a card sale of $1,000 by Zoila (the fund's 20% is $200; Stripe's fee $34.80),
a cash sale of $500 by Ángela ($100 to the fund, no fee), then half the card sale refunded ($100 of the fund
taken back; the fee stays paid). So the fund kept $200, paid $34.80 in fees, and $165.20 is available.
"""

from __future__ import annotations

import html
import re

import pytest
from factories import make_order, make_user, make_weaver, sale_for
from workspace_helpers import signed_in

from shop.accounts.models import Role
from shop.clock import utcnow
from shop.i18n import translator
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale
from shop.ledger.statements import month_of

ES = translator("es")
FUND_PAGE = "/taller/contabilidad/fondo"
# The amounts as the pages write them (t.money in Spanish).
KEPT, FEES, AVAILABLE = "$200 MXN", "$34.80 MXN", "$165.20 MXN"
OWED_TO_WEAVERS = "$800 MXN"


def shown(message: str, **params) -> str:
    return html.escape(ES.gettext(message, **params), quote=False)


def box(label: str, amount: str, kind: str = "") -> str:
    """One box of the fund's equation as the page shows it: kept − fees = available."""
    return f'<p class="fq{kind}"><span>{ES.gettext(label)}</span><strong class="money">{amount}</strong></p>'


def fund_section(text: str) -> str:
    found = re.search(r'<section class="panel fund-summary".*?</section>', text, re.S)
    assert found, "the page shows no fund summary"
    return found.group(0)


def statement_of(text: str) -> str:
    return re.search(r'<section class="statement fund-statement".*?</section>', text, re.S).group(0)


def row(text: str, movement: str) -> list[str]:
    return re.findall(rf'<tr class="st-{movement}">(.*?)</tr>', text, re.S)


@pytest.fixture
def ledger(session):
    zoila = make_weaver(session, name="Zoila Pérez", slug="zoila-perez")
    angela = make_weaver(session, name="Ángela Díaz", slug="angela")
    card, card_lines = make_order(session, [(100_000, 8000, [(zoila, 10_000)])])
    post_sale(session, sale_for(session, card, card_lines, fee=3_480))
    cash, cash_lines = make_order(session, [(50_000, 8000, [(angela, 10_000)])])
    post_sale(session, sale_for(session, cash, cash_lines, money="cash"))
    post_refund(session, key="half", order_id=card.id, money_account="stripe_clearing", amount=50_000)
    make_user(session, roles=[Role.treasurer], username="rosa", name="Rosa")
    make_user(session, roles=[Role.council], username="carmen", name="Carmen")
    make_user(session, roles=[Role.admin], username="ana", name="Ana")
    make_user(session, roles=[Role.member], username="zoila", name="Zoila", weaver_id=zoila.id)
    session.commit()
    return {"card": card, "cash": cash}


# --- who may see it ------------------------------------------------------------------------------------------


def test_a_member_is_refused_the_funds_statement_and_a_stranger_is_sent_to_sign_in(app, client, ledger):
    member = signed_in(app, "zoila")
    assert member.get(FUND_PAGE).status_code == 403
    assert member.get("/taller/pagos-tejedoras").status_code == 403
    assert KEPT not in member.get(FUND_PAGE).text
    anonymous = client.get(FUND_PAGE, follow_redirects=False)
    assert (anonymous.status_code, anonymous.headers["location"]) == (303, "/taller")


@pytest.mark.parametrize("username", ["rosa", "carmen", "ana"])
def test_the_treasurer_the_council_and_admins_read_the_funds_statement(app, ledger, username):
    page = signed_in(app, username).get(FUND_PAGE)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert box("Available to the cooperative", AVAILABLE, " net") in page.text


# --- the accounting page's summary ---------------------------------------------------------------------------


def test_the_accounting_page_shows_the_fund_net_of_fees_above_the_trial_balance(app, ledger):
    text = signed_in(app, "rosa").get("/taller/contabilidad").text
    summary = fund_section(text)
    assert box("Kept from sales", KEPT) in summary
    assert box("Processor fees", FEES, " fee") in summary
    assert box("Available to the cooperative", AVAILABLE, " net") in summary
    # For context, what the weavers are owed: Zoila $400 (after the refund) and Ángela $400.
    owed = ES.gettext("Owed to the weavers, in all")
    assert re.search(rf"<dt>{owed}</dt><dd[^>]*>{re.escape(OWED_TO_WEAVERS)}<", summary)
    assert ES.gettext("Weavers owe the cooperative, in all") not in summary  # nobody owes
    assert f'href="{FUND_PAGE}"' in summary
    assert text.index("fund-summary") < text.index('class="trial-balance"')
    # The trial balance below is unchanged: the fund's account still holds its whole part, the fee its own row.
    assert ES.money(-20_000, "MXN", trim_cents=False) in text and ES.money(3_480, "MXN", trim_cents=False) in text


def test_after_a_full_refund_the_fund_shows_below_zero_by_the_fee(app, session, ledger):
    post_refund(session, key="rest", order_id=ledger["card"].id, money_account="stripe_clearing", amount=50_000)
    post_refund(session, key="cash", order_id=ledger["cash"].id, money_account="cash", amount=50_000)
    session.commit()
    summary = fund_section(signed_in(app, "carmen").get("/taller/contabilidad").text)
    assert box("Kept from sales", "$0 MXN") in summary
    assert box("Processor fees", FEES, " fee") in summary
    assert box("Available to the cooperative", "−" + FEES, " net below") in summary
    below = "The fund is below zero: processor fees, refunds and write-offs took more than the fund's part of the "
    assert shown(below + "sales brought in.") in summary


# --- the owed list -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["rosa", "carmen"])
def test_the_owed_list_shows_what_the_cooperative_keeps_net_of_fees(app, ledger, username):
    text = signed_in(app, username).get("/taller/pagos-tejedoras").text
    summary = fund_section(text)
    assert box("Kept from sales", KEPT) in summary
    assert box("Processor fees", FEES, " fee") in summary
    assert box("Available to the cooperative", AVAILABLE, " net") in summary
    assert f'href="{FUND_PAGE}"' in summary
    # Below the weavers' list, not one of its rows: the fund is not paid out.
    assert text.index("owed-table") < text.index("fund-summary")
    assert AVAILABLE not in text.split("fund-summary")[0]


# --- the fund's statement ------------------------------------------------------------------------------------


def test_the_statement_shows_each_sale_its_fee_and_the_refund_between_opening_and_closing(app, ledger):
    month = month_of(utcnow()).strftime("%Y-%m")
    text = signed_in(app, "rosa").get(FUND_PAGE, params={"mes": month}).text
    assert statement_of(text) == statement_of(signed_in(app, "carmen").get(FUND_PAGE).text)  # no month: this one
    card, cash = ledger["card"].number, ledger["cash"].number
    assert shown("Opening balance, net of fees") in text and shown("Closing balance, net of fees") in text
    (card_sale, cash_sale) = row(text, "sale")
    assert ES.gettext("The fund's part of a sale") in card_sale and "+$200 MXN" in card_sale
    assert ES.gettext("Order %(number)s", number=card) in card_sale and "20% del precio" in card_sale
    assert "$1,000 MXN" in card_sale  # the piece's price
    assert "+$100 MXN" in cash_sale and ES.gettext("Order %(number)s", number=cash) in cash_sale
    # The fee: its own line, with its order, taking from the fund; the cash sale has none.
    (fee,) = row(text, "fee")
    assert ES.gettext("Processor fee") in fee and ES.gettext("Order %(number)s", number=card) in fee
    assert f'class="r money negative">−{FEES}<' in fee
    (refund,) = row(text, "refund")
    assert "−$100 MXN" in refund and card in refund
    # Opening $0, closing $165.20; the closing's parts below it: kept $200 − fees $34.80.
    closing = re.search(r"<tfoot>(.*?)</tfoot>", text, re.S).group(1)
    assert f"<strong>{AVAILABLE}</strong>" in closing
    assert shown("kept %(kept)s − fees %(fees)s", kept=KEPT, fees=FEES) in closing
    sums = re.search(r'<dl class="sums st-sums">(.*?)</dl>', text, re.S).group(1)
    assert re.findall(r'<dd class="money">([^<]+)</dd>', sums) == ["+$300 MXN", "−$100 MXN", "$0 MXN", "−" + FEES]
    assert box("Available to the cooperative", AVAILABLE, " net") in text
    printing = "To print this statement, press the Ctrl and P keys together, or choose “Print” in the browser's menu."
    assert ES.gettext(printing) in html.unescape(text)


def test_a_month_without_movements_opens_and_closes_with_what_came_before(app, ledger):
    this = month_of(utcnow())
    following = f"{this.year + this.month // 12}-{this.month % 12 + 1:02d}"
    text = signed_in(app, "rosa").get(FUND_PAGE, params={"mes": following}).text
    assert shown("Nothing moved in this month.") in text
    assert row(text, "sale") == [] and row(text, "fee") == []
    opening = re.search(r'<tbody>\s*<tr class="st-balance">(.*?)</tr>', text, re.S).group(1)
    assert AVAILABLE in opening and shown("kept %(kept)s − fees %(fees)s", kept=KEPT, fees=FEES) in opening
    earlier = signed_in(app, "rosa").get(FUND_PAGE, params={"mes": "2020-01"}).text
    assert "<strong>$0 MXN</strong>" in re.search(r"<tfoot>(.*?)</tfoot>", earlier, re.S).group(1)


@pytest.mark.parametrize("month", ["2026-13", "2026-00", "noviembre", "2026-1", "1999-12", "2026-11-01", "9" * 300])
def test_a_month_that_cannot_be_read_is_refused_with_a_message_and_the_month_picker(app, ledger, month):
    page = signed_in(app, "rosa").get(FUND_PAGE, params={"mes": month})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    message = ES.gettext(
        "“%(value)s” is not a month. Write it as YYYY-MM, for example 2026-11.", value=month.strip()[:20]
    )
    assert html.escape(message, quote=False) in page.text
    assert re.search(r'<input id="f-mes" name="mes" type="month" value="[^"]*"[^>]*aria-invalid="true"', page.text)
    assert "st-lines" not in page.text  # no statement for a month nobody asked for
