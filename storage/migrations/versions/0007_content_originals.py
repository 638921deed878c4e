"""content_originals: the original of each content-duplicate group (lowest id), claimed by insert-or-find

Revision ID: 0007_content_originals
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_content_originals"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_originals",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("outlet_id", sa.BigInteger(), nullable=True),
        sa.Column("line_keys", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("content_hash"),
    )
    with op.batch_alter_table("content_originals", schema=None) as batch_op:
        batch_op.create_index("ix_content_originals_outlet_article", ["outlet_id", "article_id"], unique=False)
    # the originals so far: the lowest id of each cleaned text that is not itself a duplicate (line keys unknown:
    # an article cleaned before this migration is never swapped out, the ids after it are all higher)
    op.execute(
        "INSERT INTO content_originals (content_hash, article_id) "
        "SELECT content_hash, MIN(id) FROM articles WHERE content_hash IS NOT NULL AND status <> 'duplicate' GROUP BY content_hash"
    )


def downgrade() -> None:
    op.drop_table("content_originals")
