"""atheris harness: extract_claims with every registered extractor, and main_figures.

.venv/bin/python fuzz/fuzz_extract.py -max_total_time=60 -timeout=10 fuzz/seeds/extract
.venv/bin/python -m fuzz.run --seconds 60 extract
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz._common import instrumented, main  # noqa: E402

with instrumented():
    from claimwire import extractors
    from claimwire.extractors import casualties, figures, main as main_rule, quotes, statements  # noqa: F401
    from fuzz.properties import check_extract

    extractors.registered()


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    text = data.decode("utf-8", "replace")
    title = None
    if "\x01" in text:  # a title, then the body
        title, text = text.split("\x01", 1)
    check_extract(text, title or None)


if __name__ == "__main__":
    main(TestOneInput)
