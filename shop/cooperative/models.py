"""The cooperative's registry: its bylaws as versioned data, its members, its governing bodies and the terms
of office on them, and its assemblies with their notice, attendance and resolutions. Every change is audited;
CURPs are kept for the council and the admin only."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.catalogue.revision import shown_in_store
from shop.cooperative.rules import BodyKind, Call
from shop.models_base import created_at_field, str_enum


class MemberStatus(StrEnum):
    applicant = "applicant"
    active = "active"
    withdrawn = "withdrawn"
    excluded = "excluded"  # by the assembly
    deceased = "deceased"


class AssemblyKind(StrEnum):
    ordinary = "ordinary"
    extraordinary = "extraordinary"


class Caller(StrEnum):
    """Who called an assembly: an extraordinary one may be called by either council or a fifth of the members."""

    administration = "administration"
    vigilance = "vigilance"
    members = "members"


class Assembly(SQLModel, table=True):
    __tablename__ = "assemblies"
    __table_args__ = (sa.CheckConstraint("notice_posted_on <= meets_on", name="notice_before"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: AssemblyKind = Field(sa_type=str_enum(AssemblyKind, "assembly_kind"), nullable=False)
    called_by: Caller = Field(sa_type=str_enum(Caller, "assembly_caller"), nullable=False)
    call: Call = Field(default=Call.first, sa_type=str_enum(Call, "assembly_call"), nullable=False)
    meets_on: date = Field(index=True)
    place: str = Field(max_length=200)
    notice_posted_on: date
    notice_posted_at: str = Field(max_length=200)  # where the notice was posted
    agenda: str = Field(max_length=4000)
    second_call_announced: bool = False  # the notice said a second call may meet with whoever attends
    minutes: str = Field(default="", max_length=20_000)
    created_at: datetime = created_at_field()


class MinutesPage(SQLModel, table=True):
    """A scanned page of an assembly's signed minutes, kept privately (a photo, checked like product photos)."""

    __tablename__ = "minutes_pages"
    __table_args__ = (sa.UniqueConstraint("assembly_id", "page"),)

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assemblies.id", ondelete="RESTRICT", index=True)
    page: int
    stored_name: str = Field(max_length=120, unique=True)
    size_bytes: int
    created_at: datetime = created_at_field()


