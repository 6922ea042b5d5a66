"""The search index takes each change straight into its tree (``fastupdate = off``) on PostgreSQL (issue 16).

With GIN's default pending list, pieces written since the last vacuum sit in an unsorted list that every search
reads through: after an import of 10,000 pieces, 316 pages of it made the median search twice as slow until
autovacuum came by. The shop writes pieces rarely and searches them on every visit, so each write pays instead.
Turning it off flushes nothing by itself; the upgrade cleans the list out once. SQLite has no such list.

Revision ID: 7e1f3a9c2b40
Revises: d2598f4a2742
Create Date: 2026-12-06 09:30:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7e1f3a9c2b40"
down_revision: str | None = "d2598f4a2742"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_products_search_vector SET (fastupdate = off)")
        op.execute("SELECT gin_clean_pending_list('ix_products_search_vector')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_products_search_vector RESET (fastupdate)")
