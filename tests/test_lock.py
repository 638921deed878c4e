"""requirements.lock is the whole runtime set, exact and hashed, in step with pyproject.toml's pins.

The Dockerfile and the production-install test install from the lock; `make install` does too, so the tests
run on the versions the service runs on. `make lock` regenerates it after a change to the dependencies.
"""

from __future__ import annotations

from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.lockfile import Locked, lock_problems, read_lock, runtime_requirements


def test_the_lock_and_pyproject_agree():
    assert lock_problems(runtime_requirements(), read_lock()) == []


def test_the_lock_holds_everything_the_declared_packages_and_extras_require():
    """Walks the declared requirements, extras included (celery[redis] -> kombu[redis] -> packaging), through the
    metadata of the installed packages; every package they need on this platform must be locked, at a version
    that satisfies them."""
    locked = {entry.name: entry for entry in read_lock()}
    missing, todo, seen = [], [(r, "pyproject.toml") for r in runtime_requirements()], set()
    while todo:
        requirement, wanted_by = todo.pop()
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        entry = locked.get(name)
        if entry is None or not requirement.specifier.contains(entry.version, prereleases=True):
            missing.append(f"{requirement} (wanted by {wanted_by}; locked: {entry.version if entry else 'no'})")
            continue
        extras = set(requirement.extras) | {""}
        for spec in metadata.requires(name) or []:
            needed = Requirement(spec)
            if needed.marker is None or any(needed.marker.evaluate({"extra": extra}) for extra in extras):
                todo.append((needed, f"{name}{sorted(requirement.extras) or ''}"))
    assert missing == []
    assert {"packaging", "kombu", "redis"} <= {name for name, _ in seen}


def test_the_test_environment_runs_the_locked_versions():
    wrong = []
    for entry in read_lock():
        if not entry.applies_here():
            continue
        try:
            installed = metadata.version(entry.name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != entry.version:
            wrong.append(f"{entry.name}: locked {entry.version}, installed {installed}")
    assert wrong == [], "the test environment is not the locked runtime set (make install): " + "; ".join(wrong)


def locked(spec: str, *hashes: str) -> Locked:
    return Locked(Requirement(spec), hashes, spec)


def test_the_check_finds_a_missing_pin_a_different_version_and_an_entry_without_hashes():
    good = "sha256:" + "0" * 64
    lock = [locked("celery==5.7.0", good), locked("kombu==5.7.0"), locked("redis>=8", good), locked("redis==8.1.0", good)]
    problems = lock_problems([Requirement("celery[redis]==5.7.1"), Requirement("packaging==26.3"), Requirement("httpx>=0.28")], lock)
    assert "kombu: locked without hashes" in problems
    assert any(p.startswith("redis: not pinned with ==") for p in problems)
    assert "redis: locked twice" in problems
    assert "celery: pyproject.toml pins 5.7.1, the lock has 5.7.0; run `make lock`" in problems
    assert "packaging: pinned in pyproject.toml (26.3) but missing from the lock; run `make lock`" in problems
    assert any(p.startswith("httpx: pyproject.toml does not pin it exactly") for p in problems)
    assert lock_problems([Requirement("celery[redis]==5.7.0")], [locked("celery==5.7.0", good)]) == []
