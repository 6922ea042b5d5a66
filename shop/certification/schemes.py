"""Fair-trade schemes are data the council keeps, not code: a new scheme, or a standard's new version, is a
form to fill in. Changing a scheme's wording changes every claim made under it from that moment (audited)."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.certification.claim import ClaimKind
from shop.certification.models import Scheme
from shop.errors import N_, Conflict, NotFound, ValidationFailed

MAX_GRACE_DAYS = 365


@dataclass(frozen=True)
class SchemeDraft:
    name: str
    owner: str
    standard_name: str
    claim_kind: ClaimKind
    wording_es: str
    wording_en: str
    standard_version: str = ""
    renewal_grace_days: int = 0
    needs_licence: bool = False


def _problems(draft: SchemeDraft) -> list[ValidationFailed]:
    required = {
        "name": (draft.name, N_("Write the scheme's name.")),
        "owner": (draft.owner, N_("Write who owns or certifies the scheme.")),
        "standard_name": (draft.standard_name, N_("Write the name of the standard.")),
        "wording_es": (draft.wording_es, N_("Write the words of the claim in Spanish.")),
        "wording_en": (draft.wording_en, N_("Write the words of the claim in English.")),
    }
    problems = [
        ValidationFailed(message, field=name) for name, (value, message) in required.items() if not value.strip()
    ]
    if not 0 <= draft.renewal_grace_days <= MAX_GRACE_DAYS:
        problems.append(
            ValidationFailed(
                N_("The renewal grace is from 0 to %(days)d days."), field="renewal_grace_days", days=MAX_GRACE_DAYS
            )
        )
    return problems


def save_scheme(session: Session, draft: SchemeDraft, scheme_id: int | None = None) -> Scheme:
    """A new scheme, or the changes to one; its name is unique."""
    problems = _problems(draft)
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    scheme = Scheme() if scheme_id is None else session.get(Scheme, scheme_id, with_for_update=True)
    if scheme is None:
        raise NotFound(N_("There is no such scheme."))
    same_name = sa.select(Scheme.id).where(sa.func.lower(Scheme.name) == draft.name.strip().lower())
    if scheme_id is not None:
        same_name = same_name.where(Scheme.id != scheme_id)
    if session.scalar(same_name) is not None:
        raise Conflict(N_("There is already a scheme called %(name)s."), field="name", name=draft.name.strip())
    scheme.name = draft.name.strip()
    scheme.owner = draft.owner.strip()
    scheme.standard_name = draft.standard_name.strip()
    scheme.standard_version = draft.standard_version.strip()
    scheme.claim_kind = draft.claim_kind
    scheme.wording_es = draft.wording_es.strip()
    scheme.wording_en = draft.wording_en.strip()
    scheme.renewal_grace_days = draft.renewal_grace_days
    scheme.needs_licence = draft.needs_licence
    session.add(scheme)
    session.flush()
    return scheme
