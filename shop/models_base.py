"""Column helpers every domain's tables share: part of the kernel, so models import no other domain for them.

Importing this module also imports ``shop.db``, whose naming convention must be set before any table is declared.
"""

from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from shop.clock import UTCDateTime, utcnow
from shop.db import metadata  # noqa: F401  (naming convention must be set before tables are declared)


def str_enum(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR with a CHECK of the allowed values, read back as the StrEnum member."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(20, *(len(m.value) for m in enum_cls)),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def created_at_field():
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
