"""The history of how a weaver is paid, read from the audit log: every change of her CLABE, by whom and when.

The audit log keeps a CLABE masked (``mask_clabe``), so the history never shows one in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from shop.audit.history import history
from shop.ledger.models import PayoutAccount


@dataclass(frozen=True, slots=True)
class ClabeChange:
    at: datetime
    by: str
    before: str | None  # masked; None: she had no CLABE
    after: str | None


def clabe_changes(session: Session, weaver_id: int) -> list[ClabeChange]:
    """Every change of her CLABE that a person made, newest first."""
    return [
        ClabeChange(event.at, event.actor_name, (event.before or {}).get("clabe"), event.after.get("clabe"))
        for event in history(session, PayoutAccount.__tablename__, weaver_id)
        if "clabe" in (event.after or {}) and (event.before or {}).get("clabe") != event.after.get("clabe")
    ]
