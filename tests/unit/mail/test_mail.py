"""The mail outbox against a real SMTP server (aiosmtpd on loopback) and a real database."""

from __future__ import annotations

import copy
import email
import email.policy
import logging
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from babel.messages.extract import extract_from_dir
from sqlalchemy import func, select
from sqlmodel import Session

from shop.clock import utcnow
from shop.config import Settings
from shop.db import session_scope
from shop.i18n import translator
from shop.mail.models import OutboxEmail, OutboxStatus
from shop.mail.outbox import TEXT_ONLY_KINDS, enqueue
from shop.mail.sender import MAX_ATTEMPTS, retry_delay, send_due
from shop.web.email import render

ROOT = Path(__file__).resolve().parents[3]

CONTEXT = {
    "order": {
        "number": "JJ-000123",
        "status_url": "https://shop.example/es/orders/tok123",
        "name": "Ana López",
        "currency": "MXN",
        "subtotal": 370000,
        "shipping_amount": 15000,
        "total": 385000,
        "amount_due_now": 200000,
        "payment_method": "offline",
        "lines": [
            {
                "title_es": "Huipil de rombos",
                "title_en": "Diamond huipil",
                "quantity": 1,
                "unit_price": 185000,
                "line_total": 185000,
                "amount_due_now": 185000,
                "kind": "unique",
                "lead_time_days": None,
            },
            {
                "title_es": "Rebozo de índigo",
                "title_en": "Indigo rebozo",
                "quantity": 1,
                "unit_price": 185000,
                "line_total": 185000,
                "amount_due_now": 15000,
                "kind": "made_to_order",
                "lead_time_days": 45,
            },
        ],
        "shipping_address": ["Ana López", "Calle Real 12", "29200 San Cristóbal de las Casas, Chis.", "México"],
    },
    "bank_transfer_details": "Banco X · CLABE 0021 8000 1234 5678 90 · J'pas Joloviletik S.C. de R.L.",
    "carrier": "Estafeta",
    "tracking_number": "1234567890",
    "tracking_url": "https://rastreo.example/1234567890",
}


