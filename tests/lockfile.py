"""Reading requirements.lock (pip's requirements format with hashes, written by `make lock`) and pyproject's pins."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

LOCK = REPO / "requirements.lock"
PYPROJECT = REPO / "pyproject.toml"


@dataclass(frozen=True)
class Locked:
    requirement: Requirement
    hashes: tuple[str, ...]
    line: str

    @property
    def name(self) -> str:
        return canonicalize_name(self.requirement.name)

    @property
    def version(self) -> str | None:
        specifiers = list(self.requirement.specifier)
        return specifiers[0].version if len(specifiers) == 1 and specifiers[0].operator == "==" else None

    def applies_here(self) -> bool:
        return self.requirement.marker is None or self.requirement.marker.evaluate()


def logical_lines(text: str) -> list[str]:
    """The lock's entries, continuation lines joined, comments dropped."""
    joined = text.replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def read_lock(path: Path = LOCK) -> list[Locked]:
    entries = []
    for line in logical_lines(path.read_text(encoding="utf-8")):
        words = line.split()
        hashes = tuple(word.removeprefix("--hash=") for word in words if word.startswith("--hash="))
        spec = " ".join(word for word in words if not word.startswith("--hash="))
        entries.append(Locked(Requirement(spec), hashes, line))
    return entries


def runtime_requirements(path: Path = PYPROJECT) -> list[Requirement]:
    project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    return [Requirement(spec) for spec in project["dependencies"]]


def lock_problems(requirements: list[Requirement], locked: list[Locked]) -> list[str]:
    """What keeps the lock from being the exact, hashed runtime set that pyproject.toml declares."""
    problems = []
    by_name: dict[str, Locked] = {}
    for entry in locked:
        if entry.requirement.url:
            problems.append(f"{entry.name}: locked by URL, not by version")
        if entry.version is None:
            problems.append(f"{entry.name}: not pinned with == in the lock ({entry.requirement.specifier})")
        if not entry.hashes:
            problems.append(f"{entry.name}: locked without hashes")
        if any(not (h.startswith("sha256:") and len(h) == len("sha256:") + 64) for h in entry.hashes):
            problems.append(f"{entry.name}: a hash that is not sha256")
        if entry.name in by_name:
            problems.append(f"{entry.name}: locked twice")
        by_name[entry.name] = entry
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        pins = [s.version for s in requirement.specifier if s.operator == "=="]
        if len(pins) != 1 or len(requirement.specifier) != 1:
            problems.append(f"{name}: pyproject.toml does not pin it exactly ({requirement.specifier or 'no version'})")
            continue
        if name not in by_name:
            problems.append(f"{name}: pinned in pyproject.toml ({pins[0]}) but missing from the lock; run `make lock`")
        elif by_name[name].version != pins[0]:
            problems.append(f"{name}: pyproject.toml pins {pins[0]}, the lock has {by_name[name].version}; run `make lock`")
    return problems
