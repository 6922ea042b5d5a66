"""Ledger transaction kinds become one TransactionKind, stored with a CHECK of the kinds (issue 11): an unknown
kind is refused when written, never read back as a sale.

Revision ID: 5d1c7a93e2b8
Revises: 3f8a61c2d4b7
Create Date: 2026-12-04 17:45:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "5d1c7a93e2b8"
down_revision: str | None = "3f8a61c2d4b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "sale",
    "refund",
    "reversal",
    "receipt",
    "return",
    "fee",
    "payout",
    "payout_return",
    "write_off",
    "bank_match",
)
CHECK = "kind IN (" + ", ".join(f"'{kind}'" for kind in KINDS) + ")"


def upgrade() -> None:
    with op.batch_alter_table("ledger_transactions") as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(40), type_=sa.String(20), existing_nullable=False)
        batch_op.create_check_constraint(batch_op.f("ck_ledger_transactions_transaction_kind"), sa.text(CHECK))


def downgrade() -> None:
    with op.batch_alter_table("ledger_transactions") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_ledger_transactions_transaction_kind"), type_="check")
        batch_op.alter_column("kind", existing_type=sa.String(20), type_=sa.String(40), existing_nullable=False)
