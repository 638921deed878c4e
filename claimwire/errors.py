"""Errors for bad input. Each carries a short machine-readable reason code."""


class InputError(Exception):
    """An item that cannot be processed; recorded as a failure with its reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"

    def __reduce__(self):  # pickled across a process boundary (claimwire.budget's worker processes)
        return (type(self), (self.reason, self.message))


class TransientError(Exception):
    """A failure that may pass (a host that did not answer, a timeout): retried with backoff."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"

    def __reduce__(self):  # pickled across a process boundary (claimwire.budget's worker processes)
        return (type(self), (self.reason, self.message))