class Resolution(SQLModel, table=True):
    """What an assembly resolved, with its vote."""

    __tablename__ = "resolutions"
    __table_args__ = (
        sa.CheckConstraint("votes_for >= 0 AND votes_against >= 0 AND votes_abstaining >= 0", name="votes"),
        sa.UniqueConstraint("assembly_id", "number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assembly_id: int = Field(foreign_key="assemblies.id", ondelete="RESTRICT", index=True)
    number: int  # within its assembly
    text: str = Field(max_length=4000)
    votes_for: int = 0
    votes_against: int = 0
    votes_abstaining: int = 0
    created_at: datetime = created_at_field()


class BylawsVersion(SQLModel, table=True):
    """The bylaws' values from a date on. The founding version may have no resolution; later ones do."""

    __tablename__ = "bylaws_versions"
    __table_args__ = (
        sa.CheckConstraint("term_years BETWEEN 1 AND 5", name="term_years"),
        sa.CheckConstraint("first_call_quorum_bp BETWEEN 1 AND 10000", name="quorum"),
        sa.CheckConstraint("weavers_bp IS NULL OR weavers_bp BETWEEN 0 AND 10000", name="weavers_share"),
        sa.CheckConstraint("payout_minimum IS NULL OR payout_minimum > 0", name="payout_minimum"),
    )

    id: int | None = Field(default=None, primary_key=True)
    effective_from: date = Field(unique=True)
    resolution_id: int | None = Field(default=None, foreign_key="resolutions.id", ondelete="RESTRICT", unique=True)
    term_years: int
    first_call_quorum_bp: int
    proxies_allowed: bool = False
    extra_positions: str = Field(default="", max_length=400)  # one per line
    payout_minimum: int | None = None  # centavos
    weavers_bp: int | None = None
    created_at: datetime = created_at_field()


class Member(SQLModel, table=True):
    __tablename__ = "members"

    id: int | None = Field(default=None, primary_key=True)
    weaver_id: int = Field(foreign_key="weavers.id", ondelete="RESTRICT", unique=True)
    curp: str | None = Field(default=None, max_length=18, unique=True)
    community: str = Field(max_length=120)
    municipio: str = Field(max_length=120)
    admitted_on: date | None = None
    admitted_by_id: int | None = Field(default=None, foreign_key="assemblies.id", ondelete="RESTRICT")
    status: MemberStatus = Field(
        default=MemberStatus.applicant, sa_type=str_enum(MemberStatus, "member_status"), nullable=False
    )
    signs_with_thumbprint: bool = False
    created_at: datetime = created_at_field()


class MemberStatusChange(SQLModel, table=True):
    """Each change of a member's status, with its date and the act (or assembly) behind it."""

    __tablename__ = "member_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", ondelete="CASCADE", index=True)
    status: MemberStatus = Field(sa_type=str_enum(MemberStatus, "member_status"), nullable=False)
    on: date
    act: str = Field(max_length=300)
    assembly_id: int | None = Field(default=None, foreign_key="assemblies.id", ondelete="RESTRICT")
    created_at: datetime = created_at_field()


class Body(SQLModel, table=True):
    """A governing body: the assembly, the councils (or the single administrator and commissioner), commissions."""

    __tablename__ = "bodies"

    id: int | None = Field(default=None, primary_key=True)
    kind: BodyKind = Field(sa_type=str_enum(BodyKind, "body_kind"), nullable=False)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = created_at_field()


class Term(SQLModel, table=True):
    """A member's term in a position, elected by an assembly resolution."""

    __tablename__ = "terms"
    __table_args__ = (sa.CheckConstraint("starts_on < ends_on", name="ends_after_start"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="members.id", ondelete="RESTRICT", index=True)
    body_id: int = Field(foreign_key="bodies.id", ondelete="RESTRICT", index=True)
    position: str = Field(max_length=80)
    alternate: bool = False  # a suplente (the Consejo de Vigilancia has one for each member)
    starts_on: date
    ends_on: date  # the day the term ends, on which a successor may start
    resolution_id: int = Field(foreign_key="resolutions.id", ondelete="RESTRICT", index=True)
    created_at: datetime = created_at_field()


class Attendance(SQLModel, table=True):
    """A member at an assembly: present, or represented by another member's proxy."""

    __tablename__ = "assembly_attendance"
    __table_args__ = (
        sa.CheckConstraint("represented_by_id IS NULL OR represented_by_id <> member_id", name="not_herself"),
        sa.CheckConstraint("represented_by_id IS NULL OR letter_witnessed", name="proxy_letter"),
    )

    assembly_id: int = Field(foreign_key="assemblies.id", primary_key=True, ondelete="CASCADE")
    member_id: int = Field(foreign_key="members.id", primary_key=True, ondelete="RESTRICT")
    represented_by_id: int | None = Field(default=None, foreign_key="members.id", ondelete="RESTRICT")
    letter_witnessed: bool = False  # the proxy letter was signed before two witnesses


# The bylaws set the weavers' share the public fair-trade page states.
shown_in_store(BylawsVersion)
track(Assembly, MinutesPage, Resolution, BylawsVersion, Member, MemberStatusChange, Body, Term, Attendance)


class Topic(StrEnum):
    computer_skills = "computer_skills"
    vcaw = "vcaw"  # the Vision, Commitment and Action Workshop
    catalyst = "catalyst"
    trainers = "trainers"  # training of trainers
    womens_rights = "womens_rights"
    fair_trade = "fair_trade"
    other = "other"


class CompletionRule(StrEnum):
    sessions = "sessions"  # at least a number of sessions
    share = "share"  # at least a share of the sessions held
    required = "required"  # every session marked as required


class SessionLanguage(StrEnum):
    es = "es"
    tzo = "tzo"
    both = "both"


class Sex(StrEnum):
    woman = "woman"
    man = "man"
    other = "other"


class AgeBand(StrEnum):
    under_18 = "under_18"
    from_18_to_29 = "18_29"
    from_30_to_44 = "30_44"
    from_45_to_59 = "45_59"
    from_60 = "60_plus"


class Course(SQLModel, table=True):
    __tablename__ = "courses"
    __table_args__ = (
        sa.CheckConstraint(
            "(rule = 'sessions' AND min_sessions > 0) OR (rule = 'share' AND min_share_bp BETWEEN 1 AND 10000)"
            " OR rule = 'required'",
            name="rule_has_its_figure",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    topic: Topic = Field(sa_type=str_enum(Topic, "course_topic"), nullable=False)
    title: str = Field(max_length=200)
    rule: CompletionRule = Field(sa_type=str_enum(CompletionRule, "completion_rule"), nullable=False)
    min_sessions: int | None = None
    min_share_bp: int | None = None
    created_at: datetime = created_at_field()


class CourseSession(SQLModel, table=True):
    __tablename__ = "course_sessions"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="courses.id", ondelete="RESTRICT", index=True)
    held_on: date
    place: str = Field(max_length=200)
    community: str = Field(max_length=120)
    facilitator: str = Field(max_length=120)
    language: SessionLanguage = Field(sa_type=str_enum(SessionLanguage, "session_language"), nullable=False)
    required: bool = False
    created_at: datetime = created_at_field()


class SessionAttendance(SQLModel, table=True):
    """One person at a session: a member, or a guest with her name, sex and age band."""

    __tablename__ = "session_attendance"
    __table_args__ = (
        sa.CheckConstraint(
            "(member_id IS NOT NULL AND guest_name IS NULL) OR "
            "(member_id IS NULL AND guest_name IS NOT NULL AND guest_sex IS NOT NULL AND guest_age_band IS NOT NULL)",
            name="member_or_guest",
        ),
        sa.UniqueConstraint("session_id", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="course_sessions.id", ondelete="CASCADE", index=True)
    member_id: int | None = Field(default=None, foreign_key="members.id", ondelete="RESTRICT", index=True)
    guest_name: str | None = Field(default=None, max_length=120)
    guest_sex: Sex | None = Field(default=None, sa_type=str_enum(Sex, "guest_sex"))
    guest_age_band: AgeBand | None = Field(default=None, sa_type=str_enum(AgeBand, "age_band"))
    created_at: datetime = created_at_field()


track(Course, CourseSession, SessionAttendance)
