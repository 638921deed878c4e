"""Errors for bad input. Each carries a short machine-readable reason code."""


class ReasonedError(Exception):
    """An error with a short machine-readable reason code beside its message."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"

    def __reduce__(self):  # pickled across a process boundary (claimwire.budget's worker processes)
        return (type(self), (self.reason, self.message))


class InputError(ReasonedError):
    """An item that cannot be processed; recorded as a failure with its reason."""


class TransientError(ReasonedError):
    """A failure that may pass (a host that did not answer, a timeout): retried with backoff."""
