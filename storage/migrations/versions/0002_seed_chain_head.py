"""Seed the chain head, so the first records written at the same moment never race to create it.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    op.execute(sa.text(
        "INSERT INTO chain_head (id, seq, hash, anchor_seq, anchor_hash) "
        "SELECT 1, 0, :g, 0, :g WHERE NOT EXISTS (SELECT 1 FROM chain_head WHERE id = 1)"
    ).bindparams(g=GENESIS))


def downgrade() -> None:
    op.execute("DELETE FROM chain_head WHERE id = 1 AND seq = 0")
