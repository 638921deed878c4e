"""A throwaway PostgreSQL database that was never migrated (what a new deployment starts from)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from tests.conftest import PG_ADMIN_URL


@contextmanager
def empty_postgres_database(prefix: str) -> Iterator[str]:
    """A new database PREFIX_<random> with no tables on the local server; yields its URL, drops it afterwards."""
    import psycopg

    from storage.db import drop_database

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        drop_database(url, PG_ADMIN_URL)
