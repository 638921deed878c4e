"""The service's receive fast path on PostgreSQL (storage/receiving.py): an outlet's id in one statement."""

from __future__ import annotations

import threading
import time

import psycopg

from tests.conftest import apply_env


def _outlets(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT id, key FROM outlets ORDER BY id").fetchall()


def test_an_outlet_is_made_once_and_found_after(pg_url, monkeypatch):
    from storage import receiving

    apply_env(monkeypatch, DATABASE_URL=pg_url)
    first = receiving._get_or_create_outlet("example.org")
    assert receiving._get_or_create_outlet("example.org") == first
    other = receiving._get_or_create_outlet("news.example.com")
    assert other != first
    assert _outlets(pg_url) == [(first, "example.org"), (other, "news.example.com")]


def test_an_outlet_made_meanwhile_by_another_transaction_is_read_again(pg_url, monkeypatch):
    """Another transaction inserts the outlet first and commits while this statement waits on its row: the statement
    returns nothing (the row is not in its snapshot) and the outlet is read again: its id, no second row."""
    from storage import receiving

    apply_env(monkeypatch, DATABASE_URL=pg_url)
    found = {}
    with psycopg.connect(pg_url) as other:
        made = other.execute("INSERT INTO outlets (key, name, article_count, created_at) VALUES ('x.org', 'x.org', 0, now()) RETURNING id")
        made_id = made.fetchone()[0]
        waiting = threading.Thread(target=lambda: found.update(id=receiving._get_or_create_outlet("x.org")))
        waiting.start()
        time.sleep(0.5)
        assert waiting.is_alive()  # waits for the other transaction's row
        other.commit()
    waiting.join(10)
    assert found["id"] == made_id
    assert _outlets(pg_url) == [(made_id, "x.org")]
