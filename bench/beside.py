"""Two trees' `bench load` at once, each on a core of its own with a PostgreSQL of its own (issue 18's must-show: the
CPU per article of this tree against an earlier commit's, on the same machine in the same run).

    python -m bench.beside OLD_CHECKOUT NEW_CHECKOUT [--articles 10000] [--cores 0,1] [--swap] [--clusters DIR]
                           [--block-old hiredis] [--json]

Each bench, and the API, workers and beat it starts, runs from its checkout (first on PYTHONPATH) with this
interpreter under `taskset -c CORE`, so that the trees never take each other's core. Both start together, so
that both see the same drift of a shared machine.

--clusters DIR: each tree gets a PostgreSQL of its own, initdb'd into DIR/old and DIR/new (as the `postgres`
user when run as root) with the settings of the machine's server that bear on CPU (autovacuum off, fsync on,
128 MB of shared buffers), and a Redis of its own (nothing saved to disk, as the machine's), both started under
the tree's `taskset`, so that its backends and its broker run on the tree's core too: the two trees then share
nothing but the machine. (The starting commit's receipt-order gates go to Redis for every article; with one Redis
for both, the core it happened to run on changed that tree's CPU per article by a quarter.) Without it, both
benches use --pg-admin and --redis (one server each, not pinned, shared as the machine is).
--autovacuum: with --clusters, the clusters run autovacuum as PostgreSQL's default has it (and docker-compose.yml's
server, as any deployment), not off as the machine's server. Its workers come and go between the bench's samples
of the run's backends, so the clusters log each automatic vacuum and analyze with its CPU
(`log_autovacuum_min_duration = 0`), and their sum over the run is a part of its own, `autovacuum`.
--swap: a second run with the cores swapped, so that a difference between the cores cancels out.
--block-old MODULE: a module the old checkout did not install but this environment has (hiredis for 60c3310):
importing it fails in the old tree's processes, as it did where that tree was measured.

Per run: each tree's CPU ms per article (workers, API, PostgreSQL with the bench's own queries, as `bench load`
gives them; with --autovacuum, the autovacuum workers' from the clusters' logs), their sum, and new/old in all and
per part; with --swap, the same summed over both runs (`pooled`).
Requires `taskset` (util-linux) and, with --clusters, PostgreSQL's server binaries (--pg-bin, default: the newest
under /usr/lib/postgresql).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.harness import free_port

PARTS = ("workers", "api", "postgres")  # what the must-show counts: CPU of the workers, the API and PostgreSQL
AUTOVACUUM = "autovacuum"  # with --autovacuum: PostgreSQL's autovacuum workers, a part of its own
COUNTED = (*PARTS, AUTOVACUUM)  # the parts summed into "all", where a run has them
OLD_ARGS = "--reference 0 --json"
NEW_ARGS = "--reference 0 --no-compare-linking --json"
CLUSTER_SETTINGS = {  # as the machine's server (Debian's 15/main here), less what only names it
    "autovacuum": "off",
    "fsync": "on",
    "shared_buffers": "128MB",
    "max_connections": "100",
    "max_wal_size": "1GB",
    "min_wal_size": "80MB",
    "timezone": "'Etc/UTC'",
    "listen_addresses": "'127.0.0.1'",
}
AUTOVACUUM_SETTINGS = {"autovacuum": "on", "log_autovacuum_min_duration": "0"}  # PostgreSQL's default; every run logged
_AUTOVACUUM_CPU = re.compile(
    # "automatic vacuum", "automatic aggressive vacuum to prevent wraparound", "automatic analyze", ... "of table"
    r"automatic [a-z ]*?(?:vacuum|analyze)[a-z ]* of table .*?system usage: CPU: user: ([0-9.]+) s, system: ([0-9.]+) s",
    re.S,
)


@dataclass(frozen=True)
class Tree:
    checkout: Path
    args: str
    blocked: tuple[str, ...] = ()


def cpu_parts(result: dict) -> dict[str, float]:
    """The CPU ms per article `bench load` gave, by part (PARTS, and AUTOVACUUM where the run has it) and in all."""
    cpu = result["cpu_ms_per_article"]
    parts = {part: float(cpu[part]) for part in COUNTED if part in cpu}
    return {**parts, "all": round(sum(parts.values()), 1)}


def _compared(cpu: dict) -> tuple[str, ...]:
    return tuple(part for part in (*COUNTED, "all") if part in cpu)


def ratios(old_cpu: dict[str, float], new_cpu: dict[str, float]) -> dict[str, float]:
    """new/old of each part (PARTS, AUTOVACUUM where both have it) and of "all", where the old tree's figure is not 0."""
    return {part: round(new_cpu[part] / old_cpu[part], 3) for part in _compared(new_cpu) if part in old_cpu and old_cpu[part]}


