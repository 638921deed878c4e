"""A throwaway PostgreSQL database that was never migrated (what a new deployment starts from)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import PG_ADMIN_URL


@contextmanager
def empty_postgres_database(prefix: str) -> Iterator[str]:
    """A new database PREFIX_<random> with no tables on the local server; yields its URL, drops it afterwards."""
    from storage.db import create_database, drop_database

    url = create_database(PG_ADMIN_URL, prefix, migrated=False)
    try:
        yield url
    finally:
        drop_database(url, PG_ADMIN_URL)
