"""Receiving items in the service: the store is made ready, then the receive stage (tasks/receive.py) stores
each item once and hands it to the pipeline."""

from __future__ import annotations

from claimwire.settings import get_settings
from storage.db import migrate
from tasks.receive import Receipt, receive, receive_all, receive_many

__all__ = ["Receipt", "prepare_store", "receive", "receive_all", "receive_many"]


def prepare_store() -> None:
    """In the embedded default the store is created on first use; a deployment runs `claimwire migrate`."""
    if get_settings().embedded:
        get_settings().home.mkdir(parents=True, exist_ok=True)
        migrate()
