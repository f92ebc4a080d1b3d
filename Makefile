# Quick start:  make demo   (set up and start the console demo)
#               make test   (set up and run every test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-test services bench

# Each set-up leaves a stamp in .venv and runs again only when pyproject.toml is
# newer. pip's output (and the build backend's notes) goes to .venv/setup.log,
# shown only when the install fails.
INSTALL = $(BIN)/pip install --quiet --disable-pip-version-check

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV)
	@$(INSTALL) --upgrade pip >$(VENV)/setup.log 2>&1 || { cat $(VENV)/setup.log; exit 1; }

$(VENV)/installed: pyproject.toml | $(BIN)/python
	@echo "setting up $(VENV) (pip; log in $(VENV)/setup.log)"
	@$(INSTALL) -e . >$(VENV)/setup.log 2>&1 || { cat $(VENV)/setup.log; exit 1; }
	@touch $@

$(VENV)/installed-test: pyproject.toml | $(BIN)/python
	@echo "setting up $(VENV) with the test extras (pip; log in $(VENV)/setup.log)"
	@$(INSTALL) -e '.[test]' >$(VENV)/setup.log 2>&1 || { cat $(VENV)/setup.log; exit 1; }
	@touch $@ $(VENV)/installed

setup: $(VENV)/installed
	@:

setup-test: $(VENV)/installed-test
	@$(BIN)/python -c 'from tests.synapse.harness import ensure_synapse; ensure_synapse()'

demo: setup
	@$(BIN)/sanshe run

# PostgreSQL for the storage tests: the machine's server, started if it is down.
services:
	@bash .ci/postgres

test: setup-test services
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check --quiet .
	@$(BIN)/mypy
	@$(BIN)/pytest -q -n auto --dist loadfile; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	  exit $$status

bench: setup-test
	$(BIN)/python bench/pipeline.py
