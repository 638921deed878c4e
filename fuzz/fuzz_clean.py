"""atheris harness: clean_document (text and HTML, bytes and str) and the decoder.

.venv/bin/python fuzz/fuzz_clean.py -max_total_time=60 -timeout=10 fuzz/seeds/clean
.venv/bin/python -m fuzz.run --seconds 60 clean
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz._common import instrumented, main  # noqa: E402

with instrumented():
    from claimwire import decoding, htmlclean, htmlmeta, junk, textclean  # noqa: F401 - imported lazily by cleaning
    from claimwire.cleaning import HTML, TEXT
    from claimwire.errors import InputError
    from claimwire.extractors import registered
    from fuzz.properties import INPUT_REASONS, check_extract, clean_or_refuse

    registered()


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    if not data:
        return
    mode, body = data[0], data[1:]
    content_type = HTML if mode & 1 else TEXT
    if mode & 2:
        # as a str: what the API hands over for JSON bodies
        # surrogateescape: invalid bytes become lone surrogates, which must be refused cleanly
        body = body.decode("utf-8", "surrogateescape" if mode & 4 else "replace")
    try:
        decoding.decode_body(body, max_bytes=1 << 20)
    except InputError as error:
        assert error.reason in INPUT_REASONS, error
    # timeout_s=0: no SIGALRM budget, libFuzzer's -timeout judges slowness
    doc = clean_or_refuse(body, content_type, timeout_s=0)
    if doc is not None and doc.text:
        assert decoding.scrub(doc.text) == doc.text
        if mode & 8:
            check_extract(doc.text, doc.title)


if __name__ == "__main__":
    main(TestOneInput)
