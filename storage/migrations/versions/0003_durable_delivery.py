"""Durable delivery: the outbox holds every next step and ping (written with the change that
needs it), each delivery attempt is recorded, and removed workspaces are remembered.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="edit"))
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="pending"))
        batch_op.add_column(sa.Column("workspace", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("conversation_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("escalation_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("dm_channel", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sent_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_error", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("after", sa.JSON(), nullable=True))
        batch_op.create_unique_constraint("uq_outbox_key", ["key"])
        batch_op.create_index(batch_op.f("ix_outbox_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_escalation_id"), ["escalation_id"], unique=False)
        batch_op.create_index("ix_outbox_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=True),
        sa.Column("escalation_id", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_attempts_outbox_id"), ["outbox_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_delivery_attempts_escalation_id"), ["escalation_id"], unique=False)

    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("workspaces")
    with op.batch_alter_table("delivery_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_attempts_escalation_id"))
        batch_op.drop_index(batch_op.f("ix_delivery_attempts_outbox_id"))
    op.drop_table("delivery_attempts")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_status_due")
        batch_op.drop_index(batch_op.f("ix_outbox_escalation_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_conversation_id"))
        batch_op.drop_constraint("uq_outbox_key", type_="unique")
        for column in ("after", "last_error", "sent_at", "sent_ts", "dm_channel", "urgent", "role", "escalation_id",
                       "conversation_id", "workspace", "status", "kind", "key"):
            batch_op.drop_column(column)
