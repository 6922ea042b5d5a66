"""Payout accounts, batches and payouts are audited like the other money tables: every change a person makes
is kept with who and when, a CLABE only by its last four digits, and a CLABE change shows on her money page."""

from __future__ import annotations

from factories import fresh
from payout_pages import VALID_CLABE, batch_payout, only_batch, prepare
from sqlalchemy import select
from workspace_helpers import post, signed_in

from shop.audit.models import AuditEvent
from shop.clock import utcnow
from shop.i18n import translator
from shop.ledger.clabe import clabe_check_digit

es = translator("es")
OTHER_CLABE = "002180000000000" + "12"
OTHER_CLABE += str(clabe_check_digit(OTHER_CLABE))


def events(session, entity: str, entity_id) -> list[AuditEvent]:
    fresh(session)
    return session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id)
    ).all()


def save_clabe(client, weaver_id: int, clabe: str):
    account = f"/taller/tejedoras/{weaver_id}/cuenta"
    return post(client, account, {"method": "spei", "clabe": clabe, "account_holder": "Juana"}, form_page=account)


def test_a_clabe_change_is_kept_masked_with_who_and_when_and_shows_on_her_page(app, session, world):
    juana = world["juana"]
    treasurer = signed_in(app, "tesorera")
    assert save_clabe(treasurer, juana.id, VALID_CLABE).status_code == 303
    before_change = utcnow()
    other = signed_in(app, "ambas")
    assert save_clabe(other, juana.id, OTHER_CLABE).status_code == 303

    first, change = events(session, "payout_accounts", juana.id)
    assert first.action == "create" and first.after["clabe"] == "…" + VALID_CLABE[-4:]
    assert change.action == "update" and change.actor_name == "Amalia Ambas"
    assert change.at >= before_change
    assert change.before["clabe"] == "…" + VALID_CLABE[-4:]
    assert change.after["clabe"] == "…" + OTHER_CLABE[-4:]
    # The full CLABE is never copied into the log.
    logged = session.scalars(select(AuditEvent)).all()
    assert not [e for e in logged if VALID_CLABE in str(e.before) + str(e.after)]

    page = treasurer.get(f"/taller/tejedoras/{juana.id}/cuenta").text
    line = es.gettext("Bank account changed on %(date)s by %(name)s: %(before)s → %(after)s") % {
        "date": es.date(change.at),
        "name": "Amalia Ambas",
        "before": "…" + VALID_CLABE[-4:],
        "after": "…" + OTHER_CLABE[-4:],
    }
    assert line in page


def test_preparing_approving_paying_and_failing_a_payout_are_each_audited(app, session, world):
    maria = world["maria"]
    treasurer = signed_in(app, "tesorera")
    prepare(treasurer, {maria.id: "800"})
    batch = only_batch(session)
    payout_id = batch_payout(session, maria)
    created = events(session, "payout_batches", batch.id)
    assert [(e.action, e.actor_name) for e in created] == [("create", "Teresa Tesorera")]
    assert [e.action for e in events(session, "payouts", payout_id)] == ["create"]

    post(signed_in(app, "consejera"), f"/taller/pagos-tejedoras/lotes/{batch.id}/aprobar")
    approved = events(session, "payout_batches", batch.id)[-1]
    assert approved.actor_name == "Carmen Consejera"
    assert (approved.before["status"], approved.after["status"]) == ("prepared", "approved")

    post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/efectivo")
    paid = events(session, "payouts", payout_id)[-1]
    assert paid.actor_name == "Teresa Tesorera"
    assert (paid.before["status"], paid.after["status"]) == ("pending", "paid")

    post(treasurer, f"/taller/pagos-tejedoras/pagos/{payout_id}/deshacer", {"reason": "She was not here"})
    failed = events(session, "payouts", payout_id)[-1]
    assert (failed.before["status"], failed.after["status"]) == ("paid", "failed")
    assert failed.after["ended_reason"] == "Teresa Tesorera: She was not here"
