"""Entry points of the running service: the CLI (and later the HTTP API)."""
