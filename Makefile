# Quick start:  make demo   (set up and start the console demo)
#               make test   (set up and run every test)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-test services bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install --quiet -e .

setup-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -c 'from tests.synapse.harness import ensure_synapse; ensure_synapse()'

demo: setup
	$(BIN)/sanshe run

# PostgreSQL for the storage tests: the machine's server, started if it is down.
services:
	@bash .ci/postgres

test: setup-test services
	@$(BIN)/ruff check .
	@$(BIN)/pytest -q; status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
	  exit $$status

bench: setup-test
	$(BIN)/python bench/pipeline.py
