"""Conversations: the conversation, one sealed copy of its recording per purpose with its own
expiry, and its minutes and tasks.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("investment", sa.Boolean(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("notice_given_at", UTCDateTime(), nullable=True),
        sa.Column("recording_kind", sa.String(length=16), nullable=True),
        sa.Column("pending", sa.String(length=32), nullable=True),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_conversation_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    with op.batch_alter_table("conversation") as batch:
        batch.create_index("ix_conversation_person", ["person_id", "id"])
        batch.create_index("ix_conversation_entity", ["entity", "id"])

    op.create_table(
        "conversation_copy",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("use", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("kept_from", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("extended_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_copy_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_copy")),
    )
    with op.batch_alter_table("conversation_copy") as batch:
        batch.create_index("ix_conversation_copy_expiry", ["expires_on", "id"])
        batch.create_index("ix_conversation_copy_conversation", ["conversation_id", "use"])

    op.create_table(
        "conversation_note",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("advisor", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
            name=op.f("fk_conversation_note_conversation_id_conversation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_note")),
    )
    with op.batch_alter_table("conversation_note") as batch:
        batch.create_index("ix_conversation_note_reminder", ["advisor", "status", "due_on"])
        batch.create_index("ix_conversation_note_conversation", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("conversation_note")
    op.drop_table("conversation_copy")
    op.drop_table("conversation")
