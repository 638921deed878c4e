"""each article added to the document frequencies once: counted_documents

Revision ID: 0011_counted_documents
Revises: 0010_lz4_toast

On PostgreSQL the link stage adds its article to `term_frequencies` in a statement of its own, committed just
before the link (tasks/link.py `_count`). When the link's transaction then failed, or a second delivery of the
same article ran beside the first, the article was counted again. The count now first records the article here
and adds to the frequencies only when the record is new, in the same statement (storage/eventindex.py).

The articles linked before this revision are counted already: their link features are kept, so they are
recorded from `article_link_features`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_counted_documents"
down_revision = "0010_lz4_toast"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "counted_documents",
        sa.Column("article_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("article_id"),
    )
    op.execute("INSERT INTO counted_documents (article_id) SELECT article_id FROM article_link_features")


def downgrade() -> None:
    op.drop_table("counted_documents")
