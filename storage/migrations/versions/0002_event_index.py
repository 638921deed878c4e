"""event index: article link features, inverted index, document frequencies, article moves

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 02:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "article_link_features",
        sa.Column("article_id", ID, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("index_keys", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.create_index("ix_article_link_features_event_id", "article_link_features", ["event_id"], unique=False)
    op.create_table(
        "event_index",
        sa.Column("key_hash", sa.BigInteger(), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_hash", "bucket", "article_id"),
    )
    op.create_index("ix_event_index_article_id", "event_index", ["article_id"], unique=False)
    op.create_table(
        "term_frequencies",
        sa.Column("key_hash", sa.BigInteger(), nullable=False),
        sa.Column("df", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_table(
        "article_moves",
        sa.Column("id", ID, nullable=False),
        sa.Column("article_id", ID, nullable=False),
        sa.Column("from_event_id", ID, nullable=True),
        sa.Column("to_event_id", ID, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("moved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["from_event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["to_event_id"], ["events.id"]),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("article_moves")
    op.drop_table("term_frequencies")
    op.drop_index("ix_event_index_article_id", table_name="event_index")
    op.drop_table("event_index")
    op.drop_index("ix_article_link_features_event_id", table_name="article_link_features")
    op.drop_table("article_link_features")
