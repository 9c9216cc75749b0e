"""Home-insurance quotes record the building (address, position, construction year), and flood
assessments are kept per quote as well as per home policy.

An assessment belongs to exactly one of a policy or a quote (a simulation); a quote's goes with
the simulation (ON DELETE CASCADE), so with the simulation's own retention or erasure.

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_OF = "(policy_id IS NULL) <> (simulation_id IS NULL)"


def upgrade() -> None:
    op.create_table(
        "simulation_building",
        sa.Column("simulation_id", sa.Integer(), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house_number", sa.String(length=16), nullable=False),
        sa.Column("postcode", sa.String(length=4), nullable=False),
        sa.Column("municipality", sa.String(length=100), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("construction_year", sa.Integer(), nullable=False),
        sa.Column("construction_date", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["simulation_id"],
            ["simulation.id"],
            name=op.f("fk_simulation_building_simulation_id_simulation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("simulation_id", name=op.f("pk_simulation_building")),
    )
    with op.batch_alter_table("flood_assessment", schema=None) as batch_op:
        batch_op.alter_column("policy_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("simulation_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            op.f("uq_flood_assessment_simulation_id"), ["simulation_id"]
        )
        batch_op.create_foreign_key(
            op.f("fk_flood_assessment_simulation_id_simulation"),
            "simulation",
            ["simulation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(op.f("ck_flood_assessment_policy_or_quote"), ONE_OF)


def downgrade() -> None:
    op.execute("DELETE FROM flood_assessment WHERE simulation_id IS NOT NULL")
    with op.batch_alter_table("flood_assessment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_flood_assessment_policy_or_quote"), type_="check")
        batch_op.drop_constraint(
            op.f("fk_flood_assessment_simulation_id_simulation"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("uq_flood_assessment_simulation_id"), type_="unique")
        batch_op.drop_column("simulation_id")
        batch_op.alter_column("policy_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("simulation_building")
