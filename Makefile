# The two set-up commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
SEEDS := $(if $(wildcard $(SHARED)/seeds/*.txt),$(SHARED)/seeds,examples/seeds)
PYTEST_ARGS ?=

.PHONY: demo test install install-test services drills clean fuzz lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The runtime set comes from requirements.lock (exact versions, hashes checked), as in the Docker image.
$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## demo: ingest the seed articles on the embedded default (SQLite, in-process) and print their ledger
demo: install
	$(BIN)/claimwire demo $(SEEDS)

services:
	.ci/services

## test: install test dependencies, start PostgreSQL and Redis where they are not running, run pytest
test: install-test services
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

## drills: the fault drills only (worker SIGKILL, Redis restart, PostgreSQL down 30 s and crashed, double delivery, API restart)
drills: install-test services
	$(BIN)/python -m pytest -q -m drill $(PYTEST_ARGS)

## fuzz: coverage-guided fuzzing (atheris/libFuzzer) of the cleaners, extractors and feed parser,
## FUZZ_SECONDS per harness; findings land in fuzz/artifacts/ (replay: $(BIN)/python fuzz/fuzz_<name>.py <file>)
FUZZ_SECONDS ?= 60
fuzz: install
	$(BIN)/pip install -q -e '.[fuzz]'
	$(BIN)/python -m fuzz.run --seconds $(FUZZ_SECONDS)

## lock: regenerate requirements.lock (every runtime package, exact versions with hashes) after a change to
## pyproject.toml's dependencies; keeps the locked versions it can (LOCK_ARGS=--upgrade to take the newest)
UV_VERSION ?= 0.13.8
LOCK_ARGS ?=
lock: | $(BIN)/python
	$(BIN)/pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
		--custom-compile-command 'make lock' $(LOCK_ARGS) -o requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
