"""The register of members: who she is (her weaver profile, CURP, community), when and by which assembly she
was admitted, and each change of her status, with its date and its act, through one transition function."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from shop.catalogue.models import Weaver
from shop.cooperative.models import Assembly, Member, MemberStatus, MemberStatusChange
from shop.cooperative.rules import clean_curp
from shop.errors import N_, Conflict, InvalidState, NotFound, Phrase, ValidationFailed

S = MemberStatus
MOVES: dict[MemberStatus, frozenset[MemberStatus]] = {
    S.applicant: frozenset({S.active, S.withdrawn}),
    S.active: frozenset({S.withdrawn, S.excluded, S.deceased}),
    S.withdrawn: frozenset({S.active}),  # admitted again by an assembly
    S.excluded: frozenset(),
    S.deceased: frozenset(),
}
NEEDS_ASSEMBLY = (S.active, S.excluded)  # admission and exclusion are the assembly's to decide
STATUS_NAMES = {
    S.applicant: N_("applicant member"),
    S.active: N_("active member"),
    S.withdrawn: N_("withdrawn member"),
    S.excluded: N_("excluded by the assembly"),
    S.deceased: N_("deceased"),
}


def _checked_details(
    session: Session, curp: str, community: str, municipio: str, *, member_id: int | None = None
) -> str | None:
    """Her CURP checked (None when not given) and where she weaves written; every problem at once."""
    problems = []
    checked = None
    if curp.strip():
        try:
            checked = clean_curp(curp)
        except ValidationFailed as exc:
            problems.append(exc)
        else:
            holder = session.scalar(sa.select(Member.id).where(Member.curp == checked))
            if holder is not None and holder != member_id:
                problems.append(ValidationFailed(N_("Another member has this CURP."), field="curp"))
    if not community.strip():
        problems.append(ValidationFailed(N_("Write her community."), field="community"))
    if not municipio.strip():
        problems.append(ValidationFailed(N_("Write her municipio."), field="municipio"))
    if problems:
        raise ValidationFailed(N_("Please correct the marked fields."), errors=problems)
    return checked


def register(
    session: Session,
    weaver_id: int,
    *,
    curp: str,
    community: str,
    municipio: str,
    signs_with_thumbprint: bool = False,
) -> Member:
    """A woman applies to join: her weaver profile, her CURP (checked), where she weaves."""
    if session.get(Weaver, weaver_id) is None:
        raise NotFound(N_("There is no such weaver."))
    if session.scalar(sa.select(Member.id).where(Member.weaver_id == weaver_id)) is not None:
        raise Conflict(N_("She is already in the register."), field="weaver_id")
    checked = _checked_details(session, curp, community, municipio)
    member = Member(
        weaver_id=weaver_id,
        curp=checked,
        community=community.strip(),
        municipio=municipio.strip(),
        signs_with_thumbprint=signs_with_thumbprint,
    )
    session.add(member)
    session.flush()
    return member


def update_details(
    session: Session, member: Member, *, curp: str, community: str, municipio: str, signs_with_thumbprint: bool
) -> Member:
    """Correct her CURP and where she weaves, or note that she signs with her thumbprint."""
    member.curp = _checked_details(session, curp, community, municipio, member_id=member.id)
    member.community, member.municipio = community.strip(), municipio.strip()
    member.signs_with_thumbprint = signs_with_thumbprint
    session.flush()
    return member


def change_status(
    session: Session, member: Member, to: MemberStatus, *, on: date, act: str, assembly_id: int | None = None
) -> MemberStatusChange:
    """Her status moves only along the legal moves; admission and exclusion name the assembly that decided."""
    if to not in MOVES[member.status]:
        raise InvalidState(
            N_("She is %(current)s, so she cannot become %(wanted)s."),
            current=Phrase(STATUS_NAMES[member.status]),
            wanted=Phrase(STATUS_NAMES[to]),
        )
    if to in NEEDS_ASSEMBLY and (assembly_id is None or session.get(Assembly, assembly_id) is None):
        raise ValidationFailed(N_("Choose the assembly that decided it."), field="assembly_id")
    if not act.strip():
        raise ValidationFailed(N_("Write the act or document behind the change."), field="act")
    member.status = to
    if to is S.active and member.admitted_on is None:
        member.admitted_on, member.admitted_by_id = on, assembly_id
    change = MemberStatusChange(member_id=member.id, status=to, on=on, act=act.strip(), assembly_id=assembly_id)
    session.add(change)
    session.flush()
    return change