class Inbox:
    """An aiosmtpd handler that keeps every accepted message; refuses recipients listed in ``refuse``."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int | None = None, **kwargs) -> None:
        self.port = port or free_port()
        self.inbox = Inbox(kwargs.pop("refuse", ()))
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


@pytest.fixture
def smtp_server():
    with SmtpServer() as server:
        yield server


def smtp_settings(settings: Settings, port: int, **overrides) -> Settings:
    return Settings(
        **{**settings.model_dump(), "smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False, **overrides}
    )


def put(session: Session, *, kind="order_confirmation", to="ana@example.org", language="es", context=None, **kw):
    row = enqueue(session, kind=kind, to=to, language=language, context=context or CONTEXT, **kw)
    session.commit()
    return row


def outbox(engine) -> list[OutboxEmail]:
    with Session(engine) as db:
        return list(db.exec(select(OutboxEmail).order_by(OutboxEmail.id)).scalars())


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


NOTHING = {"sent": 0, "retried": 0, "failed": 0, "logged": 0}


# --- Delivery -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title", "other_title", "total"),
    [
        ("es", "Huipil de rombos", "Diamond huipil", "$3,850 MXN"),
        ("en", "Diamond huipil", "Huipil de rombos", "MX$3,850"),
    ],
)
def test_enqueue_and_send_delivers_one_message_in_the_buyers_language(
    engine, session, settings, smtp_server, lang, title, other_title, total
):
    put(session, language=lang, to="ana@example.org")

    counts = send_due(engine, smtp_settings(settings, smtp_server.port), render=render)

    assert counts == {**NOTHING, "sent": 1}
    assert len(smtp_server.inbox.messages) == 1
    mail_from, rcpt_tos, message = smtp_server.inbox.messages[0]
    assert rcpt_tos == ["ana@example.org"]
    assert mail_from == "tienda@example.org"
    assert message["To"] == "ana@example.org"
    assert message["From"] == settings.smtp_from
    assert message["Subject"] == render("order_confirmation", lang, CONTEXT).subject
    assert "JJ-000123" in message["Subject"]
    assert message["Date"] and message["Message-ID"].startswith("<outbox-")
    assert message["Content-Language"] == lang
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())

    text, html = parts(message)
    t = translator(lang)
    for body in (text, html):
        assert title in body and other_title not in body
        assert total in body  # money formatted for the language
        assert t.money(385000, "MXN") == total
        assert t.gettext("Thank you for your order!") in body
        assert "https://shop.example/es/orders/tok123" in body
        assert "CLABE 0021 8000 1234 5678 90" in body
        assert "Calle Real 12" in body
    assert "<html" not in text and '<html lang="' + lang + '">' in html
    # Made to order: the lead time and what is due later.
    ready_in = "Made to order: it will be ready in about %(num)d day."
    assert t.ngettext(ready_in, ready_in.replace("day.", "days."), 45) in text
    assert t.money(200000, "MXN") in text  # due now differs from the total, so it is shown

    [row] = outbox(engine)
    assert row.status == OutboxStatus.sent
    assert row.attempts == 1
    assert row.sent_at is not None and row.last_error == "" and row.claimed_until is None


def test_every_kind_renders_in_both_languages_with_the_right_details():
    for lang in ("es", "en"):
        t = translator(lang)
        stripe = copy.deepcopy(CONTEXT)
        stripe["order"]["payment_method"] = "stripe"
        confirmation = render("order_confirmation", lang, stripe)
        assert t.gettext("We will send you an e-mail as soon as your payment is confirmed.") in confirmation.text
        assert "CLABE" not in confirmation.text + confirmation.html

        paid = render("payment_received", lang, CONTEXT)
        assert t.gettext("Payment received") in paid.html
        loom = t.ngettext(
            "Your made-to-order piece now goes on the loom.", "Your made-to-order pieces now go on the loom.", 1
        )
        assert loom in paid.text

        shipped = render("order_shipped", lang, CONTEXT)
        assert "Estafeta" in shipped.text and "1234567890" in shipped.text
        assert 'href="https://rastreo.example/1234567890"' in shipped.html
        no_link = copy.deepcopy(CONTEXT)
        no_link["tracking_url"] = ""
        assert "rastreo.example" not in render("order_shipped", lang, no_link).html

    # Anything but Spanish or English is written in Spanish.
    assert render("payment_received", "fr", CONTEXT) == render("payment_received", "es", CONTEXT)


def test_render_escapes_context_and_drops_unsafe_links():
    context = copy.deepcopy(CONTEXT)
    context["order"]["name"] = "Ana <script>alert(1)</script> & Co"
    context["order"]["lines"][0]["title_es"] = '<img src=x onerror="alert(1)">'
    context["tracking_url"] = "javascript:alert(1)"
    context["order"]["status_url"] = "javascript:alert(2)"

    shipped = render("order_shipped", "es", context)

    assert "<script>" not in shipped.html and "&lt;script&gt;" in shipped.html
    assert "<img" not in shipped.html and "&lt;img" in shipped.html
    assert "javascript:" not in shipped.html and "javascript:" not in shipped.text
    assert "Ana <script>alert(1)</script> & Co" in shipped.text  # plain text is not HTML-escaped


# --- Failures and retries -------------------------------------------------------------------------------------


def test_smtp_down_leaves_the_message_pending_and_a_later_run_delivers_it_once(engine, session, settings):
    port = free_port()  # nothing listens here yet
    mail = smtp_settings(settings, port)
    put(session)
    now = utcnow()

    assert send_due(engine, mail, render=render, now=now) == {**NOTHING, "retried": 1}

    [row] = outbox(engine)
    assert row.status == OutboxStatus.pending
    assert row.attempts == 1
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert row.next_attempt_at > now
    assert "cannot connect" in row.last_error
    assert row.claimed_until is None
    # Not due again yet: the next run leaves it alone.
    assert send_due(engine, mail, render=render, now=now + timedelta(seconds=30)) == NOTHING

    with SmtpServer(port=port) as server:
        assert send_due(engine, mail, render=render, now=now + timedelta(minutes=2)) == {**NOTHING, "sent": 1}
        assert send_due(engine, mail, render=render, now=now + timedelta(hours=1)) == NOTHING
        assert len(server.inbox.messages) == 1

    [row] = outbox(engine)
    assert row.status == OutboxStatus.sent and row.attempts == 2 and row.last_error == ""


def test_an_outage_stops_the_run_without_touching_the_other_messages(engine, session, settings):
    for number in range(3):
        put(session, to=f"buyer{number}@example.org")

    assert send_due(engine, smtp_settings(settings, free_port()), render=render) == {**NOTHING, "retried": 1}

    rows = outbox(engine)
    assert [row.attempts for row in rows] == [1, 0, 0]
    assert all(row.status == OutboxStatus.pending for row in rows)


def test_backoff_doubles_up_to_six_hours_and_gives_up_after_the_last_attempt(engine, session, settings):
    mail = smtp_settings(settings, free_port())
    put(session)
    now = utcnow()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        counts = send_due(engine, mail, render=render, now=now)
        [row] = outbox(engine)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert counts == {**NOTHING, "retried": 1}
            assert row.status == OutboxStatus.pending
            waits.append(row.next_attempt_at - now)
            now = row.next_attempt_at
        else:
            assert counts == {**NOTHING, "failed": 1}

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360)]
    assert [retry_delay(n) for n in (1, 9, 10, 50)] == [
        timedelta(minutes=1),
        timedelta(minutes=256),
        timedelta(hours=6),
        timedelta(hours=6),
    ]
    [row] = outbox(engine)
    assert row.status == OutboxStatus.failed
    assert row.attempts == MAX_ATTEMPTS and "cannot connect" in row.last_error
    # Failed messages are kept, and never picked up again.
    assert send_due(engine, mail, render=render, now=now + timedelta(days=30)) == NOTHING
    assert len(outbox(engine)) == 1


def test_a_refused_recipient_is_retried_while_the_others_go_out(engine, session, settings):
    put(session, to="nobody@example.org")
    put(session, to="ana@example.org")
    with SmtpServer(refuse=("nobody@example.org",)) as server:
        counts = send_due(engine, smtp_settings(settings, server.port), render=render)
        assert [rcpts for _, rcpts, _ in server.inbox.messages] == [["ana@example.org"]]

    assert counts == {**NOTHING, "sent": 1, "retried": 1}
    refused, delivered = outbox(engine)
    assert refused.status == OutboxStatus.pending and "550" in refused.last_error
    assert delivered.status == OutboxStatus.sent


def test_a_message_that_cannot_be_written_is_retried_and_does_not_block_the_rest(
    engine, session, settings, smtp_server
):
    put(session, context={"not": "an order"})
    put(session)

    counts = send_due(engine, smtp_settings(settings, smtp_server.port), render=render)

    assert counts == {**NOTHING, "sent": 1, "retried": 1}
    broken, good = outbox(engine)
    assert broken.status == OutboxStatus.pending and "cannot render" in broken.last_error
    assert good.status == OutboxStatus.sent
    assert len(smtp_server.inbox.messages) == 1


def test_an_interrupted_send_is_retried_after_its_claim_lapses(engine, session, settings, smtp_server):
    row = put(session)
    now = utcnow()
    row.status = OutboxStatus.sending  # as a worker that died mid-send leaves it
    row.attempts = 1
    row.claimed_until = now + timedelta(minutes=5)
    session.add(row)
    session.commit()
    mail = smtp_settings(settings, smtp_server.port)

    assert send_due(engine, mail, render=render, now=now) == NOTHING
    assert send_due(engine, mail, render=render, now=now + timedelta(minutes=6)) == {**NOTHING, "sent": 1}
    assert len(smtp_server.inbox.messages) == 1


# --- Concurrency ----------------------------------------------------------------------------------------------


def test_two_senders_at_once_deliver_each_message_exactly_once(engine, session, settings, smtp_server):
    count = 30
    for number in range(count):
        enqueue(session, kind="payment_received", to=f"buyer{number}@example.org", language="en", context=CONTEXT)
    session.commit()
    mail = smtp_settings(settings, smtp_server.port)
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            start.wait()
            results.append(send_due(engine, mail, render=render, limit=count))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(result["sent"] for result in results) == count
    delivered = sorted(rcpts[0] for _, rcpts, _ in smtp_server.inbox.messages)
    assert delivered == sorted(f"buyer{number}@example.org" for number in range(count))
    assert all(row.status == OutboxStatus.sent and row.attempts == 1 for row in outbox(engine))


# --- The outbox itself ----------------------------------------------------------------------------------------


def test_a_dedupe_key_keeps_one_message(engine, session):
    confirmation = {"kind": "order_confirmation", "to": "ana@example.org", "language": "es", "context": CONTEXT}
    first = enqueue(session, dedupe_key="order_confirmation:1", **confirmation)
    again = enqueue(session, dedupe_key="order_confirmation:1", **confirmation)
    session.commit()
    assert first is not None and first.id is not None and first.dedupe_key == "order_confirmation:1"
    assert again is None

    with session_scope(engine) as other:
        assert enqueue(other, dedupe_key="order_confirmation:1", **confirmation) is None
        assert enqueue(other, dedupe_key="order_confirmation:2", **confirmation) is not None
    # Without a key, nothing is deduplicated.
    put(session)
    put(session)
    assert [row.dedupe_key for row in outbox(engine)] == ["order_confirmation:1", "order_confirmation:2", None, None]


def test_a_concurrent_duplicate_waits_and_is_skipped_without_an_error(engine, session):
    kwargs = {"kind": "order_shipped", "to": "ana@example.org", "language": "es", "context": CONTEXT}
    assert enqueue(session, dedupe_key="shipped:7", **kwargs) is not None  # not committed yet
    outcome: list = []

    def competitor() -> None:
        try:
            with session_scope(engine) as other:
                outcome.append(enqueue(other, dedupe_key="shipped:7", **kwargs))
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=competitor)
    thread.start()
    time.sleep(0.5)
    assert thread.is_alive()  # it waits for the first transaction to decide
    session.commit()
    thread.join(timeout=30)

    assert outcome == [None]
    assert len(outbox(engine)) == 1


def test_enqueue_never_commits(engine, session, settings):
    row = enqueue(session, kind="order_confirmation", to="ana@example.org", language="en", context=CONTEXT)
    assert row is not None and row.id is not None  # flushed: it has its id
    with Session(engine) as other:
        assert other.exec(select(func.count()).select_from(OutboxEmail)).scalar_one() == 0
    session.rollback()

    assert outbox(engine) == []
    assert send_due(engine, smtp_settings(settings, free_port()), render=render) == NOTHING


def test_enqueue_normalises_the_language_and_refuses_bad_input(engine, session):
    shipped = {"kind": "order_shipped", "context": CONTEXT}
    assert enqueue(session, to="a@example.org", language="en-US", **shipped).language == "en"
    assert enqueue(session, to="b@example.org", language="tzo", **shipped).language == "es"
    with pytest.raises(ValueError, match="kind"):
        enqueue(session, kind="newsletter", to="a@example.org", language="es", context={})
    with pytest.raises(ValueError, match="line breaks"):
        enqueue(session, kind="order_shipped", to="a@example.org\r\nBcc: b@example.org", language="es", context={})
    with pytest.raises(ValueError, match="address"):
        enqueue(session, kind="order_shipped", to="", language="es", context={})
    session.rollback()


# --- Demo mode, login, TLS --------------------------------------------------------------------------------------


def test_without_an_smtp_host_the_message_is_logged_and_marked_sent(engine, session, settings, smtp_server, caplog):
    put(session, language="en")
    demo = Settings(**{**settings.model_dump(), "smtp_host": "", "smtp_port": smtp_server.port})
    caplog.set_level(logging.INFO, logger="shop.mail")

    assert send_due(engine, demo, render=render) == {**NOTHING, "logged": 1}

    assert smtp_server.inbox.messages == []
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "shop.mail")
    rendered = render("order_confirmation", "en", CONTEXT)
    assert "To: ana@example.org" in logged
    assert f"Subject: {rendered.subject}" in logged
    assert "Diamond huipil" in logged and "MX$3,850" in logged
    [row] = outbox(engine)
    assert row.status == OutboxStatus.sent and row.last_error == "" and row.sent_at is not None


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_logs_in_when_a_username_is_set(engine, session, settings):
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session_, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    put(session)
    with SmtpServer(authenticator=authenticator, auth_require_tls=False, auth_required=True) as server:
        # Asked for STARTTLS, which this server does not offer: the password is not sent in the clear.
        strict = smtp_settings(settings, server.port, smtp_starttls=True, smtp_username="coop", smtp_password="s3cret")
        assert send_due(engine, strict, render=render) == {**NOTHING, "retried": 1}
        assert logins == []
        [row] = outbox(engine)
        assert "STARTTLS" in row.last_error

        plain = smtp_settings(settings, server.port, smtp_username="coop", smtp_password="s3cret")
        assert send_due(engine, plain, render=render, now=utcnow() + timedelta(minutes=2)) == {**NOTHING, "sent": 1}
        assert logins == [(b"coop", b"s3cret")]
        assert len(server.inbox.messages) == 1


# --- Layers and translations ------------------------------------------------------------------------------------


def test_the_outbox_module_imports_no_web_framework_or_template_engine():
    code = (
        "import sys, shop.mail.outbox\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'jinja2', 'fastapi', 'starlette'})\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_every_string_of_the_text_emails_is_also_in_the_html_ones():
    """An e-mail with both parts says the same in each; a plain-text-only e-mail (no .html) is checked for its
    translations by tests/unit/test_catalogs.py, which reads the .txt templates too."""
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    text_only_kinds = [(f"{kind}.txt", "ignore") for kind in TEXT_ONLY_KINDS]

    def messages(pattern: str) -> set:
        found = extract_from_dir(
            str(ROOT / "templates" / "email"), method_map=[*text_only_kinds, (pattern, "jinja2")], keywords=keywords
        )
        return {message for _f, _l, message, _c, _x in found}

    text_only = messages("**.txt") - messages("**.html")
    assert text_only == set()
    assert len(messages("**.txt")) > 20
