"""Celery application, queues, worker settings and metrics."""
