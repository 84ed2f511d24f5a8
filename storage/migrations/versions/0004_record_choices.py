"""Record details as choices: ids from the pack's lists plus one screened note.

Existing records keep their free text (columns shared_what, shared_with, reason) and are
marked format 1, so their exported state, and so their hash chain, is unchanged; new
records are format 2 and use shared_what_ids, shared_with_ids, reason_id and note.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("format", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("shared_what_ids", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("shared_with_ids", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("reason_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records") as batch:
        for column in ("note", "reason_id", "shared_with_ids", "shared_what_ids", "format"):
            batch.drop_column(column)
