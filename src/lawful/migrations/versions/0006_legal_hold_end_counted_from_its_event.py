"""Legal holds: the real end of a hold, apart from the day retention looks at it again.

A hold counts from the end of what it protects (the relationship, the contract); while that end
has not come, nobody knows the hold's last day. `until` stays the day the retention job looks at
the hold again (its end when known, a review date otherwise: what the policy reads); `ends_on` is
the end when known, NULL while it is not. Holds stored before knew only `until`.

Revision ID: 0006
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
    op.execute("UPDATE legal_hold SET ends_on = until WHERE hold <> 'contract'")
    op.execute("UPDATE legal_hold SET hold = 'running-contract' WHERE hold = 'contract'")


def downgrade() -> None:
    op.execute("UPDATE legal_hold SET hold = 'contract' WHERE hold = 'running-contract'")
    with op.batch_alter_table("legal_hold", schema=None) as batch_op:
        batch_op.drop_column("ends_on")
