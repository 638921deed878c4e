"""The guardrails `make test` runs over the whole checkout: ruff's lint rules and format (configured in
pyproject.toml, [tool.ruff]) and the import contracts between the layers (import-linter, [tool.importlinter])."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO


def tool(name: str, *args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).parent / name
    return subprocess.run([str(executable), *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def contracts() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    return [contract["id"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_ruff_lint_passes():
    done = tool("ruff", "check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_ruff_finds_a_planted_fault(tmp_path):
    """The lint run is not a check that cannot fail: an unused import and a bare name are caught."""
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n\n\ndef f():\n    return undefined_name\n", "utf-8")
    done = tool("ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(planted))
    assert done.returncode == 1 and "F401" in done.stdout and "F821" in done.stdout, done.stdout


def test_ruff_format_check_passes():
    done = tool("ruff", "format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_contracts_are_the_ones_the_layout_needs():
    assert set(contracts()) == {"domain-pure", "service-on-top", "workers-below-tasks", "layers"}


@pytest.mark.parametrize("contract", contracts())
def test_import_contract_is_kept(contract):
    done = tool("lint-imports", "--no-cache", "--contract", contract)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
