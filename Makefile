# The two commands a new user needs: `make run` and `make test`. Both set up .venv/ from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint bench clean vendor

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: install
	$(BIN)/aigraph demo --if-empty
	$(BIN)/aigraph serve

lint: install
	$(BIN)/ruff check api graph metrics tests
	$(BIN)/ruff format --check api graph metrics tests
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m tests.bench

# Refreshes api/static/vendor/ (GraphiQL, its explorer plugin, React) from the npm registry.
vendor:
	scripts/vendor.sh

clean:
	rm -rf $(VENV) aigraph.db aigraph.db-wal aigraph.db-shm
