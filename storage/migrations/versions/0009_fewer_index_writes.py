"""fewer index writes per article: three indexes nothing reads, and event_index's foreign key to articles

Revision ID: 0009_fewer_index_writes
Revises: 0008_change_ids_from_xid

- ix_articles_status: ix_articles_status_id (status, id) serves every lookup by status.
- ix_articles_content_hash: duplicates are found through content_originals (its primary key is the hash).
- ix_event_index_article_id: retrieval reads event_index by (key_hash, bucket); nothing reads it by article.
- event_index.article_id's foreign key (ON DELETE CASCADE): checked for each of the some 30 postings an article
  files (a row lock on the article each); the postings are written in the statement that links the article
  (storage/linkwrite.py), and articles are not deleted. article_link_features keeps its foreign key.

An article's row is updated at each stage with its status, an indexed column (no HOT update): every index of
the table gets a new entry each time.
"""

from alembic import op

revision = "0009_fewer_index_writes"
down_revision = "0008_change_ids_from_xid"
branch_labels = None
depends_on = None

# SQLite's foreign key has no name: batch mode names it by this convention to drop it
_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
_FK = "fk_event_index_article_id_articles"
_PG_FK = "event_index_article_id_fkey"


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_status")
        batch_op.drop_index("ix_articles_content_hash")
    op.drop_index("ix_event_index_article_id", table_name="event_index")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(_PG_FK, "event_index", type_="foreignkey")
        return
    with op.batch_alter_table("event_index", schema=None, naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint(_FK, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key(_PG_FK, "event_index", "articles", ["article_id"], ["id"], ondelete="CASCADE")
    else:
        with op.batch_alter_table("event_index", schema=None) as batch_op:
            batch_op.create_foreign_key(_FK, "articles", ["article_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_event_index_article_id", "event_index", ["article_id"], unique=False)
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_articles_status", ["status"], unique=False)
