"""drop three indexes nothing reads (each was written at every article's status change or posting)

Revision ID: 0009_drop_unread_indexes
Revises: 0008_change_ids_from_xid

- ix_articles_status: ix_articles_status_id (status, id) serves every lookup by status.
- ix_articles_content_hash: duplicates are found through content_originals (its primary key is the hash).
- ix_event_index_article_id: retrieval reads event_index by (key_hash, bucket); nothing reads it by article (only
  a delete of an article would, for its ON DELETE CASCADE, and articles are not deleted).

An article's row is updated at each stage with its status, an indexed column (no HOT update): every index of
the table gets a new entry each time; event_index gets some 30 postings per article.
"""

from alembic import op

revision = "0009_drop_unread_indexes"
down_revision = "0008_change_ids_from_xid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_status")
        batch_op.drop_index("ix_articles_content_hash")
    with op.batch_alter_table("event_index", schema=None) as batch_op:
        batch_op.drop_index("ix_event_index_article_id")


def downgrade() -> None:
    with op.batch_alter_table("event_index", schema=None) as batch_op:
        batch_op.create_index("ix_event_index_article_id", ["article_id"], unique=False)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_articles_status", ["status"], unique=False)
