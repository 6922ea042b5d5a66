"""Paying weavers through the workspace pages: owed list, preparing a batch, approval by a second person, paying
in cash with a printable receipt and its signed photo, SPEI with the bank file, Stripe Connect, undoing, the
weaver's money page and statements, and "My earnings" showing the same figures."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from factories import deliver, fresh, make_order, make_weaver, photo_bytes, sale_for
from fastapi.testclient import TestClient
from payout_pages import VALID_CLABE, batch_payout, only_batch, prepare
from sqlalchemy import func, select
from workspace_helpers import csrf_of, person, post, signed_in

from shop.accounts.models import Role
from shop.clock import to_local, utcnow
from shop.i18n import translator
from shop.ledger.balances import balance, weaver_balance
from shop.ledger.models import BatchStatus, LedgerTransaction, Payout, PayoutBatch, PayoutStatus
from shop.ledger.refunds import post_refund
from shop.ledger.sales import post_sale

es = translator("es")


def money(amount: int) -> str:
    return es.money(amount, "MXN")


def test_the_treasurer_sees_what_each_weaver_is_owed_and_the_proposal(app, session, world):
    client = signed_in(app, "tesorera")
    page = client.get("/taller/pagos-tejedoras")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "María Pérez Hernández" in page.text and money(80_000) in page.text and money(40_000) in page.text
    proposal = client.get("/taller/pagos-tejedoras/nuevo").text
    # Both are over the 100-peso minimum: ticked, amounts filled with what is available.
    assert f'name="pay" value="{world["maria"].id}" checked' in proposal
    assert 'value="800.00"' in proposal and 'value="400.00"' in proposal
    assert 'href="/taller/pagos-tejedoras"' in client.get("/taller/inicio").text


def test_the_proposal_ticks_by_the_payout_minimum_the_bylaws_in_force_set(app, session, world):
    from datetime import date

    from shop.cooperative import bylaws
    from shop.cooperative.rules import Bylaws

    # The founding bylaws set 500 pesos: only María (800) is ticked, not the weaver owed 400.
    bylaws.adopt(
        session, Bylaws(date(2020, 1, 1), 3, 5_100, True, payout_minimum=50_000), resolution_id=None, founding=True
    )
    session.commit()
    proposal = signed_in(app, "tesorera").get("/taller/pagos-tejedoras/nuevo").text
    assert f'name="pay" value="{world["maria"].id}" checked' in proposal
    assert len(re.findall(r'name="pay" value="\d+" checked', proposal)) == 1
    assert money(50_000) in proposal


def test_amounts_above_what_is_available_are_refused_next_to_the_line(app, session, world):
    client = signed_in(app, "tesorera")
    response = prepare(client, {world["maria"].id: "800.01", world["juana"].id: "abc"})
    assert response.status_code == 422
    assert f'id="amount-{world["maria"].id}-error"' in response.text
    assert f'id="amount-{world["juana"].id}-error"' in response.text
    assert "800.01" in response.text  # what she typed is kept
    fresh(session)
    assert session.scalar(select(func.count()).select_from(PayoutBatch)) == 0
    nothing = prepare(client, {world["maria"].id: "100"}, ticked=[])
    assert nothing.status_code == 422 and es.gettext("Choose at least one weaver to pay.") in nothing.text


def test_prepare_approve_pay_in_cash_and_print_the_receipt(app, session, world, settings):
    treasurer = signed_in(app, "tesorera")
    response = prepare(treasurer, {world["maria"].id: "800", world["juana"].id: "300"})
    assert response.status_code == 303
    batch = only_batch(session)
    assert response.headers["location"] == f"/taller/pagos-tejedoras/lotes/{batch.id}"
    page = treasurer.get(response.headers["location"]).text
    assert "Approve this batch" not in page and es.gettext("Approve this batch") not in page
    payout_id = session.scalar(select(Payout.id).where(Payout.weaver_id == world["maria"].id))
    # Not approved yet: paying is refused and nothing moves.
    early = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    assert early.status_code == 409
    assert weaver_balance(session, world["maria"].id) == 80_000

    council = signed_in(app, "consejera")
    approve_page = council.get(f"/taller/pagos-tejedoras/lotes/{batch.id}").text
    assert es.gettext("Approve this batch") in approve_page
    approved = post(council, f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    assert approved.status_code == 303
    assert only_batch(session).status is BatchStatus.approved

    paid = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    assert paid.status_code == 303 and paid.headers["location"].endswith(f"/pagos/{payout_id}/recibo")
    fresh(session)
    assert weaver_balance(session, world["maria"].id) == 0
    receipt = treasurer.get(paid.headers["location"])
    assert receipt.status_code == 200
    assert "María Pérez Hernández" in receipt.text
    assert money(80_000) in receipt.text
    assert "OCHOCIENTOS PESOS 00/100 M.N." in receipt.text
    assert "Pieza 1" in receipt.text  # the piece she is paid for
    assert es.gettext("Signature or thumbprint of the weaver") in receipt.text
    assert es.gettext("Witness: name and signature") in receipt.text
    assert 'lang="tzo"' in receipt.text  # Tzotzil beside the lines the catalog has

    # The photo of the signed receipt is kept privately and shown only to the treasurer and the council.
    token = csrf_of(receipt.text)
    uploaded = treasurer.post(
        f"/taller/pagos-tejedoras/pagos/{payout_id}/comprobante",
        data={"csrf_token": token},
        files={"photo": ("recibo.jpg", photo_bytes(), "image/jpeg")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    fresh(session)
    proof = session.get(Payout, payout_id).proof_path
    assert proof and (settings.proofs_dir / proof).is_file()
    shown = council.get(f"/taller/pagos-tejedoras/pagos/{payout_id}/comprobante")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.content[:2] == b"\xff\xd8"
    weaver = signed_in(app, "maria")
    assert weaver.get(f"/taller/pagos-tejedoras/pagos/{payout_id}/comprobante").status_code == 403
    assert weaver.get(f"/taller/pagos-tejedoras/pagos/{payout_id}/recibo").status_code == 403


def test_a_file_that_is_not_a_photo_is_refused_as_proof(app, session, world):
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {world["maria"].id: "800"})
    batch = only_batch(session)
    post(signed_in(app, "consejera"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    payout_id = batch_payout(session, world["maria"])
    post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    page = treasurer.get(f"/taller/pagos-tejedoras/pagos/{payout_id}/recibo")
    refused = treasurer.post(
        f"/taller/pagos-tejedoras/pagos/{payout_id}/comprobante",
        data={"csrf_token": csrf_of(page.text)},
        files={"photo": ("recibo.jpg", b"not a photo at all", "image/jpeg")},
    )
    assert es.gettext("This file is not a photo we can read. Use a JPEG, PNG or WebP image.") in refused.text
    fresh(session)
    assert session.get(Payout, payout_id).proof_path is None


def test_nobody_approves_her_own_batch(app, session, world):
    both = signed_in(app, "ambas")
    prepare(both, {world["maria"].id: "800"})
    batch = only_batch(session)
    page = both.get(f"/taller/pagos-tejedoras/lotes/{batch.id}").text
    assert es.gettext("Approve this batch") not in page
    refused = post(both, f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    assert refused.status_code == 403
    assert only_batch(session).status is BatchStatus.prepared


def test_members_cannot_reach_payouts_or_other_weavers_statements(app, session, world):
    weaver = signed_in(app, "maria")
    for path in (
        "/taller/pagos-tejedoras",
        "/taller/pagos-tejedoras/nuevo",
        f"/taller/tejedoras/{world['juana'].id}/cuenta",
        f"/taller/tejedoras/{world['juana'].id}/estado",
        f"/taller/tejedoras/{world['maria'].id}/estado",
    ):
        assert weaver.get(path, follow_redirects=False).status_code == 403, path
    # Her own earnings never take another weaver's id.
    own = weaver.get(f"/taller/ganancias?weaver_id={world['juana'].id}").text
    assert money(80_000) in own and money(40_000) not in own
    council = signed_in(app, "consejera")
    assert council.get("/taller/pagos-tejedoras/nuevo").status_code == 403  # the treasurer prepares


def test_spei_clabe_is_checked_the_bank_file_lists_the_transfer_and_the_tracking_key_pays_it(app, session, world):
    treasurer = signed_in(app, "tesorera")
    account = f"/taller/tejedoras/{world['juana'].id}/cuenta"
    bad = post(treasurer, account, {"method": "spei", "clabe": "012180000000000003"}, form_page=account)
    assert bad.status_code == 422 and "typing mistake" not in bad.text
    assert es.gettext(
        "This CLABE has a typing mistake: its last digit does not match. Check it against the bank's paper."
    ) in bad.text.replace("&#39;", "'")
    saved = post(
        treasurer,
        account,
        {"method": "spei", "clabe": "012 180 0000 0000 0002", "account_holder": "Juana Díaz Sántiz"},
        form_page=account,
    )
    assert saved.status_code == 303
    assert "BBVA MEXICO" in treasurer.get(account).text
    prepare(treasurer, {world["juana"].id: "400"})
    batch = only_batch(session)
    post(signed_in(app, "consejera"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    bank_file = treasurer.get(f"/taller/pagos-tejedoras/lotes/{batch.id}/spei.csv")
    assert bank_file.status_code == 200 and "attachment" in bank_file.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(bank_file.text)))
    assert [(r["clabe"], r["beneficiario"], r["importe"]) for r in rows] == [
        (VALID_CLABE, "JUANA DIAZ SANTIZ", "400.00")
    ]
    payout_id = batch_payout(session, world["juana"])
    missing = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/spei", {"tracking_key": "bad key!"})
    assert missing.status_code == 422
    done = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/spei", {"tracking_key": "BNET01002611290001"})
    assert done.status_code == 303
    fresh(session)
    assert weaver_balance(session, world["juana"].id) == 0 and balance(session, "bank") == -40_000
    assert only_batch(session).status is BatchStatus.closed
    assert "BNET01002611290001" in treasurer.get(f"/taller/pagos-tejedoras/lotes/{batch.id}").text


def test_undoing_a_paid_payout_posts_a_reversal_and_she_is_owed_again(app, session, world):
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {world["maria"].id: "800"})
    batch = only_batch(session)
    post(signed_in(app, "consejera"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    payout_id = batch_payout(session, world["maria"])
    post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    no_reason = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/deshacer", {"reason": ""})
    assert no_reason.status_code == 422
    undone = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/deshacer", {"reason": "She was not here"})
    assert undone.status_code == 303
    fresh(session)
    assert session.get(Payout, payout_id).status is PayoutStatus.failed
    assert weaver_balance(session, world["maria"].id) == 80_000
    kinds = session.scalars(select(LedgerTransaction.kind).order_by(LedgerTransaction.id)).all()
    assert kinds[-2:] == ["payout", "reversal"]


def test_stripe_connect_pays_through_a_transfer_with_the_payouts_key(connect, session, fake_stripe):
    treasurer, payout_id, weaver = connect["treasurer"], connect["payout"], connect["weaver"]
    fake_stripe.transfers_fail_with = "balance_insufficient"
    refused = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/stripe")
    assert refused.status_code == 409
    fresh(session)
    assert session.get(Payout, payout_id).status is PayoutStatus.pending
    assert weaver_balance(session, weaver.id) == 80_000
    fake_stripe.transfers_fail_with = None
    sent = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/stripe")
    assert sent.status_code == 303
    fresh(session)
    payout = session.get(Payout, payout_id)
    assert payout.status is PayoutStatus.paid and payout.stripe_transfer_id.startswith("tr_")
    (transfer,) = fake_stripe.transfers.values()
    assert (transfer["amount"], transfer["destination"]) == (80_000, payout.stripe_account_id)
    assert transfer["metadata"]["payout_id"] == str(payout_id)
    assert weaver_balance(session, weaver.id) == 0


def test_a_refund_after_payout_shows_on_her_statement_and_the_council_can_write_it_off(app, session, world):
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {world["maria"].id: "800"})
    batch = only_batch(session)
    council = signed_in(app, "consejera")
    post(council, f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    payout_id = batch_payout(session, world["maria"])
    post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    fresh(session)
    order_id = session.scalar(
        select(LedgerTransaction.order_id).where(LedgerTransaction.kind == "sale").order_by(LedgerTransaction.id)
    )
    post_refund(session, key="after-payout", order_id=order_id, money_account="cash", amount=100_000)
    session.commit()
    month = to_local(utcnow()).strftime("%Y-%m")
    statement = council.get(f"/taller/tejedoras/{world['maria'].id}/estado?mes={month}").text
    assert es.gettext("Paid to her") in statement and es.gettext("Refund") in statement
    assert "Ella le debe a la cooperativa $800 MXN" in statement
    mine = signed_in(app, "maria").get(f"/taller/ganancias?mes={month}").text
    assert "Le debes a la cooperativa $800 MXN" in mine
    account = f"/taller/tejedoras/{world['maria'].id}/cuenta"
    refused = post(treasurer, f"/taller/tejedoras/{world['maria'].id}/condonar", {"amount": "800", "reason": "x"})
    assert refused.status_code == 403
    too_much = post(
        council,
        f"/taller/tejedoras/{world['maria'].id}/condonar",
        {"amount": "900", "reason": "Lost"},
        form_page=account,
    )
    assert too_much.status_code == 422
    done = post(
        council,
        f"/taller/tejedoras/{world['maria'].id}/condonar",
        {"amount": "800", "reason": "Lost parcel"},
        form_page=account,
    )
    assert done.status_code == 303
    fresh(session)
    assert weaver_balance(session, world["maria"].id) == 0
    after = council.get(f"/taller/tejedoras/{world['maria'].id}/estado?mes={month}").text
    assert es.gettext("Written off by the council") in after


def test_statement_month_must_be_a_month(app, session, world):
    council = signed_in(app, "consejera")
    bad = council.get(f"/taller/tejedoras/{world['maria'].id}/estado?mes=2026-13")
    assert bad.status_code == 422
    missing = council.get("/taller/tejedoras/999999/estado")
    assert missing.status_code == 404


def test_home_shows_batches_waiting(app, session, world):
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {world["maria"].id: "800"})
    council = signed_in(app, "consejera")
    assert "/taller/pagos-tejedoras" in council.get("/taller/inicio").text
    home = council.get("/taller/inicio").text
    assert re.search(r"<strong>1</strong>", home)


@pytest.fixture
def connect(stripe_app, session, fake_stripe):
    """Stripe Connect switched on, Rosa owed 800 pesos with a connected account, her payout approved."""
    stripe_app.state.settings.stripe_connect_payouts = True
    weaver = make_weaver(session, name="Rosa López Gómez")
    order, (line,) = make_order(session, [(100_000, 8000, [(weaver, 10_000)])])
    post_sale(session, sale_for(session, order, [line], money="cash"))
    session.commit()
    person(session, "tesorera", Role.treasurer)
    person(session, "consejera", Role.council)
    account_id = fake_stripe.add_connected_account()
    treasurer = signed_in(stripe_app, "tesorera")
    page = f"/taller/tejedoras/{weaver.id}/cuenta"
    post(treasurer, page, {"method": "stripe_connect", "stripe_account_id": account_id}, form_page=page)
    prepare(treasurer, {weaver.id: "800"})
    batch = only_batch(session)
    post(signed_in(stripe_app, "consejera"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    return {"weaver": weaver, "treasurer": treasurer, "payout": batch_payout(session, weaver), "batch": batch}


def test_when_stripe_does_not_answer_the_payout_stays_being_sent_and_is_never_paid_twice(connect, session, fake_stripe):
    treasurer, payout_id = connect["treasurer"], connect["payout"]
    fake_stripe.mode = "slow"  # Stripe makes the transfer but the answer comes too late
    unanswered = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/stripe")
    assert unanswered.status_code == 503
    assert "nunca paga dos veces" in unanswered.text
    fresh(session)
    assert session.get(Payout, payout_id).status is PayoutStatus.sending
    deadline = time.monotonic() + fake_stripe.slow_seconds + 5
    while not fake_stripe.transfers and time.monotonic() < deadline:
        time.sleep(0.05)  # Stripe finishes the transfer after we stopped waiting for it
    assert len(fake_stripe.transfers) == 1
    # Money may have left: it can be neither undone nor cancelled while we do not know.
    undo = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/deshacer", {"reason": "retry"})
    assert undo.status_code == 409
    cancel = post(treasurer, f"/taller/pagos-tejedoras/lotes/{connect['batch'].id}/cancelar", {"reason": "x"})
    assert cancel.status_code == 409
    fake_stripe.mode = "ok"
    fake_stripe._idempotency.clear()  # as if the day-long idempotency key had expired meanwhile
    again = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/stripe")
    assert again.status_code == 303
    fresh(session)
    payout = session.get(Payout, payout_id)
    assert payout.status is PayoutStatus.paid
    assert list(fake_stripe.transfers) == [payout.stripe_transfer_id]  # found, not made a second time
    assert weaver_balance(session, connect["weaver"].id) == 0


def test_a_paid_stripe_payout_is_reversed_in_stripe_not_undone_here(connect, session):
    treasurer, payout_id = connect["treasurer"], connect["payout"]
    assert post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/stripe").status_code == 303
    refused = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/deshacer", {"reason": "wrong"})
    assert refused.status_code == 409
    fresh(session)
    assert session.get(Payout, payout_id).status is PayoutStatus.paid
    assert weaver_balance(session, connect["weaver"].id) == 0


def test_the_bank_file_waits_for_approval(app, session, world):
    treasurer = signed_in(app, "tesorera")
    page = f"/taller/tejedoras/{world['juana'].id}/cuenta"
    post(treasurer, page, {"method": "spei", "clabe": VALID_CLABE}, form_page=page)
    prepare(treasurer, {world["juana"].id: "400"})
    early = treasurer.get(f"/taller/pagos-tejedoras/lotes/{only_batch(session).id}/spei.csv")
    assert early.status_code == 409 and VALID_CLABE not in early.text


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/taller/pagos-tejedoras/lotes/99999999999999999999", 400, "Algo en la solicitud no es válido."),
        ("/taller/pagos-tejedoras/lotes/abc", 400, "Algo en la solicitud no es válido."),
        ("/taller/pagos-tejedoras/pagos/0/recibo", 400, "Algo en la solicitud no es válido."),
        ("/taller/tejedoras/99999999999999999999/cuenta", 400, "Algo en la solicitud no es válido."),
        ("/taller/tejedoras/1/estado?mes=0000-05", 422, "“0000-05” no es un mes. Escríbelo así: AAAA-MM"),
        ("/taller/tejedoras/1/estado?mes=9999-12", 422, "“9999-12” no es un mes. Escríbelo así: AAAA-MM"),
        ("/taller/tejedoras/1/estado?mes=99999999999-01", 422, "“99999999999-01” no es un mes."),
    ],
)
def test_addresses_that_are_not_numbers_or_months_are_refused_clearly(app, session, world, path, status, message):
    response = signed_in(app, "consejera").get(path)
    assert response.status_code == status, response.status_code
    assert re.search(r'role="alert">[^<]*' + re.escape(message), response.text)  # a page that says what is wrong


@pytest.mark.parametrize("month", ["0000-05", "9999-12", "2026-13", "99999999999-01"])
def test_my_earnings_refuses_months_that_are_not_months(app, session, world, month):
    assert signed_in(app, "maria").get(f"/taller/ganancias?mes={month}").status_code == 422


@pytest.mark.parametrize(("weaver", "amount"), [("²", "100"), ("99999999999999999999", "100"), (None, "1e999999")])
def test_a_tampered_or_absurd_proposal_is_refused_with_a_message(app, session, world, weaver, amount):
    client = signed_in(app, "tesorera")
    page = client.get("/taller/pagos-tejedoras/nuevo")
    weaver = weaver or str(world["maria"].id)
    response = client.post(
        "/taller/pagos-tejedoras/nuevo",
        data={"csrf_token": csrf_of(page.text), "weaver": [weaver], "amount": [amount], "pay": [weaver]},
    )
    assert response.status_code == 422
    fresh(session)
    assert session.scalar(select(func.count()).select_from(PayoutBatch)) == 0


def test_a_council_member_who_weaves_cannot_approve_her_own_payout(app, session, world):
    petrona = make_weaver(session, name="Petrona Sántiz")
    order, (line,) = make_order(session, [(50_000, 8000, [(petrona, 10_000)])])
    post_sale(session, sale_for(session, order, [line], money="cash"))
    session.commit()
    person(session, "consejera-tejedora", Role.council, Role.member, weaver=petrona, name="Petrona Sántiz")
    prepare(signed_in(app, "tesorera"), {petrona.id: "400", world["maria"].id: "800"})
    batch = only_batch(session)
    refused = post(signed_in(app, "consejera-tejedora"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    assert refused.status_code == 403
    assert only_batch(session).status is BatchStatus.prepared


def test_a_signed_receipt_cannot_be_undone_and_a_proof_for_an_unpaid_payout_leaves_no_file(
    app, session, world, settings
):
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {world["maria"].id: "800"})
    batch = only_batch(session)
    payout_id = batch_payout(session, world["maria"])
    early = treasurer.post(
        f"/taller/pagos-tejedoras/pagos/{payout_id}/comprobante",
        data={"csrf_token": csrf_of(treasurer.get("/taller/inicio").text)},
        files={"photo": ("recibo.jpg", photo_bytes(), "image/jpeg")},
        follow_redirects=False,
    )
    assert early.status_code == 303
    assert not settings.proofs_dir.exists() or not any(settings.proofs_dir.iterdir())
    post(signed_in(app, "consejera"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    receipt = treasurer.get(f"/taller/pagos-tejedoras/pagos/{payout_id}/recibo")
    treasurer.post(
        f"/taller/pagos-tejedoras/pagos/{payout_id}/comprobante",
        data={"csrf_token": csrf_of(receipt.text)},
        files={"photo": ("recibo.jpg", photo_bytes(), "image/jpeg")},
    )
    refused = post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/deshacer", {"reason": "oops"})
    assert refused.status_code == 409
    fresh(session)
    assert weaver_balance(session, world["maria"].id) == 0


def test_a_write_off_sent_twice_happens_once(app, session, world):
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {world["maria"].id: "800"})
    council = signed_in(app, "consejera")
    post(council, f"/taller/pagos-tejedoras/lotes/{only_batch(session).id}/aprobar")
    post(treasurer, f"/taller/pagos-tejedoras/pagos/{batch_payout(session, world['maria'])}/efectivo")
    fresh(session)
    order_id = session.scalar(
        select(LedgerTransaction.order_id).where(LedgerTransaction.kind == "sale").order_by(LedgerTransaction.id)
    )
    post_refund(session, key="after-payout", order_id=order_id, money_account="cash", amount=100_000)
    session.commit()
    account = council.get(f"/taller/tejedoras/{world['maria'].id}/cuenta").text
    key = re.search(r'name="form_key" value="([^"]+)"', account).group(1)
    form = {"amount": "400", "reason": "Lost parcel", "form_key": key, "csrf_token": csrf_of(account)}
    for _ in range(2):
        assert (
            council.post(
                f"/taller/tejedoras/{world['maria'].id}/condonar", data=form, follow_redirects=False
            ).status_code
            == 303
        )
    fresh(session)
    assert weaver_balance(session, world["maria"].id) == -40_000
    assert session.scalar(select(func.count()).where(LedgerTransaction.kind == "write_off")) == 1


def test_a_transfer_reversed_in_stripe_comes_back_to_her_account_once(connect, session, fake_stripe, stripe_app):
    treasurer, payout_id, weaver = connect["treasurer"], connect["payout"], connect["weaver"]
    assert post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/stripe").status_code == 303
    fresh(session)
    transfer_id = session.get(Payout, payout_id).stripe_transfer_id
    webhook = TestClient(stripe_app)
    part = fake_stripe.dashboard_reverse_transfer(transfer_id, 30_000)
    for _ in range(2):  # Stripe may deliver an event twice
        assert deliver(webhook, fake_stripe, part).status_code == 200
    fresh(session)
    assert weaver_balance(session, weaver.id) == 30_000
    assert session.get(Payout, payout_id).status is PayoutStatus.paid
    rest = fake_stripe.dashboard_reverse_transfer(transfer_id)
    assert deliver(webhook, fake_stripe, rest).status_code == 200
    fresh(session)
    assert weaver_balance(session, weaver.id) == 80_000
    assert session.get(Payout, payout_id).status is PayoutStatus.failed
    assert balance(session, "stripe_clearing") == 0  # out 800 pesos, back 800 pesos
    month = to_local(utcnow()).strftime("%Y-%m")
    statement = treasurer.get(f"/taller/tejedoras/{weaver.id}/estado?mes={month}").text
    assert statement.count(es.gettext("Payout undone: owed again")) == 2
