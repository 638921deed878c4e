"""One article of N dense casualty sentences through the in-process pipeline (embedded SQLite, a fresh home),
with no extraction budget and no cap on claims: the shape of tests/test_pipeline.py's 2 MB text, had its budget
not held. Nearly all its time is the store stage's ledger over the article's figures (docs/SCALING.md).

    python -m bench.dense_article 2000      # prints the article's status and the seconds it took
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.dense_article")
    parser.add_argument("sentences", type=int)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="claimwire-dense-") as home:
        print(json.dumps(run(args.sentences, Path(home))))
    return 0


def run(sentences: int, home: Path) -> dict:
    """The article through the pipeline with its store under HOME: its status, error and the seconds it took."""
    os.environ.update(
        CLAIMWIRE_HOME=str(home), CLAIMWIRE_EXTRACT_TIMEOUT_S="0", CLAIMWIRE_MAX_INPUT_BYTES=str(64 * 1024 * 1024),
        CLAIMWIRE_MAX_CLAIMS_PER_ARTICLE="0",
    )  # fmt: skip
    for key in ("DATABASE_URL", "BROKER_URL"):
        os.environ.pop(key, None)
    page = home / "dense.txt"
    page.write_text(
        "Shootings\n\n" + "".join(f"Two people were shot, one fatally, on the {n} block, police said. " for n in range(sentences))
    )
    from claimwire.sources import iter_items
    from service.ingest import receive_all
    from storage.db import migrate

    migrate()
    started = time.perf_counter()
    [receipt] = receive_all(iter_items([str(page)]))
    return {"sentences": sentences, "status": receipt.status, "error": receipt.error, "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    sys.exit(main())
