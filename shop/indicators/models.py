"""Indicator definitions, their target per quarter, their values per quarter and community (with every cell of
the breakdown by sex and age band), the history of every change, approvals that lock a quarter, and the
council's recorded exceptions to a lock."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shop.audit import track
from shop.indicators.rules import Kind
from shop.models_base import created_at_field, str_enum


class Pillar(StrEnum):
    mobilization = "mobilization"
    gender_equality = "gender_equality"
    government_alliances = "government_alliances"


class Category(StrEnum):
    leadership = "leadership"  # leadership and governance
    government_cooperation = "government_cooperation"
    sustainable_development = "sustainable_development"
    mindset_shift = "mindset_shift"
    food_security = "food_security"
    womens_empowerment = "womens_empowerment"
    income_generation = "income_generation"


class Measure(StrEnum):
    count = "count"  # people, workshops, agreements…
    percentage = "percentage"  # a numerator over a denominator
    money = "money"  # MXN centavos


ALL = ""  # the value of the sex or age band of a total (unique constraints treat NULLs as different)


class Indicator(SQLModel, table=True):
    __tablename__ = "indicators"
    __table_args__ = (
        sa.CheckConstraint("weight BETWEEN 1 AND 100", name="weight"),
        sa.CheckConstraint("baseline_year IS NULL OR baseline_year BETWEEN 1990 AND 2999", name="baseline_year"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name_es: str = Field(max_length=300)
    name_en: str = Field(max_length=300)
    pillar: Pillar = Field(sa_type=str_enum(Pillar, "indicator_pillar"), nullable=False)
    category: Category | None = Field(default=None, sa_type=str_enum(Category, "indicator_category"))
    kind: Kind = Field(sa_type=str_enum(Kind, "indicator_kind"), nullable=False)
    weight: int
    measure: Measure = Field(sa_type=str_enum(Measure, "indicator_measure"), nullable=False)
    ascending: bool = True  # more is better
    by_sex: bool = False
    by_age: bool = False
    baseline_value: int | None = Field(default=None, sa_type=sa.BigInteger)  # a count, centavos, or basis points
    baseline_year: int | None = None
    source: str | None = Field(default=None, max_length=60)  # a derived indicator's source; None: entered
    created_at: datetime = created_at_field()


class Target(SQLModel, table=True):
    __tablename__ = "indicator_targets"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "period"), sa.CheckConstraint("value >= 0", name="value"))

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", ondelete="CASCADE", index=True)
    period: str = Field(max_length=7)  # "2026-Q3"
    value: int = Field(sa_type=sa.BigInteger)


class IndicatorValue(SQLModel, table=True):
    """One cell: an indicator's value in a quarter for a community ("" for the whole cooperative), for a sex and
    an age band ("" for all). The total cell (both "") is what targets are judged against."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "period", "community", "sex", "age_band"),
        sa.CheckConstraint("value >= 0", name="value"),
        sa.CheckConstraint(
            "(numerator IS NULL AND denominator IS NULL) OR (numerator >= 0 AND denominator >= numerator)",
            name="fraction",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", ondelete="CASCADE")
    period: str = Field(max_length=7, index=True)
    community: str = Field(default=ALL, max_length=120)
    sex: str = Field(default=ALL, max_length=10)
    age_band: str = Field(default=ALL, max_length=10)
    value: int = Field(sa_type=sa.BigInteger)
    numerator: int | None = Field(default=None, sa_type=sa.BigInteger)
    denominator: int | None = Field(default=None, sa_type=sa.BigInteger)
    updated_at: datetime = created_at_field()
    updated_by: str = Field(default="", max_length=120)


class ValueChange(SQLModel, table=True):
    """Every change of a value, never edited: before and after, who made it and when."""

    __tablename__ = "indicator_value_changes"

    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicators.id", ondelete="CASCADE", index=True)
    period: str = Field(max_length=7)
    community: str = Field(max_length=120)
    sex: str = Field(max_length=10)
    age_band: str = Field(max_length=10)
    before: int | None = Field(default=None, sa_type=sa.BigInteger)
    after: int = Field(sa_type=sa.BigInteger)
    numerator: int | None = Field(default=None, sa_type=sa.BigInteger)
    denominator: int | None = Field(default=None, sa_type=sa.BigInteger)
    by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    by_name: str = Field(max_length=120)
    at: datetime = created_at_field()
    note: str = Field(default="", max_length=300)


class Approval(SQLModel, table=True):
    """A quarter approved for a community: its values are locked from then on."""

    __tablename__ = "indicator_approvals"
    __table_args__ = (sa.UniqueConstraint("period", "community"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    community: str = Field(max_length=120)
    by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    by_name: str = Field(max_length=120)
    at: datetime = created_at_field()


class LockException(SQLModel, table=True):
    """The council opens a locked quarter for a community until a day, for a reason; kept as it was granted."""

    __tablename__ = "indicator_lock_exceptions"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    community: str = Field(max_length=120)
    until: date  # the last day it is open
    reason: str = Field(max_length=300)
    by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    by_name: str = Field(max_length=120)
    created_at: datetime = created_at_field()


track(Indicator, Target, IndicatorValue, ValueChange, Approval, LockException)
