"""Benchmarks: cleaning (clean.py) and claim extraction (claims.py)."""
