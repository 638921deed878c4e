"""What the service integration tests share beside the process handling of bench/harness.py (the API,
Celery workers and beat as subprocesses, shared with `claimwire bench load`)."""

TOKEN = "integration-token"
