# Telephonist: `make run` installs what it needs and serves the demo; `make test` installs
# what the tests need and runs them all. Both work on a fresh Debian 12 machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/telephonist/portal/static/vendor
PYTEST_ARGS ?=

.PHONY: run test lint check system-run system-test assets clean

run: system-run $(VENV)/.installed assets
	$(BIN)/telephonist admin render-prompts
	$(BIN)/telephonist serve --demo

test: system-test $(VENV)/.installed-test assets
	$(MAKE) lint
	$(BIN)/telephonist admin render-prompts
	TELEPHONIST_TEST_POSTGRES_URL=$$(bash scripts/test-postgres.sh) \
	  $(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

system-run:
	bash scripts/install-system-packages.sh run

system-test:
	bash scripts/install-system-packages.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

assets: $(VENDOR)/htmx.min.js

$(VENDOR)/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $@

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
