# socialsell — the two set-up commands are `make demo` and `make test` (see README).
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: demo test test-fast lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## demo: build everything, write + import the demo exports, serve the dashboards on 127.0.0.1:8866
demo: $(STAMP)
	$(BIN)/socialsell demo
	$(BIN)/socialsell serve --config data/demo/socialsell.toml

## test: lint + the whole test suite (browser tests need Debian's chromium at /usr/bin/chromium)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

## test-fast: skip the slow end-to-end browser tests
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: import / query benchmarks (1 M rows; BENCH_ROWS=10000000 for the 10 M run)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py

clean:
	rm -rf $(VENV) data/socialsell.duckdb data/demo
