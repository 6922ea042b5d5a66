"""Asking to be told, taking it back, and telling: each request is sent once, then kept only as a sent row until
its owner deletes it with the token in her e-mail or on the page that took it."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import ProductWeaver, Weaver
from shop.errors import N_, ValidationFailed
from shop.mail.outbox import clean_email, enqueue
from shop.notices.models import Notice, NoticeKind


def forget_url(base_url: str, notice: Notice) -> str:
    return f"{base_url}/{notice.lang}/notify/forget/{notice.token}"


def ask(
    session: Session,
    *,
    kind: NoticeKind,
    email: str,
    lang: str,
    consent: bool,
    now: datetime,
    weaver_id: int | None = None,
    country: str | None = None,
) -> Notice:
    """Record a request to be told, with her explicit consent. Asking again while the first request waits
    changes nothing and gives back that request."""
    problems = []
    try:
        address = clean_email(email)
    except ValidationFailed as exc:
        problems.append(exc)
        address = ""
    if not consent:
        problems.append(ValidationFailed(N_("Tick the box to let us write to you about this."), field="consent"))
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    waiting = session.scalar(
        sa.select(Notice).where(
            Notice.kind == kind,
            sa.func.lower(Notice.email) == address.lower(),
            Notice.weaver_id.is_(None) if weaver_id is None else Notice.weaver_id == weaver_id,
            Notice.country.is_(None) if country is None else Notice.country == country,
            Notice.sent_at.is_(None),
        )
    )
    if waiting is not None:
        return waiting
    notice = Notice(
        kind=kind,
        email=address,
        lang=lang,
        weaver_id=weaver_id,
        country=country,
        token=secrets.token_urlsafe(32),
        consented_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def by_token(session: Session, token: str) -> Notice | None:
    if not 20 <= len(token) <= 64:
        return None
    return session.scalar(sa.select(Notice).where(Notice.token == token))


def forget(session: Session, token: str) -> bool:
    """Delete the request with this token; False if there is none (already deleted, or never there)."""
    notice = by_token(session, token)
    if notice is None:
        return False
    session.delete(notice)
    session.flush()
    return True


def _send(session: Session, notice: Notice, base_url: str, now: datetime, context: dict) -> None:
    enqueue(
        session,
        kind=notice.kind.value,
        to=notice.email,
        language=notice.lang,
        context={**context, "forget_url": forget_url(base_url, notice)},
        dedupe_key=f"notice:{notice.id}",
    )
    notice.sent_at = now


def tell_about_new_piece(session: Session, *, product_id: int, slug: str, base_url: str, now: datetime) -> int:
    """A piece was published: tell everyone waiting for a piece by one of its weavers, once. A weaver who chose not
    to be shown online is not named in the e-mail."""
    rows = session.execute(
        sa.select(Weaver.id, Weaver.name, Weaver.consent_to_publish)
        .join(ProductWeaver, ProductWeaver.weaver_id == Weaver.id)
        .where(ProductWeaver.product_id == product_id)
    ).all()
    names = {weaver_id: name if shown else "" for weaver_id, name, shown in rows}
    waiting = session.scalars(
        sa.select(Notice)
        .where(Notice.kind == NoticeKind.similar_piece, Notice.weaver_id.in_(list(names)), Notice.sent_at.is_(None))
        .order_by(Notice.id)
        .with_for_update(skip_locked=True)
    ).all()
    for notice in waiting:
        piece_url = f"{base_url}/{notice.lang}/products/{slug}"
        _send(session, notice, base_url, now, {"weaver": names[notice.weaver_id], "piece_url": piece_url})
    session.flush()
    return len(waiting)


def tell_card_payment_works(session: Session, *, base_url: str, now: datetime) -> int:
    """Card payment works now: tell everyone who asked, once."""
    waiting = session.scalars(
        sa.select(Notice)
        .where(Notice.kind == NoticeKind.card_payment, Notice.sent_at.is_(None))
        .order_by(Notice.id)
        .with_for_update(skip_locked=True)
    ).all()
    for notice in waiting:
        _send(session, notice, base_url, now, {"shop_url": f"{base_url}/{notice.lang}/products"})
    session.flush()
    return len(waiting)
