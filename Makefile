# make run  - create .venv, install, ingest seeds/ and serve the dashboard on http://localhost:8501
# make test - install the test requirements, lint and type-check, and run the whole test suite (what CI runs)
# make check - the fast tier for the edit loop: lint, types and the tests with no browser and no real corpora
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STORE  ?= data/monitor.duckdb
PORT   ?= 8501

.PHONY: run test check lint ingest install install-test lock clean

# The lock files pin every package, dependencies included, with their hashes: a fresh machine installs exactly
# what CI tested. requirements*.txt name what the project asks for; `make lock` makes the locks from them.
$(VENV)/.runtime: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.test: requirements-test.lock $(VENV)/.runtime
	$(BIN)/python -m pip install -q --require-hashes -r requirements-test.lock
	touch $@

install: $(VENV)/.runtime

install-test: $(VENV)/.test

# Exit status 1 means some inputs were skipped (listed above it): not a failure here. Any other status is
# (2 usage, 3 the store, 4 busy, 5 settings or workers, 70 a bug: see monitor/cli.py), and make stops on it.
ingest: install
	$(BIN)/python -m monitor ingest seeds/ --store $(STORE); status=$$?; \
	  if [ $$status -gt 1 ]; then echo "make: the ingest failed with exit status $$status" >&2; exit $$status; fi

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

# make lock - after editing requirements*.txt: re-pin with hashes from uv's default index (--no-config: no machine-local one), for
# Python 3.11 on Linux x86_64; the runtime and Dask locks take the test lock's versions. Pins that still fit are kept;
# `make lock LOCK_UPGRADE=--upgrade` moves the unpinned dependencies to their newest versions.
UV_VERSION := 0.13.8
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--no-config --custom-compile-command "make lock" --quiet $(LOCK_UPGRADE)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q uv==$(UV_VERSION)
	$(BIN)/uv pip compile requirements-test.txt $(LOCK_FLAGS) -o requirements-test.lock
	$(BIN)/uv pip compile requirements.txt $(LOCK_FLAGS) -c requirements-test.lock -o requirements.lock
	$(BIN)/uv pip compile requirements.txt requirements-dask.txt $(LOCK_FLAGS) -c requirements-test.lock \
	  -o requirements-dask.lock

clean:
	rm -rf $(VENV) data/monitor.duckdb data/monitor.duckdb.wal .pytest_cache
