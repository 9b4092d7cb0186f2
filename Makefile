# The two commands a new user needs: `make run` and `make test`. Both set up .venv/ from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint bench bench-mlmd-venv clean vendor

# pip compiles the packages it installs, but not this project's own, installed in place: with
# PYTHONDONTWRITEBYTECODE set, every command would compile them again at start (0.15 s of an
# `aigraph ingest`). compileall only rewrites what changed.
install: $(VENV)/.installed
	$(BIN)/python -m compileall -q api graph metrics

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

# Known vulnerabilities in the installed packages (asks PyPI's advisory service, so needs the network).
# Strict: a package the service cannot look up fails the audit instead of passing unchecked.
.PHONY: audit
audit: install
	$(BIN)/pip freeze --local --exclude-editable > $(VENV)/audited-requirements.txt
	$(BIN)/pip-audit --strict --no-deps --disable-pip --progress-spinner off -r $(VENV)/audited-requirements.txt

# Google ML Metadata, the lineage benchmark's reference, pins attrs<24 and protobuf<5, which clash
# with .venv: it gets a venv of its own. A failed install leaves the benchmark to say why.
MLMD_VENV := .venv-mlmd

bench-mlmd-venv: $(MLMD_VENV)/.installed

$(MLMD_VENV)/.installed:
	$(PYTHON) -m venv $(MLMD_VENV)
	$(MLMD_VENV)/bin/python -m pip install --quiet --disable-pip-version-check ml-metadata==1.17.1 \
		attrs==23.2.0 protobuf==4.25.9 grpcio==1.85.1 absl-py==1.4.0 six==1.17.0 typing_extensions==4.16.0 \
		|| echo "ml-metadata could not be installed; the lineage benchmark reports it"
	touch $@

bench: install bench-mlmd-venv
	$(BIN)/python -m tests.bench

# Refreshes api/static/vendor/ (GraphiQL, its explorer plugin, React) from the npm registry.
vendor:
	scripts/vendor.sh

# PNGs of GraphiQL, the explorer and team health on demo data, into docs/ (needs chromium).
.PHONY: screenshots
screenshots: install
	$(BIN)/python -m tests.browser.screenshots docs

clean:
	rm -rf $(VENV) aigraph.db aigraph.db-wal aigraph.db-shm
