# make run  - create .venv, install, ingest seeds/ and serve the dashboard on http://localhost:8501
# make test - install the test requirements, lint and type-check, and run the whole test suite (what CI runs)
# make check - the fast tier for the edit loop: lint, types and the tests with no browser and no real corpora
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= data/monitor.duckdb
PORT   ?= 8501

.PHONY: run test check lint ingest install install-test clean

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.test: requirements-test.txt $(VENV)/.runtime
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@

install: $(VENV)/.runtime

install-test: $(VENV)/.test

# Exit status 1 means some inputs were skipped (listed above it): not a failure here.
ingest: install
	$(BIN)/python -m monitor ingest seeds/ --store $(STORE) || test $$? -eq 1

run: ingest
	MONITOR_STORE=$(STORE) $(BIN)/python -m streamlit run dashboard.py --server.port $(PORT) \
	  --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false

lint: install-test
	$(BIN)/python -m ruff check .
	$(BIN)/python -m mypy

test: lint
	$(BIN)/python -m pytest

check: lint
	$(BIN)/python -m pytest -m "not slow and not browser and not heavy"

clean:
	rm -rf $(VENV) data/monitor.duckdb data/monitor.duckdb.wal .pytest_cache
