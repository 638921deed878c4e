"""failures classed transient or permanent, with the retries made; what the cap on claims per article cut

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transient", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("retries", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claims_cut", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("claims_cut")
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.drop_column("retries")
        batch_op.drop_column("transient")
