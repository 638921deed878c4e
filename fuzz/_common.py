"""Shared set-up of the atheris harnesses: instrumentation, the allowed errors, the entry point.

Each harness module defines ``TestOneInput(data: bytes)``.  It raises only on a finding: an
exception other than ``claimwire.errors.InputError`` (a documented refusal), or a broken property
(``AssertionError`` from fuzz/properties.py).  libFuzzer's ``-timeout`` turns a slow input
(catastrophic backtracking, a hang) into a finding too.  Without atheris the same
``TestOneInput`` runs under hypothesis (tests/test_fuzz.py).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

from claimwire.settings import get_settings

try:
    import atheris
except ImportError:  # the harnesses still import (hypothesis drives them); main() needs atheris
    atheris = None


@contextmanager
def instrumented(*also: str):
    """Instrument claimwire's modules (and the named libraries) for coverage when run under atheris."""
    if atheris is not None and get_settings().fuzz_instrument:
        with atheris.instrument_imports(include=["claimwire", *also]):
            yield
    else:
        yield


def quiet_logs() -> None:
    import logging

    logging.disable(logging.WARNING)  # trafilatura and htmldate warn on every odd page


def main(test_one_input, argv: list[str] | None = None) -> None:
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]' (or run the hypothesis tests: pytest tests/test_fuzz.py)")
    quiet_logs()
    atheris.Setup(list(sys.argv if argv is None else argv), test_one_input)
    atheris.Fuzz()
