"""Team membership from Slack: the members of each team's user group and channel as last
resolved, and the deactivated leads already reported to the admins.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "membership_sources",
        sa.Column("source", sa.String(length=48), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("problem_since", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("source"),
    )
    op.create_table(
        "membership_members",
        sa.Column("source", sa.String(length=48), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["source"], ["membership_sources.source"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source", "user_id"),
    )
    op.create_table(
        "deactivated_leads",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("deactivated_leads")
    op.drop_table("membership_members")
    op.drop_table("membership_sources")
