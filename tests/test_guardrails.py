"""The guardrails `make test` runs over the whole checkout: ruff's lint rules and format (configured in
pyproject.toml, [tool.ruff]) and the import contracts between the layers (import-linter, [tool.importlinter])."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

# rewritten on another branch (the linker split); lint them with the rest once it is merged
PENDING_LINT = ("claimwire/linking.py", "bench/fit_linker.py")
# contracts that hold only once the pipeline's rework (the receive stage in tasks/) is merged
PENDING_CONTRACTS = {"service-on-top": "tasks/feeds.py imports service.ingest until the receive stage moves into tasks/ (issue 17, part A)"}


def tool(name: str, *args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).parent / name
    return subprocess.run([str(executable), *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def contracts() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    return [contract["id"] for contract in config["tool"]["importlinter"]["contracts"]]


def test_ruff_lint_passes():
    done = tool("ruff", "check", "--no-cache", "--extend-exclude", ",".join(PENDING_LINT), ".")
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


@pytest.mark.xfail(reason="the linker split (another branch) rewrites these files", strict=False)
def test_ruff_lint_passes_on_the_files_another_branch_rewrites():
    done = tool("ruff", "check", "--no-cache", *PENDING_LINT)
    assert done.returncode == 0, done.stdout[-6000:]


def test_ruff_finds_a_planted_fault(tmp_path):
    """The lint run is not a check that cannot fail: an unused import and a bare name are caught."""
    planted = tmp_path / "planted.py"
    planted.write_text("import os\n\n\ndef f():\n    return undefined_name\n", "utf-8")
    done = tool("ruff", "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(planted))
    assert done.returncode == 1 and "F401" in done.stdout and "F821" in done.stdout, done.stdout


@pytest.mark.xfail(reason="lead formats after merge", strict=False)
def test_ruff_format_check_passes():
    done = tool("ruff", "format", "--check", "--no-cache", ".")
    assert done.returncode == 0, done.stdout[-3000:]


def test_the_contracts_are_the_ones_the_layout_needs():
    assert set(contracts()) == {"domain-pure", "service-on-top", "workers-below-tasks"}
    assert set(PENDING_CONTRACTS) <= set(contracts())


@pytest.mark.parametrize(
    "contract",
    [pytest.param(c, marks=pytest.mark.xfail(reason=PENDING_CONTRACTS[c], strict=False)) if c in PENDING_CONTRACTS else c for c in contracts()],
)
def test_import_contract_is_kept(contract):
    done = tool("lint-imports", "--no-cache", "--contract", contract)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
