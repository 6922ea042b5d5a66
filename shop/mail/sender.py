"""Sending what is due in the outbox, safely from several workers at once.

Each row is claimed by one conditional UPDATE in its own short transaction (status "sending" with a lease in
``claimed_until``, ``attempts`` counted up so it fences out a stale claimer), sent outside any transaction, and
then recorded in another short transaction. An SMTP outage only leaves rows pending with a later
``next_attempt_at``; after ``MAX_ATTEMPTS`` a row is marked failed and kept. A worker that dies mid-send leaves
its row "sending" until the lease ends, when the next run picks it up again, so delivery is at least once; the
Message-ID is the same on every attempt, so a mail server that sees it twice can tell.

Without an SMTP host (the demo, or a cooperative without mail) each message is written to the
``shop.mail`` log instead and marked sent.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import Engine

from shop.clock import LOCAL_ZONE, utcnow
from shop.config import Settings
from shop.db import session_scope
from shop.mail.models import OutboxEmail, OutboxStatus


class RenderedEmail(NamedTuple):
    subject: str
    text: str
    html: str


log = logging.getLogger("shop.mail")

MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# How long a claim holds: a send takes at most a few SMTP timeouts, so this is ample, and a row whose
# worker died is retried after it.
CLAIM_LEASE = timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 10
MAX_ERROR_LENGTH = 1000


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1 min, 2, 4, 8 … doubling, at most 6 hours."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 minutes is far past the cap; keeps the number small
    return min(FIRST_RETRY * 2**doublings, LONGEST_RETRY)


class _ConnectionFailed(Exception):
    """The mail server could not be reached or refused us; every other message would fail the same way."""


def _due_condition(now: datetime):
    table = OutboxEmail.__table__.c
    return and_(
        table.next_attempt_at <= now,
        or_(
            table.status == OutboxStatus.pending,
            and_(table.status == OutboxStatus.sending, table.claimed_until < now),
        ),
    )


def _due_ids(engine: Engine, now: datetime, limit: int) -> list[int]:
    table = OutboxEmail.__table__.c
    with session_scope(engine, writes=False) as session:
        query = select(table.id).where(_due_condition(now)).order_by(table.next_attempt_at, table.id).limit(limit)
        return list(session.execute(query).scalars())


def _claim(engine: Engine, row_id: int, now: datetime) -> OutboxEmail | None:
    """Take one row for this worker, or None if another worker took it (or it is no longer due)."""
    table = OutboxEmail.__table__
    with session_scope(engine) as session:
        claimed = session.execute(
            update(table)
            .where(table.c.id == row_id, _due_condition(now))
            .values(status=OutboxStatus.sending, claimed_until=now + CLAIM_LEASE, attempts=table.c.attempts + 1)
        )
        if claimed.rowcount != 1:
            return None
        return session.get(OutboxEmail, row_id)


def _record(engine: Engine, row: OutboxEmail, **values) -> bool:
    """Write the outcome, but only while the claim is still ours (same attempt number, still sending)."""
    table = OutboxEmail.__table__
    with session_scope(engine) as session:
        result = session.execute(
            update(table)
            .where(table.c.id == row.id, table.c.status == OutboxStatus.sending, table.c.attempts == row.attempts)
            .values(claimed_until=None, **values)
        )
        return result.rowcount == 1


def _record_sent(engine: Engine, row: OutboxEmail, now: datetime) -> None:
    if not _record(engine, row, status=OutboxStatus.sent, sent_at=now, last_error=""):
        log.warning("outbox e-mail %s was sent, but its claim had lapsed; another run may send it again", row.id)


def _record_failure(engine: Engine, row: OutboxEmail, now: datetime, error: str) -> str:
    """Pending again with a later attempt, or failed for good after the last one; returns which."""
    error = error[:MAX_ERROR_LENGTH]
    if row.attempts >= MAX_ATTEMPTS:
        _record(engine, row, status=OutboxStatus.failed, last_error=error)
        log.error("outbox e-mail %s to %s failed after %d attempts: %s", row.id, row.to, row.attempts, error)
        return "failed"
    _record(engine, row, status=OutboxStatus.pending, next_attempt_at=now + retry_delay(row.attempts), last_error=error)
    log.warning("outbox e-mail %s to %s not sent (attempt %d): %s", row.id, row.to, row.attempts, error)
    return "retried"


def _mail_domain(settings: Settings) -> str:
    address = parseaddr(settings.smtp_from)[1]
    return address.rpartition("@")[2] or urlsplit(settings.base_url).hostname or "localhost"


def build_message(row: OutboxEmail, rendered: RenderedEmail, settings: Settings, now: datetime) -> EmailMessage:
    """A multipart/alternative message (text, then HTML), or plain text alone, UTF-8, with the headers mail
    servers expect."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = settings.smtp_from
    message["To"] = row.to
    message["Date"] = format_datetime(now.astimezone(LOCAL_ZONE))
    # The same on every attempt, so a resend after a lost acknowledgement can be recognised.
    stamp = int(row.created_at.timestamp())
    message["Message-ID"] = f"<outbox-{row.id}-{stamp}@{_mail_domain(settings)}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text, charset="utf-8")
    if rendered.html:  # a plain-text-only e-mail has none
        message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    message["Content-Language"] = row.language  # after the parts: setting content clears Content-* headers
    return message


