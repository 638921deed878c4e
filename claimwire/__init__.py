"""claimwire domain logic: cleaning, claim extraction, event linking and ledgers.

Plain Python: nothing in this package imports Celery or SQLAlchemy, so every
piece can be tested and benchmarked without a broker or a database.
"""

__version__ = "0.1.0"
