"""Persistence: SQLAlchemy 2 models, sessions, Alembic migrations and the queries the pipeline needs."""
