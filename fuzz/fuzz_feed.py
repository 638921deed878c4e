"""atheris harness: parse_feed (feedparser on RSS/Atom bytes): a ParsedFeed or InputError("bad_feed").

.venv/bin/python fuzz/fuzz_feed.py -max_total_time=60 -timeout=10 fuzz/seeds/feed
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from fuzz._common import instrumented, main  # noqa: E402

with instrumented("feedparser"):
    from claimwire.errors import InputError
    from claimwire.feeds import parse_feed
    from claimwire.sources import is_url


def TestOneInput(data: bytes) -> None:  # noqa: N802 - atheris' name
    try:
        feed = parse_feed(data, base_url="https://news.example/feed")
    except InputError as error:
        assert error.reason == "bad_feed", error
        return
    keys = set()
    for entry in feed.entries:
        assert is_url(entry.url), entry
        assert entry.key not in keys
        keys.add(entry.key)


if __name__ == "__main__":
    main(TestOneInput)
