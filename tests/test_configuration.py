"""Configuration is read in one place and documented: every environment variable the code reads is listed in
docs/CONFIGURATION.md (and every one listed there is read), and the shipped packages read the environment only
through claimwire/settings.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import NamedTuple

from tests.conftest import REPO

SHIPPED = ("claimwire", "storage", "tasks", "workers", "service")
EVERYWHERE = (*SHIPPED, "bench", "fuzz", "examples", "tests")
SETTINGS = REPO / "claimwire" / "settings.py"
DOC = REPO / "docs" / "CONFIGURATION.md"


class EnvRead(NamedTuple):
    path: Path
    line: int
    name: str


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and isinstance(node.value, ast.Name) and node.value.id == "os"


def _read_name(node: ast.AST) -> str | None:
    """The variable NODE reads: os.environ.get("X"), os.getenv("X"), os.environ["X"], settings' _env_*("X")."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
            return node.args[0].value
        if isinstance(func, ast.Attribute) and func.attr == "getenv":
            return node.args[0].value
        if isinstance(func, ast.Name) and func.id.startswith("_env_"):
            return node.args[0].value
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
        key = node.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    return None


def env_reads(packages: tuple[str, ...]) -> list[EnvRead]:
    reads = []
    for package in packages:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                name = _read_name(node)
                if name is not None:
                    reads.append(EnvRead(path.relative_to(REPO), node.lineno, name))
    return reads


def documented() -> set[str]:
    """The variables of the tables' first column in docs/CONFIGURATION.md."""
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", DOC.read_text("utf-8"), re.MULTILINE))


def test_the_scan_finds_every_kind_of_read(tmp_path):
    source = 'import os\nos.environ.get("A_1")\nos.getenv("B_2")\nos.environ["C_3"]\n_env_int("D_4", 1)\nos.environ["E_5"] = "x"\n'
    names = [_read_name(node) for node in ast.walk(ast.parse(source))]
    assert sorted(n for n in names if n) == ["A_1", "B_2", "C_3", "D_4"]


def test_every_variable_read_is_documented():
    missing = sorted({f"{r.name} ({r.path}:{r.line})" for r in env_reads(EVERYWHERE) if r.name not in documented()})
    assert not missing, f"read in code, not in docs/CONFIGURATION.md: {missing}"


def test_every_documented_variable_is_read():
    read = {r.name for r in env_reads(EVERYWHERE)}
    assert read, "the scan found no reads at all"
    stale = sorted(documented() - read)
    assert not stale, f"listed in docs/CONFIGURATION.md, read nowhere: {stale}"


def test_the_shipped_packages_read_the_environment_only_through_settings():
    outside = [f"{r.path}:{r.line} {r.name}" for r in env_reads(SHIPPED) if r.path != SETTINGS.relative_to(REPO)]
    assert not outside, f"read the environment through claimwire/settings.py (get_settings()): {outside}"
