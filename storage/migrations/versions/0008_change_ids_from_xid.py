"""change ids drawn from the writing transaction's id (PostgreSQL), no change feed lock; events.change_xid

Revision ID: 0008_change_ids_from_xid
Revises: 0007_content_originals

On PostgreSQL a change's id is (its transaction's id << 16) + its place in the transaction (storage/changefeed.py):
the ids of the sequence are no longer drawn (its default goes, so that a writer of the version before fails
rather than write ids below what readers have passed: stop the old workers before upgrading). Every id written
before is below the first new one (checked).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_change_ids_from_xid"
down_revision = "0007_content_originals"
branch_labels = None
depends_on = None

ID_BITS = 16


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("change_xid", sa.BigInteger(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    first_new, newest = bind.execute(
        sa.text(f"SELECT pg_current_xact_id()::text::bigint << {ID_BITS}, (SELECT max(id) FROM changes)")
    ).one()
    if newest is not None and newest >= first_new:
        raise RuntimeError(f"change id {newest} is not below the first id drawn from a transaction id ({first_new})")
    op.execute("ALTER TABLE changes ALTER COLUMN id DROP DEFAULT")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("SELECT setval('changes_id_seq', GREATEST((SELECT max(id) FROM changes), 1))")
        op.execute("ALTER TABLE changes ALTER COLUMN id SET DEFAULT nextval('changes_id_seq')")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("change_xid")
