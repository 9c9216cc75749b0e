"""Flood underwriting: the partner's imports, risk zones and building classes, and the
assessments proposed from them and reviewed by underwriters.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lawful.core.db import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flood_import",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("zones", sa.Integer(), nullable=False),
        sa.Column("buildings", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_import")),
    )
    op.create_table(
        "flood_zone",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=True),
        sa.Column("decree_published_on", sa.Date(), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_zone")),
        sa.UniqueConstraint("ref", name=op.f("uq_flood_zone_ref")),
    )
    op.create_table(
        "flood_building",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("flood_class", sa.String(length=1), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_building")),
    )
    op.create_table(
        "flood_assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=32), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("zone_ref", sa.String(length=64), nullable=True),
        sa.Column("decree_published_on", sa.Date(), nullable=True),
        sa.Column("flood_class", sa.String(length=1), nullable=True),
        sa.Column("construction_year", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.String(length=8), nullable=False),
        sa.Column("proposed_loading_bp", sa.Integer(), nullable=False),
        sa.Column("refusable", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided", sa.String(length=8), nullable=True),
        sa.Column("decided_loading_bp", sa.Integer(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("review_reasons", sa.LargeBinary(), nullable=True),
        sa.Column("reviewed_at", UTCDateTime(), nullable=True),
        sa.Column("contest", sa.LargeBinary(), nullable=True),
        sa.Column("contested_at", UTCDateTime(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_flood_assessment_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_assessment")),
        sa.UniqueConstraint("policy_id", name=op.f("uq_flood_assessment_policy_id")),
    )
    with op.batch_alter_table("flood_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_flood_assessment_entity_status", ["entity", "status", "id"])
        batch_op.create_index("ix_flood_assessment_person", ["person_id"])


def downgrade() -> None:
    with op.batch_alter_table("flood_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_flood_assessment_person")
        batch_op.drop_index("ix_flood_assessment_entity_status")
    op.drop_table("flood_assessment")
    op.drop_table("flood_building")
    op.drop_table("flood_zone")
    op.drop_table("flood_import")
