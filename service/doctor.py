"""`claimwire doctor`: what an operator checks before going live, one verdict per line.

Each check reads the same settings the service reads (claimwire/settings.py) and returns one or more
`Verdict`s; `CHECKS` names them in the order they run. A check never raises: whatever goes wrong becomes a
FAIL with its reason. `run` gives the verdicts; the CLI prints them and exits non-zero on any FAIL.

    imports     the API, the Celery app and every task module import (in a child process)
    database    reachable, and migrated to the Alembic head this version ships
    transport   the broker's transport imports (kombu's Redis transport needs `packaging`); embedded mode without BROKER_URL
    broker      the broker answers; embedded mode without BROKER_URL
    extractors  every configured and every registered extractor loads and runs on a sample sentence
    data        the package data the service reads at run time is installed
    metrics     PROMETHEUS_MULTIPROC_DIR (when set) is a writable directory
    api-token   CLAIMWIRE_API_TOKEN is set when the API binds to a non-loopback address
"""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from claimwire.settings import Settings, get_settings

DEFAULT_TIMEOUT_S = 5.0
IMPORT_TIMEOUT_S = 120.0
EMBEDDED = "embedded mode (BROKER_URL is not set): tasks run in-process, no broker needed"
SAMPLE_TEXT = (
    "Three people were killed and 12 injured when a 300-metre bridge collapsed on Monday, police said. "
    '"We are still searching," said Anna Berg, a rescue official. The council said it would move 2,000 residents out of the area.'
)
# The package data the service reads at run time (pyproject.toml, [tool.setuptools.package-data]).
PACKAGE_DATA = (("claimwire", "data"), ("service", "templates"), ("service", "static"), ("storage", "migrations/versions"))
# What `claimwire serve` and `claimwire worker` import; a child process imports them (without PROMETHEUS_MULTIPROC_DIR).
SERVICE_MODULES = "import service.api, workers.app; workers.app.app.loader.import_default_modules()"


@dataclass(frozen=True)
class Verdict:
    check: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAIL':4}  {self.check:<24}  {self.detail}"


@dataclass(frozen=True)
class Options:
    api_host: str | None = None  # the address `claimwire serve` binds to; default CLAIMWIRE_API_HOST
    timeout_s: float = DEFAULT_TIMEOUT_S