def autovacuum_cpu_s(log: str) -> float:
    """The CPU seconds (user and system) of the automatic vacuums and analyzes a server's LOG reports."""
    return sum(float(user) + float(system) for user, system in _AUTOVACUUM_CPU.findall(log))


def with_autovacuum(result: dict, log: str) -> dict:
    """RESULT (`bench load`'s) with the autovacuum workers' CPU in LOG (its cluster's, over the run) per article."""
    cpu = result["cpu_ms_per_article"]
    per_article = 1000 * autovacuum_cpu_s(log) / max(1, int(result.get("articles") or 1))
    return {**result, "cpu_ms_per_article": {**cpu, AUTOVACUUM: round(per_article, 2)}}


def compare(old: dict, new: dict) -> dict:
    """Both trees' CPU per article and new/old, in all and per part, with what each run stored and lost."""
    old_cpu, new_cpu = cpu_parts(old), cpu_parts(new)
    return {"old": {**old_cpu, **_outcome(old)}, "new": {**new_cpu, **_outcome(new)}, "ratio": ratios(old_cpu, new_cpu)}


def pooled(runs: list[dict]) -> dict:
    """Both trees' CPU per article summed over RUNS (each part and in all), and new/old of the sums: with the cores
    swapped between runs, what either core's share of the machine's drift adds to one side cancels out."""
    sums = {side: {part: round(sum(run[side][part] for run in runs), 1) for part in _compared(runs[0][side])} for side in ("old", "new")}
    return {"runs": len(runs), **sums, "ratio": ratios(sums["old"], sums["new"]), "every_run_all": [run["ratio"]["all"] for run in runs]}


def _outcome(result: dict) -> dict:
    return {key: result.get(key) for key in ("stored", "lost", "duplicates", "worker_rss_mb_max", "end_to_end_s")}


def pinned_command(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv]


@dataclass(frozen=True)
class Servers:
    pg_admin: str
    redis: str


def bench_argv(tree: Tree, articles: int, servers: Servers) -> list[str]:
    return [
        sys.executable, "-m", "service.cli", "bench", "load", "--articles", str(articles), "--workers", "2",
        "--pg-admin", servers.pg_admin, "--redis", servers.redis, *shlex.split(tree.args),
    ]  # fmt: skip


def tree_env(tree: Tree, blocker_dir: Path) -> dict[str, str]:
    """The tree's checkout first on PYTHONPATH; with blocked modules, a directory of stubs that fail to import."""
    paths = [str(tree.checkout)]
    if tree.blocked:
        paths.append(str(blocker_dir))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def write_blockers(directory: Path, modules: tuple[str, ...]) -> None:
    for module in modules:
        (directory / f"{module}.py").write_text(f'raise ImportError("{module} is blocked for this comparison")\n')


# --- PostgreSQL clusters of their own ------------------------------------------------------------------------------


def newest_pg_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise SystemExit("no PostgreSQL server binaries under /usr/lib/postgresql: give --pg-bin")
    return versions[-1]


