"""Reading one record's history back from the audit log, for the pages that show it beside the record."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.audit.models import AuditEvent


def history(session: Session, entity: str, entity_id, *, limit: int = 50) -> list[AuditEvent]:
    """The logged changes of one row (its table name and key), newest first."""
    return list(
        session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