def _reason(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def safe_url(url: str) -> str:
    """URL with its password masked."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy parses (a broker URL of another kind)
        from kombu.utils.url import maybe_sanitize_url

        return maybe_sanitize_url(url)


# --- the checks -------------------------------------------------------------------------------------


def check_imports(settings: Settings, options: Options) -> Iterable[Verdict]:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}  # no metric files for this child
    try:
        done = subprocess.run([sys.executable, "-c", SERVICE_MODULES], env=env, capture_output=True, text=True, timeout=IMPORT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        yield Verdict("imports", False, f"importing the service's modules did not finish in {IMPORT_TIMEOUT_S:g} s")
        return
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        yield Verdict("imports", False, f"the service's modules do not import: {last}")
        return
    yield Verdict("imports", True, "the API, the Celery app and every task module import")


def _database_url(settings: Settings, timeout_s: float) -> str:
    url = settings.database_url
    if url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        if "connect_timeout" not in parsed.query:
            url = parsed.update_query_dict({"connect_timeout": str(max(1, round(timeout_s)))}).render_as_string(hide_password=False)
    return url


def check_database(settings: Settings, options: Options) -> Iterable[Verdict]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, make_engine

    shown = safe_url(settings.database_url)
    if settings.database_url.startswith("sqlite:///"):
        path = settings.database_url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not Path(path).exists():
            yield Verdict("database", False, f"{shown}: no database file yet; run `claimwire migrate`")
            return
    try:
        heads = set(ScriptDirectory.from_config(alembic_config(settings.database_url)).get_heads())
    except Exception as error:  # noqa: BLE001
        yield Verdict("database", False, f"the migration scripts do not load: {_reason(error)}")
        return
    engine = make_engine(_database_url(settings, options.timeout_s), pooled=False)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:  # noqa: BLE001
        yield Verdict("database", False, f"{shown}: not reachable: {_reason(error)}")
        return
    finally:
        engine.dispose()
    head = ", ".join(sorted(heads))
    if current == heads:
        yield Verdict("database", True, f"{shown}: reachable, at the Alembic head {head}")
    elif not current:
        yield Verdict(
            "database", False, f"{shown}: reachable but not migrated (no Alembic revision; head is {head}); run `claimwire migrate`"
        )
    else:
        yield Verdict("database", False, f"{shown}: at revision {', '.join(sorted(current))}, head is {head}; run `claimwire migrate`")


def _broker_connection(settings: Settings, timeout_s: float):
    from kombu import Connection

    options = {"visibility_timeout": settings.visibility_timeout_s}
    if settings.broker_key_prefix:
        options["global_keyprefix"] = settings.broker_key_prefix
    return Connection(settings.broker_url, connect_timeout=timeout_s, transport_options=options)


def check_transport(settings: Settings, options: Options) -> Iterable[Verdict]:
    if settings.embedded:
        yield Verdict("transport", True, EMBEDDED)
        return
    try:
        connection = _broker_connection(settings, options.timeout_s)
        transport = connection.get_transport_cls()
    except Exception as error:  # noqa: BLE001 - a missing module shows up here, not at import of kombu
        yield Verdict("transport", False, f"the transport for {safe_url(settings.broker_url)} does not import: {_reason(error)}")
        return
    yield Verdict("transport", True, f"{transport.__module__}.{transport.__name__} imports")


def check_broker(settings: Settings, options: Options) -> Iterable[Verdict]:
    if settings.embedded:
        yield Verdict("broker", True, EMBEDDED)
        return
    shown = safe_url(settings.broker_url)
    try:
        with _broker_connection(settings, options.timeout_s) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0, timeout=options.timeout_s)
    except Exception as error:  # noqa: BLE001
        yield Verdict("broker", False, f"{shown}: not reachable: {_reason(error)}")
        return
    yield Verdict("broker", True, f"{shown}: reachable")


def check_extractors(settings: Settings, options: Options) -> Iterable[Verdict]:
    from claimwire import extractors

    try:
        registered = extractors.registered()
    except Exception as error:  # noqa: BLE001 - a built-in extractor module that does not import
        yield Verdict("extractors", False, f"the extractor registry does not load: {_reason(error)}")
        return
    configured = set(settings.extractors)
    for name in list(settings.extractors) + sorted(set(registered) - configured):
        role = "configured" if name in configured else "registered, not configured"
        if name not in registered:
            yield Verdict(
                f"extractor {name}", False, f"named in CLAIMWIRE_EXTRACTORS but not registered; known: {', '.join(sorted(registered))}"
            )
            continue
        extractor = registered[name]
        try:
            claims = list(extractor.extract(SAMPLE_TEXT, None))
        except Exception as error:  # noqa: BLE001
            yield Verdict(f"extractor {name}", False, f"version {extractor.version} fails on a sample sentence: {_reason(error)}")
            continue
        yield Verdict(f"extractor {name}", True, f"version {extractor.version}, {role}; {len(claims)} claim(s) in a sample text")


def check_data(settings: Settings, options: Options, locations: Iterable[tuple[str, str]] = PACKAGE_DATA) -> Iterable[Verdict]:
    found, problems = [], []
    for package, subdir in locations:
        try:
            directory = resources.files(package).joinpath(*subdir.split("/"))
            files = [entry for entry in directory.iterdir() if entry.is_file()] if directory.is_dir() else []
            for entry in files:
                if entry.name.endswith(".json"):
                    json.loads(entry.read_text("utf-8"))
                else:
                    entry.read_bytes()
        except Exception as error:  # noqa: BLE001 - unreadable or unparsable package data
            problems.append(f"{package}/{subdir}: {_reason(error)}")
            continue
        if not files:
            problems.append(f"{package}/{subdir} is missing or empty")
        else:
            found.append(f"{package}/{subdir} ({len(files)} files)")
    if problems:
        yield Verdict("data", False, "; ".join(problems) + " (the installed package lacks its data files)")
    else:
        yield Verdict("data", True, ", ".join(found))


def check_metrics(settings: Settings, options: Options) -> Iterable[Verdict]:
    directory = settings.prometheus_multiproc_dir
    if not directory:
        yield Verdict(
            "metrics",
            True,
            "PROMETHEUS_MULTIPROC_DIR is not set: each process keeps its own metrics (`claimwire worker --metrics-port` makes a directory)",
        )
        return
    path = Path(directory)
    probe = path / f".doctor-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # not *.db: the multiprocess collector reads those
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        yield Verdict("metrics", False, f"PROMETHEUS_MULTIPROC_DIR={directory} is not a writable directory: {_reason(error)}")
        return
    yield Verdict("metrics", True, f"PROMETHEUS_MULTIPROC_DIR={directory} is writable")


def is_loopback(host: str) -> bool:
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_api_token(settings: Settings, options: Options) -> Iterable[Verdict]:
    host = options.api_host or settings.api_host
    if settings.api_token:
        yield Verdict("api-token", True, f"CLAIMWIRE_API_TOKEN is set (API on {host})")
    elif is_loopback(host):
        yield Verdict("api-token", True, f"API on {host} (loopback); CLAIMWIRE_API_TOKEN is not set, so the API refuses writes")
    else:
        yield Verdict(
            "api-token", False, f"API on {host} (not loopback) and CLAIMWIRE_API_TOKEN is not set: set a token before exposing it"
        )


Check = Callable[[Settings, Options], Iterable[Verdict]]
CHECKS: dict[str, Check] = {
    "imports": check_imports,
    "database": check_database,
    "transport": check_transport,
    "broker": check_broker,
    "extractors": check_extractors,
    "data": check_data,
    "metrics": check_metrics,
    "api-token": check_api_token,
}


def run(names: Iterable[str] | None = None, options: Options | None = None) -> list[Verdict]:
    """The verdicts of the named checks (all of them by default), in CHECKS order."""
    wanted = set(names) if names is not None else set(CHECKS)
    unknown = wanted - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown check(s): {', '.join(sorted(unknown))}; known: {', '.join(CHECKS)}")
    settings, options = get_settings(), options or Options()
    verdicts: list[Verdict] = []
    for name, check in CHECKS.items():
        if name not in wanted:
            continue
        try:
            verdicts.extend(check(settings, options))
        except Exception as error:  # noqa: BLE001 - a check that crashed is a failed check
            verdicts.append(Verdict(name, False, f"the check itself failed: {_reason(error)}"))
    return verdicts