def _as_postgres(argv: list[str]) -> list[str]:
    """ARGV as the `postgres` user when run as root (initdb and the server refuse root)."""
    if os.geteuid() != 0:
        return argv
    return ["su", "postgres", "-c", shlex.join(argv)]


def _give_to_postgres(path: Path) -> None:
    """PATH owned by the `postgres` user when run as root (the server runs as that user: `_as_postgres`)."""
    if os.geteuid() == 0:
        subprocess.run(["chown", "postgres", str(path)], check=True)


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{shlex.join(argv)} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-500:]}")


def start_cluster(root: Path, pg_bin: Path, core: int, *, autovacuum: bool = False) -> tuple[str, Callable[[], None]]:
    """A cluster in ROOT (initdb'd once), started under `taskset -c CORE`; its admin URL and its stop. It logs to
    ROOT/log (`cluster_log`); with AUTOVACUUM, it runs autovacuum and logs each run of it (AUTOVACUUM_SETTINGS)."""
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    _give_to_postgres(root)
    if not data.exists():
        _run(_as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]))
    port = free_port()
    settings = {**CLUSTER_SETTINGS, **(AUTOVACUUM_SETTINGS if autovacuum else {})}
    settings.update(port=str(port), unix_socket_directories=f"'{root}'")
    auto_conf = data / "postgresql.auto.conf"
    auto_conf.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
    _give_to_postgres(auto_conf)
    ctl = [str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(cluster_log(root)), "-w"]
    _run(_as_postgres(pinned_command(core, [*ctl, "start"])))

    def stop() -> None:
        subprocess.run(_as_postgres([*ctl, "stop", "-m", "fast"]), capture_output=True)

    return f"postgresql://postgres@127.0.0.1:{port}/postgres", stop


def cluster_log(root: Path) -> Path:
    return root / "log"


