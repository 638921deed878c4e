"""Pipeline stages as Celery tasks, one module per stage. Messages carry article ids only."""