def _connect(settings: Settings) -> smtplib.SMTP:
    try:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    except (OSError, smtplib.SMTPException) as error:
        raise _ConnectionFailed(f"cannot connect to {settings.smtp_host}:{settings.smtp_port}: {error!r}") from error
    try:
        smtp.ehlo()
        encrypted = False
        if settings.smtp_starttls and smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            encrypted = True
        if settings.smtp_username:
            if settings.smtp_starttls and not encrypted:
                # Asked for TLS but not offered: someone may have stripped it to read the password.
                raise _ConnectionFailed(
                    f"{settings.smtp_host} does not offer STARTTLS; not sending the SMTP password unencrypted"
                )
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_username, password)
    except _ConnectionFailed:
        smtp.close()
        raise
    except (OSError, smtplib.SMTPException) as error:
        smtp.close()
        raise _ConnectionFailed(f"{settings.smtp_host}:{settings.smtp_port}: {error!r}") from error
    return smtp


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def send_due(
    engine: Engine,
    settings: Settings,
    *,
    render: Callable[..., RenderedEmail],
    now: datetime | None = None,
    limit: int = 50,
) -> dict[str, int]:
    """Send up to ``limit`` due e-mails; returns how many were sent, retried later, failed for good, or logged.

    Safe to run from several workers at once: each row is sent by the worker whose claim succeeded. If the
    mail server cannot be reached, the run stops after the first attempt and the rest wait untouched.
    ``render(kind, language, context, store_url=…)`` writes each message (``shop.web.email.render``).
    ``now`` fixes the clock (for tests); otherwise the current time is read at each step.
    """
    clock: Callable[[], datetime] = (lambda: now) if now is not None else utcnow
    counts = {"sent": 0, "retried": 0, "failed": 0, "logged": 0}
    demo = not settings.smtp_host
    smtp: smtplib.SMTP | None = None
    try:
        for row_id in _due_ids(engine, clock(), limit):
            row = _claim(engine, row_id, clock())
            if row is None:
                continue
            if row.attempts > MAX_ATTEMPTS:  # its last worker stopped mid-send; do not try forever
                counts[_record_failure(engine, row, clock(), row.last_error or "interrupted while sending")] += 1
                continue
            try:
                rendered = render(row.kind, row.language, row.context, store_url=f"{settings.base_url}/{row.language}/")
                message = build_message(row, rendered, settings, clock())
            except Exception as error:  # a template or context problem: this message only
                log.exception("outbox e-mail %s could not be written", row.id)
                counts[_record_failure(engine, row, clock(), f"cannot render: {error!r}")] += 1
                continue
            if demo:
                log.info(
                    "E-mail not sent (no SMTP host configured), outbox id %s\nTo: %s\nSubject: %s\n\n%s",
                    row.id,
                    row.to,
                    rendered.subject,
                    rendered.text,
                )
                _record_sent(engine, row, clock())
                counts["logged"] += 1
                continue
            try:
                if smtp is None:
                    smtp = _connect(settings)
                smtp.send_message(message)
            except _ConnectionFailed as error:
                counts[_record_failure(engine, row, clock(), str(error))] += 1
                break
            except (OSError, smtplib.SMTPException) as error:
                # Refused recipient, rejected data, dropped connection: retry this one, and reconnect for the next.
                _quit(smtp)
                smtp = None
                counts[_record_failure(engine, row, clock(), f"{type(error).__name__}: {error}")] += 1
                continue
            _record_sent(engine, row, clock())
            counts["sent"] += 1
    finally:
        _quit(smtp)
    return counts