def log_from(path: Path, offset: int) -> str:
    """The text PATH gained past OFFSET (a server's log over a run)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


def start_redis(root: Path, core: int) -> tuple[str, Callable[[], None]]:
    """A Redis of its own under `taskset -c CORE` (no persistence); its URL and its stop."""
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(root)]
    server = subprocess.Popen(pinned_command(core, argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        server.kill()
        raise SystemExit(f"redis-server on port {port} did not start")

    def stop() -> None:
        server.terminate()
        server.wait()

    return f"redis://127.0.0.1:{port}/0", stop


# --- one run ------------------------------------------------------------------------------------------------------


def run_beside(
    trees: dict[str, Tree],
    cores: dict[str, int],
    articles: int,
    servers: dict[str, Servers],
    blocker_dir: Path,
    autovacuum_logs: dict[str, Path] | None = None,
) -> dict:
    """Both benches at once, each pinned to its core; their results compared. AUTOVACUUM_LOGS: each tree's cluster
    log, whose automatic vacuums and analyzes over the run are counted (`with_autovacuum`)."""
    started = time.strftime("%H:%M:%S", time.gmtime())
    offsets = {name: log.stat().st_size for name, log in (autovacuum_logs or {}).items()}
    processes = {
        name: subprocess.Popen(
            pinned_command(cores[name], bench_argv(tree, articles, servers[name])),
            cwd=tree.checkout,
            env=tree_env(tree, blocker_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for name, tree in trees.items()
    }
    results = {}
    try:
        for name, process in processes.items():
            out, _ = process.communicate()
            if process.returncode != 0:
                raise SystemExit(f"the {name} tree's bench failed ({process.returncode})")
            results[name] = json.loads(out)
            if name in offsets:
                results[name] = with_autovacuum(results[name], log_from(autovacuum_logs[name], offsets[name]))
    finally:
        for process in processes.values():
            if process.poll() is None:  # the other bench, when one failed: it stops (and drops its database)
                process.terminate()
                process.wait()
    return {
        "cores": cores,
        "started": started,
        "ended": time.strftime("%H:%M:%S", time.gmtime()),
        **compare(results["old"], results["new"]),
    }


def _report(run: dict) -> str:
    def side(name: str) -> str:
        cpu = run[name]
        autovacuum = f" + {cpu[AUTOVACUUM]}" if AUTOVACUUM in cpu else ""
        return f"{cpu['workers']} / {cpu['api']} / {cpu['postgres']}{autovacuum} = {cpu['all']}"

    ratio = run["ratio"]
    return (
        f"{run['started']}–{run['ended']} cores old {run['cores']['old']}, new {run['cores']['new']}: "
        f"new {side('new')}, old {side('old')} (ms an article, workers / API / PostgreSQL [+ autovacuum]); "
        f"x {ratio['all']} (workers {ratio['workers']}, API {ratio['api']}, PostgreSQL {ratio['postgres']}); "
        f"stored {run['new']['stored']} / {run['old']['stored']}, lost {run['new']['lost']} / {run['old']['lost']}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.beside", description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="checkout of the earlier commit")
    parser.add_argument("new", type=Path, help="checkout of the tree measured")
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--cores", default="0,1", help="OLD,NEW: the cores of the first run")
    parser.add_argument("--swap", action="store_true", help="a second run with the cores swapped")
    parser.add_argument("--clusters", type=Path, help="a PostgreSQL and a Redis of its own per tree, under this directory")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/postgres", help="without --clusters")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="without --clusters")
    parser.add_argument("--autovacuum", action="store_true", help="with --clusters: autovacuum on, its CPU counted")
    parser.add_argument("--pg-bin", type=Path)
    parser.add_argument("--block-old", action="append", default=[], metavar="MODULE")
    parser.add_argument("--old-args", default=OLD_ARGS)
    parser.add_argument("--new-args", default=NEW_ARGS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.autovacuum and args.clusters is None:
        parser.error("--autovacuum needs --clusters (the clusters' logs give its CPU)")
    trees = {"old": Tree(args.old.resolve(), args.old_args, tuple(args.block_old)), "new": Tree(args.new.resolve(), args.new_args)}
    first = dict(zip(("old", "new"), map(int, args.cores.split(","))))
    runs = []
    with tempfile.TemporaryDirectory(prefix="claimwire-beside-") as scratch:
        blocker_dir = Path(scratch)
        write_blockers(blocker_dir, trees["old"].blocked)
        for cores in [first, {"old": first["new"], "new": first["old"]}][: 2 if args.swap else 1]:
            runs.append(_one_run(args, trees, cores, blocker_dir))
            if not args.json:
                print(_report(runs[-1]), flush=True)
    if args.json:
        print(json.dumps({"articles": args.articles, "runs": runs, "pooled": pooled(runs)}, indent=1))
    elif len(runs) > 1:
        both = pooled(runs)
        print(f"pooled over {both['runs']} runs: new {both['new']['all']}, old {both['old']['all']}: x {both['ratio']['all']}")


def _one_run(args, trees: dict[str, Tree], cores: dict[str, int], blocker_dir: Path) -> dict:
    if args.clusters is None:
        shared = Servers(args.pg_admin, args.redis)
        return run_beside(trees, cores, args.articles, {"old": shared, "new": shared}, blocker_dir)
    pg_bin = args.pg_bin or newest_pg_bin()
    stops = []
    try:
        servers = {}
        for name in trees:
            pg_admin, stop = start_cluster(args.clusters / name, pg_bin, cores[name], autovacuum=args.autovacuum)
            stops.append(stop)
            redis, stop = start_redis(args.clusters / f"{name}-redis", cores[name])
            stops.append(stop)
            servers[name] = Servers(pg_admin, redis)
        logs = {name: cluster_log(args.clusters / name) for name in trees} if args.autovacuum else None
        return run_beside(trees, cores, args.articles, servers, blocker_dir, logs)
    finally:
        for stop in stops:
            stop()


if __name__ == "__main__":
    main()
