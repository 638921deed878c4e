"""Run the atheris harnesses for a while each: ``python -m fuzz.run --seconds 60 [clean extract feed]``.

Each harness runs in its own process (libFuzzer owns the process) with a working corpus under
``fuzz/.work/<name>`` seeded from ``fuzz/seeds/<name>``; a finding is written to
``fuzz/artifacts/<name>-crash-*`` (or ``-timeout-*``, ``-oom-*``) and the run exits non-zero.
Replay a finding: ``python fuzz/fuzz_<name>.py fuzz/artifacts/<file>``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESSES = ("clean", "extract", "feed")


def run(name: str, seconds: int, timeout: int, rss_mb: int, extra: list[str]) -> dict:
    work = HERE / ".work" / name
    work.mkdir(parents=True, exist_ok=True)
    artifacts = HERE / "artifacts"
    artifacts.mkdir(exist_ok=True)
    cmd = [
        sys.executable,
        str(HERE / f"fuzz_{name}.py"),
        f"-max_total_time={seconds}",
        f"-timeout={timeout}",
        f"-rss_limit_mb={rss_mb}",
        f"-artifact_prefix={artifacts}/{name}-",
        "-print_final_stats=1",
        "-max_len=65536",
        *extra,
        str(work),
        str(HERE / "seeds" / name),
    ]
    started = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=seconds * 3 + 120)
    out = proc.stderr + proc.stdout
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", out) or re.findall(r"Done (\d+) runs", out)
    cov = re.findall(r"\bcov: (\d+)", out)
    crash = re.findall(r"(Test unit written to \S+)", out)
    return {
        "harness": name,
        "exit": proc.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "runs": int(runs[-1]) if runs else None,
        "coverage": int(cov[-1]) if cov else None,
        "corpus": len(list(work.iterdir())),
        "finding": crash[-1] if crash else None,
        "tail": "\n".join(out.strip().splitlines()[-25:]) if proc.returncode else "",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harnesses", nargs="*", default=list(HARNESSES), help=f"any of {', '.join(HARNESSES)}")
    parser.add_argument("--seconds", type=int, default=60, help="per harness")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it counts as a hang")
    parser.add_argument("--rss-mb", type=int, default=3072)
    parser.add_argument("--libfuzzer", action="append", default=[], help="extra libFuzzer flag, e.g. -jobs=4")
    args = parser.parse_args(argv)
    try:
        import atheris  # noqa: F401
    except ImportError:
        print(
            "atheris is not installed (pip install -e '.[fuzz]'); the hypothesis tests in tests/test_fuzz.py drive the same harnesses",
            file=sys.stderr,
        )
        return 2
    failed = 0
    for name in args.harnesses:
        if name not in HARNESSES:
            parser.error(f"unknown harness {name!r}; known: {', '.join(HARNESSES)}")
        result = run(name, args.seconds, args.timeout, args.rss_mb, args.libfuzzer)
        print(
            f"{name}: exit {result['exit']}, {result['runs']} runs in {result['seconds']}s, cov {result['coverage']}, corpus {result['corpus']}"
            + (f", FINDING {result['finding']}" if result["finding"] else "")
        )
        if result["exit"]:
            failed += 1
            print(result["tail"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
