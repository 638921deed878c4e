"""Benchmarks and tools of the source checkout (not shipped in the wheel); the helpers every bench command shares,
and the one resolver of the shared data directory."""

from __future__ import annotations

import json
from pathlib import Path

from claimwire.settings import get_settings

REPO = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared data directory (seeds/, data/): CLAIMWIRE_SHARED, else ../shared beside the checkout."""
    configured = get_settings().shared_dir
    return Path(configured).expanduser() if configured else REPO.parent / "shared"


def percentile(values: list[float], q: float) -> float:
    """The Q-th percentile (0-100) of VALUES, nearest rank; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))]


def print_result(result: dict, as_json: bool, key_width: int = 0) -> None:
    """A bench's result: one JSON object (--json), else one `key: value` line per figure."""
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    for key, value in result.items():
        print(f"{key:{key_width}} {value}" if key_width else f"{key}: {value}")


def run_cli(parser, run, argv: list[str] | None) -> dict:
    """Parse ARGV with PARSER, run the bench, print its result (JSON with --json) and return it."""
    args = parser.parse_args(argv)
    result = run(args)
    print_result(result, args.json)
    return result
