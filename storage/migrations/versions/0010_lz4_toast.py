"""large values compressed with lz4 (PostgreSQL)

Revision ID: 0010_lz4_toast
Revises: 0009_fewer_index_writes

A value over about 2 kB is compressed before it is stored out of line (TOAST), by default with pglz. The
columns below hold such values and most of them are written for every article: the received body and its clean
text, the link features, and the ledger of the event, written again for each article it gains. lz4 compresses
several times faster than pglz and decompresses faster too, for somewhat larger values (docs/SCALING.md, "Where
the CPU goes by the machine's own count, lz4, the extraction's word runs"). Only values written from now on use
it; older ones are read as they are.

A server without lz4 (built without it, or older than PostgreSQL 14) keeps pglz. SQLite compresses nothing.
"""

from alembic import op

revision = "0010_lz4_toast"
down_revision = "0009_fewer_index_writes"
branch_labels = None
depends_on = None

COLUMNS = {
    "articles": ("raw", "clean_text"),
    "events": ("profile", "ledger"),
    "article_events": ("features",),
    "article_link_features": ("features", "index_keys"),
    "content_originals": ("line_keys",),
    "changes": ("data",),
}
_HAS_LZ4 = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def _set_compression(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or not bind.exec_driver_sql(_HAS_LZ4).scalar():
        return
    for table, columns in COLUMNS.items():
        changes = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in columns)
        op.execute(f"ALTER TABLE {table} {changes}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("pglz")
