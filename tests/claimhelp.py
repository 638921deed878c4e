"""Shared pieces of the casualty and ledger tests: the casualty claims of a text, a ledger figure."""

from __future__ import annotations

from claimwire.claims import CASUALTY
from claimwire.extractors import extract_claims, main_figures


def cas(text, title=None):
    return [c for c in extract_claims(text, title, names=["casualties"]) if c.kind == CASUALTY]


def figures(text, title=None):
    """(measure, min, max) of every casualty claim."""
    return sorted((c.measure, c.value_min, c.value_max) for c in cas(text, title))


def main(text, title=None):
    return {k: (c.value_min, c.value_max) for k, c in main_figures(cas(text, title)).items()}


def figure(article_id: int, measure: str, low, high, group=None, source=None, hedge=None, start=0, sentence="", **extra) -> dict:
    """A casualty claim as the ledger reads it (claimwire/ledger.py build_ledger)."""
    return {
        "article_id": article_id,
        "kind": "casualty",
        "measure": measure,
        "value_min": low,
        "value_max": high,
        "hedge": hedge,
        "group": group,
        "source": source,
        "start": start,
        "sentence": sentence or f"{low} {group} {measure}",
        "extra": extra,
    }
